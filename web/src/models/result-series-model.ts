/**
 * A query result reshaped for drawing: one chart per calculation, one line per group, on a shared
 * list of bucket times. Groups follow the order of `data.results` (which follows the query's
 * ORDER BY), so the lines drawn are the groups the table lists first.
 */
import { calculationLabel } from '../../../src/query/calculation-label.js';
import type { Calculation, QuerySpec } from '../../../src/query/query-spec.js';
import { emptyBucketValue, filledTimes, type BucketGrid } from './bucket-fill-model.js';
import { mergeHeatmapColumns, readHeatmapBuckets, type HeatmapColumn } from './heatmap-geometry-model.js';
import type { QueryResult, ResultData } from './query-result-types.js';

export interface ChartLine {
  readonly label: string;
  /** Breakdown column → value for this group (null when the event lacks the column). */
  readonly group: Readonly<Record<string, unknown>>;
  /** Aligned with `times`; null where the group has no value. */
  readonly values: ReadonlyArray<number | null>;
}

export type CalculationChart =
  | { readonly kind: 'lines'; readonly label: string; readonly calculation: Calculation; readonly times: readonly number[]; readonly lines: readonly ChartLine[] }
  | { readonly kind: 'heatmap'; readonly label: string; readonly calculation: Calculation; readonly columns: readonly HeatmapColumn[] };

export type QueryShape = Pick<QuerySpec, 'calculations' | 'breakdowns'>;

/** Unix seconds of a series time; null when unreadable. */
export function seriesTimeSeconds(time: string | number): number | null {
  if (typeof time === 'number') return Number.isFinite(time) ? time : null;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** COUNT when the spec has no calculation, as Honeycomb does. */
export function effectiveCalculations(spec: Pick<QuerySpec, 'calculations'>): readonly Calculation[] {
  return spec.calculations.length > 0 ? spec.calculations : [{ op: 'COUNT' }];
}

export function groupKey(breakdowns: readonly string[], data: ResultData): string {
  return JSON.stringify(breakdowns.map((b) => data[b] ?? null));
}

export function groupLabel(breakdowns: readonly string[], data: ResultData): string {
  return breakdowns.map((b) => formatCell(data[b])).join(', ');
}

/** A result value for reading; numbers keep up to 4 significant decimals. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Charts of a result. With a grid (the query's window and granularity) every bucket of the window
 * gets a value, empty ones the op's empty value (see bucket-fill-model.ts); without one only the
 * buckets the series holds are drawn.
 */
export function buildCharts(spec: QueryShape, result: QueryResult, maxLines = 20, grid: BucketGrid | null = null): CalculationChart[] {
  const series = result.data?.series ?? [];
  const results = result.data?.results ?? [];
  const breakdowns = spec.breakdowns;
  const pointTimes = series.map((p) => seriesTimeSeconds(p.time)).filter((t): t is number => t !== null);
  const times = grid === null ? [...new Set(pointTimes)].sort((a, b) => a - b) : filledTimes(grid, pointTimes);
  const timeIndex = new Map(times.map((t, i) => [t, i]));

  const groupOrder: string[] = [];
  const groupData = new Map<string, ResultData>();
  const remember = (data: ResultData): void => {
    const key = groupKey(breakdowns, data);
    if (!groupData.has(key)) {
      groupData.set(key, data);
      groupOrder.push(key);
    }
  };
  for (const row of results) remember(row.data);
  for (const point of series) remember(point.data);
  const shown = groupOrder.slice(0, maxLines);

  return effectiveCalculations(spec).map((calculation): CalculationChart => {
    const label = calculationLabel(calculation);
    if (calculation.op === 'HEATMAP') {
      const columns: HeatmapColumn[] = [];
      for (const point of series) {
        const time = seriesTimeSeconds(point.time);
        if (time !== null) columns.push({ time, buckets: readHeatmapBuckets(point.data[label]) });
      }
      return { kind: 'heatmap', label, calculation, columns: mergeHeatmapColumns(columns) };
    }
    // Counting and adding ops are 0 in a bucket with no events; other ops have no value there.
    const empty = emptyBucketValue(calculation.op);
    const lines = new Map<string, Array<number | null>>(shown.map((key) => [key, times.map(() => empty)]));
    for (const point of series) {
      const t = seriesTimeSeconds(point.time);
      const values = lines.get(groupKey(breakdowns, point.data));
      const v = point.data[label];
      if (t === null || values === undefined) continue;
      values[timeIndex.get(t)!] = typeof v === 'number' && Number.isFinite(v) ? v : empty;
    }
    return {
      kind: 'lines',
      label,
      calculation,
      times,
      lines: shown.map((key) => {
        const data = groupData.get(key)!;
        const group = Object.fromEntries(breakdowns.map((b) => [b, data[b] ?? null]));
        return { label: breakdowns.length > 0 ? groupLabel(breakdowns, data) : label, group, values: lines.get(key)! };
      }),
    };
  });
}

/**
 * What the charts leave out when the server answered the series of only the top groups
 * (`data.series_truncated`: the series of every group would pass its query.seriesValues): how many
 * groups are charted of how many the table lists, and what charts them all. Null when nothing was cut.
 */
export function seriesTruncationNotice(spec: Pick<QuerySpec, 'breakdowns'>, result: QueryResult): string | null {
  if (result.data?.series_truncated !== true) return null;
  const charted = new Set((result.data.series ?? []).map((point) => groupKey(spec.breakdowns, point.data))).size;
  const listed = (result.data.results ?? []).length;
  return `Charted over time: the top ${charted.toLocaleString('en-US')} of ${listed.toLocaleString('en-US')} groups. The series of every group would pass the server's bound on the values one query answers; the table lists them all, and a coarser granularity, fewer calculations or a lower limit charts every group.`;
}
