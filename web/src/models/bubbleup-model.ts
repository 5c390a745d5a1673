/**
 * BubbleUp in the UI: the request for a heatmap box or extra filters, the side-by-side bars of a
 * compared column, and what clicking a bar does to the query (a filter, or a group-by).
 */
import type { BubbleUpDimension, BubbleUpValue } from '../../../src/query/bubbleup/bubbleup-scoring.js';
import type { Filter, QuerySpec } from '../../../src/query/query-spec.js';

export type { BubbleUpDimension, BubbleUpValue };
import type { HeatmapBox } from './heatmap-selection-model.js';
import { syncFromText } from './query-text-sync-model.js';
import { formatLabelValue, hasUnit } from './value-units-model.js';

export interface BubbleUpResponse {
  readonly selected_count: number;
  readonly baseline_count: number;
  readonly dimensions: readonly BubbleUpDimension[];
  readonly columns_left_out?: readonly string[];
}

export type BubbleUpSelection =
  | { readonly start_time: number; readonly end_time: number; readonly column: string; readonly min: number; readonly max: number }
  | { readonly filters: readonly Filter[] };

export interface BubbleUpRequest {
  readonly query: QuerySpec;
  readonly selection: BubbleUpSelection;
}

/** The request for a heatmap box of `column`. */
export function boxBubbleUpRequest(spec: QuerySpec, column: string, box: HeatmapBox): BubbleUpRequest {
  return { query: spec, selection: { start_time: box.startSec, end_time: box.endSec, column, min: box.min, max: box.max } };
}

/** The request for the events of the query that also match `filters`. */
export function filtersBubbleUpRequest(spec: QuerySpec, filters: readonly Filter[]): BubbleUpRequest {
  return { query: spec, selection: { filters } };
}

/**
 * The filters of a BubbleUp selection written as a WHERE clause ("error = true AND http.route =
 * \"/cart\""): one or more joined by AND (a selection is their conjunction).
 */
export function selectionFiltersFromText(text: string): { readonly ok: true; readonly filters: readonly Filter[] } | { readonly ok: false; readonly message: string } {
  const parsed = syncFromText(`WHERE ${text}`);
  if (!parsed.ok) return { ok: false, message: parsed.message.replace(/position \d+/, 'this text') };
  if (parsed.spec.filters.length === 0 || parsed.spec.filter_combination === 'OR') {
    return { ok: false, message: 'Write one or more filters joined by AND, such as: error = true AND http.route = "/cart"' };
  }
  return { ok: true, filters: parsed.spec.filters };
}

/** The query page running `queryText` with the BubbleUp of the events where `selectionText` open (the `bubbleup` parameter). */
export function bubbleUpQueryHref(dataset: string, queryText: string, selectionText: string): string {
  return `/query?${new URLSearchParams({ dataset, q: queryText, bubbleup: selectionText }).toString()}`;
}

/** One pair of bars: a value's share of the selection and of the baseline. */
export interface BubbleUpBar {
  readonly key: string;
  readonly label: string;
  readonly selected: number;
  readonly baseline: number;
  readonly selectedCount: number;
  readonly baselineCount: number;
  /** What the value is, for the filter a click adds. */
  readonly value: BubbleUpValue;
}

function keyOf(v: BubbleUpValue): string {
  if (v.missing) return 'missing';
  if (v.lower !== undefined) return `range:${v.lower}`;
  return `${typeof v.value}:${String(v.value)}`;
}

/**
 * The bars of a column: every value either side has, numbers in bucket order, others by the
 * larger difference in share first (what BubbleUp is about), at most `max` of them; missing last.
 */
export function bubbleUpBars(dimension: BubbleUpDimension, max = 8): BubbleUpBar[] {
  const bars = new Map<string, { value: BubbleUpValue; selected: number; baseline: number; selectedCount: number; baselineCount: number }>();
  const add = (v: BubbleUpValue, side: 'selected' | 'baseline'): void => {
    const key = keyOf(v);
    const bar = bars.get(key) ?? { value: v, selected: 0, baseline: 0, selectedCount: 0, baselineCount: 0 };
    if (side === 'selected') {
      bar.selected = v.fraction;
      bar.selectedCount = v.count;
    } else {
      bar.baseline = v.fraction;
      bar.baselineCount = v.count;
    }
    bars.set(key, bar);
  };
  dimension.selected.forEach((v) => add(v, 'selected'));
  dimension.baseline.forEach((v) => add(v, 'baseline'));
  // Number buckets are labelled in the column's unit (1.2 s – 2.4 s), the rest as they are.
  const labelOf = (v: BubbleUpValue): string =>
    v.lower !== undefined && v.upper !== undefined && hasUnit(dimension.column) ? `${formatLabelValue(dimension.column, v.lower)} – ${formatLabelValue(dimension.column, v.upper)}` : String(v.value);
  const list = [...bars.entries()].map(([key, b]) => ({ key, label: labelOf(b.value), ...b }));
  const numeric = list.some((b) => b.value.lower !== undefined);
  list.sort((a, b) => {
    if (Boolean(a.value.missing) !== Boolean(b.value.missing)) return a.value.missing ? 1 : -1;
    if (numeric) return (a.value.lower ?? Infinity) - (b.value.lower ?? Infinity);
    return Math.abs(b.selected - b.baseline) - Math.abs(a.selected - a.baseline) || b.selected - a.selected || a.label.localeCompare(b.label);
  });
  if (numeric) return list.slice(0, Math.max(max, 12));
  return list.slice(0, max);
}

/**
 * The filters a click on a bar adds: `= value`, `does-not-exist` for missing, and for a number
 * bucket `>= lower` and `< upper` (`<= upper` for the dimension's last bucket, which holds its
 * largest value).
 */
export function filtersForBar(dimension: BubbleUpDimension, value: BubbleUpValue): Filter[] {
  const column = dimension.column;
  if (value.missing) return [{ column, op: 'does-not-exist' }];
  if (value.lower !== undefined && value.upper !== undefined) {
    const lowers = [...dimension.selected, ...dimension.baseline].flatMap((v) => (v.lower === undefined ? [] : [v.lower]));
    const last = value.lower >= Math.max(...lowers);
    return [
      { column, op: '>=', value: value.lower },
      { column, op: last ? '<=' : '<', value: value.upper },
    ];
  }
  return [{ column, op: '=', value: value.value }];
}

/** The query grouped by the column as well (unchanged when it already is). */
export function withGroupBy(spec: QuerySpec, column: string): QuerySpec {
  if (spec.breakdowns.includes(column)) return spec;
  return { ...spec, breakdowns: [...spec.breakdowns, column] };
}

/** A score as people read it: the largest gap in share, in percentage points. */
export function scoreText(score: number): string {
  return `${Math.round(score * 100)} pts`;
}
