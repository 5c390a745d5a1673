/**
 * Pure helpers of the alerting pages: the trigger preview's threshold line, the SLO burn-down
 * chart, and the words the pages show. No DOM; unit-tested.
 */
import { defaultGranularity } from '../../../src/query/compile/query-window.js';
import type { QuerySpec } from '../../../src/query/query-spec.js';
import { bucketGrid } from './bucket-fill-model.js';
import type { QueryResult } from './query-result-types.js';
import { buildCharts, type ChartLine } from './result-series-model.js';
import { resolveTimeWindow } from './time-range-model.js';

export type ThresholdOp = '>' | '>=' | '<' | '<=';

/** A horizontal line at the threshold, aligned with the chart's times, drawn beside the query's lines. */
export function thresholdLine(times: readonly number[], threshold: { op: ThresholdOp; value: number }): ChartLine {
  return { label: `threshold ${threshold.op} ${threshold.value}`, group: {}, values: times.map(() => threshold.value) };
}

/**
 * The trigger preview's line: every bucket of the trigger's time range (the server sends only the
 * busy ones), so a single busy minute draws a line over the range, not a dot on an axis of years.
 */
export function triggerPreviewChart(spec: QuerySpec, result: QueryResult, ranAtSec: number): { times: readonly number[]; lines: readonly ChartLine[] } | undefined {
  const window = resolveTimeWindow(spec, ranAtSec);
  const granularity = result.query?.granularity ?? spec.granularity ?? defaultGranularity(window.endSec - window.startSec);
  const chart = buildCharts(spec, result, 20, bucketGrid(window, granularity)).find((c) => c.kind === 'lines');
  return chart === undefined || chart.kind !== 'lines' ? undefined : { times: chart.times, lines: chart.lines };
}

/** The burn-down as one chart line (budget remaining, percent) on Unix-second times, plus the 0 % line. */
export function burnDownChart(points: ReadonlyArray<{ time: string; budget_remaining: number }>): { times: number[]; lines: ChartLine[] } {
  const rows = points.map((p) => ({ t: Date.parse(p.time) / 1000, v: p.budget_remaining })).filter((r) => Number.isFinite(r.t));
  return {
    times: rows.map((r) => r.t),
    lines: [
      { label: 'budget remaining %', group: {}, values: rows.map((r) => (Number.isFinite(r.v) ? r.v : null)) },
      { label: 'exhausted', group: {}, values: rows.map(() => 0) },
    ],
  };
}

const OP_WORDS: Record<ThresholdOp, string> = { '>': 'above', '>=': 'at or above', '<': 'below', '<=': 'at or below' };

/** "fires when COUNT is above 0 (2 times in a row)". */
export function describeThreshold(label: string, threshold: { op: ThresholdOp; value: number; exceeded_limit: number }): string {
  const times = threshold.exceeded_limit > 1 ? ` (${threshold.exceeded_limit} times in a row)` : '';
  return `fires when ${label} is ${OP_WORDS[threshold.op]} ${threshold.value}${times}`;
}

/** 990000 → "99 %", 999000 → "99.9 %". */
export function targetPercent(perMillion: number): string {
  return `${Number((perMillion / 10_000).toFixed(4))} %`;
}

/** "99 %" → 990000; null when it is not a percentage between 0 and 100. */
export function parseTargetPercent(text: string): number | null {
  const n = Number(text.replace('%', '').trim());
  if (!Number.isFinite(n) || n <= 0 || n >= 100) return null;
  return Math.round(n * 10_000);
}

/** Seconds as the largest whole unit: 900 → "15 min", 3600 → "1 h". */
export function frequencyText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  return `${Math.round(seconds / 60)} min`;
}
