import { QUERY_LIMITS } from '../core/limits/query-limits.js';
import { HEATMAP_BUCKETS } from './compile/calculation-sql.js';
import type { Calculation } from './query-spec.js';

/**
 * What one group of a query answer holds, counted as values: its breakdown values and its
 * calculations, a HEATMAP as its buckets (up to HEATMAP_BUCKETS objects each). The answer's
 * memory (the rows read from the store, the objects shaped from them, their JSON) grows with the
 * values it holds, so this is what query.resultValues and query.seriesValues bound.
 */
export function valuesPerGroup(breakdowns: number, calculations: readonly Calculation[]): number {
  return breakdowns + calculations.reduce((sum, calc) => sum + (calc.op === 'HEATMAP' ? HEATMAP_BUCKETS : 1), 0);
}

/**
 * How many of the top groups may have their series in one answer: each series point holds its
 * time and the group's values, one point per bucket at most, so the series of `groups` groups
 * over `buckets` buckets hold at most groups × buckets × (values + 1) values (query.seriesValues).
 */
export function seriesGroupsWithin(buckets: number, perGroup: number, maxValues: number = QUERY_LIMITS.seriesValues.value): number {
  return Math.floor(maxValues / (buckets * (perGroup + 1)));
}
