import type { ColumnType } from '../query-schema.js';
import type { CompiledBubbleUp } from './bubbleup-sql.js';
import { bubbleUpDimension, rankBubbleUpDimensions, type BubbleUpDimension, type BubbleUpValue, type ValueCounts } from './bubbleup-scoring.js';

/** The answer of POST /api/bubbleup/:dataset. */
export interface BubbleUpResult {
  readonly selected_count: number;
  readonly baseline_count: number;
  /** Highest score first. */
  readonly dimensions: readonly BubbleUpDimension[];
  /** The share of each side the values were counted on (1: all of it; below, counts are estimates). */
  readonly sample_rates: { readonly selected: number; readonly baseline: number };
}

/** A number short enough for a label, exact for integers. */
function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return Number(value ?? 0);
}

/** A row's value as the API shows it: the string, the boolean, a bucket's range, or missing. */
function valueOf(type: ColumnType, text: unknown, lo: unknown, width: unknown): Omit<ValueCounts, 'selected' | 'baseline'> {
  if (text === null || text === undefined) return { value: 'missing', missing: true };
  const raw = String(text);
  if (type === 'boolean') return { value: raw === 'true', missing: false };
  if (type === 'string') return { value: raw, missing: false };
  const index = Number(raw);
  if (index < 0) return { value: 'NaN or infinite', missing: false };
  const w = toNumber(width);
  const lower = toNumber(lo) + index * w;
  const upper = lower + w;
  if (type === 'integer') return { value: w === 1 ? numberText(lower) : `${numberText(lower)} – ${numberText(upper - 1)}`, missing: false, lower, upper };
  return { value: `${numberText(lower)} – ${numberText(upper)}`, missing: false, lower, upper };
}

/**
 * Rows of a compiled BubbleUp (getRowsJS order) → the scored, ranked answer. Shares and scores
 * come from the sample; counts are the sample's scaled by its rate (estimates when sampled), and
 * the totals are `exact`.
 */
export function shapeBubbleUpResult(compiled: CompiledBubbleUp, rows: ReadonlyArray<readonly unknown[]>, exact: { readonly selected: number; readonly baseline: number }): BubbleUpResult {
  const first = rows[0];
  const totals = { selected: first === undefined ? 0 : toNumber(first[6]), baseline: first === undefined ? 0 : toNumber(first[7]) };
  const perColumn = compiled.columns.map((): ValueCounts[] => []);
  for (const [set, text, ns, nb, lo, width] of rows) {
    const index = toNumber(set);
    const column = compiled.columns[index];
    const list = perColumn[index];
    if (column === undefined || list === undefined) continue;
    list.push({ ...valueOf(column.type, text, lo, width), selected: toNumber(ns), baseline: toNumber(nb) });
  }
  const { selectedRate, baselineRate } = compiled.sampling;
  const scale = (values: readonly BubbleUpValue[], rate: number): BubbleUpValue[] => values.map((v) => ({ ...v, count: rate >= 1 ? v.count : Math.round(v.count / rate) }));
  const dimensions = compiled.columns.map((column, i) => {
    const d = bubbleUpDimension(column.name, perColumn[i] ?? [], totals);
    return { ...d, selected: scale(d.selected, selectedRate), baseline: scale(d.baseline, baselineRate) };
  });
  return {
    selected_count: exact.selected,
    baseline_count: exact.baseline,
    dimensions: rankBubbleUpDimensions(dimensions),
    sample_rates: { selected: selectedRate, baseline: baselineRate },
  };
}
