/**
 * Specs derived from the one on screen: adding a group as filters, and finding the traces behind
 * a chart bucket or behind the whole query.
 */
import type { Filter, QuerySpec } from '../../../src/query/query-spec.js';

export const TRACE_ID_COLUMN = 'trace.trace_id';

/** Filters that select exactly one group of a result (absent values select events without it). */
export function filtersForGroup(group: Readonly<Record<string, unknown>>): Filter[] {
  return Object.entries(group).map(([column, value]): Filter => {
    if (value === null || value === undefined) return { column, op: 'does-not-exist' };
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { column, op: '=', value };
    return { column, op: '=', value: JSON.stringify(value) };
  });
}

function sameFilter(a: Filter, b: Filter): boolean {
  return a.column === b.column && a.op === b.op && JSON.stringify(a.value) === JSON.stringify(b.value);
}

/**
 * The spec with the filters added (duplicates skipped). Null when the spec combines its filters
 * with OR: "(a OR b) AND c" cannot be written in one spec, so the caller says so instead.
 */
export function addFilters(spec: QuerySpec, filters: readonly Filter[]): QuerySpec | null {
  const fresh = filters.filter((f) => !spec.filters.some((existing) => sameFilter(existing, f)));
  if (fresh.length === 0) return spec;
  if (spec.filter_combination === 'OR' && spec.filters.length > 0) return null;
  return { ...spec, filters: [...spec.filters, ...fresh], filter_combination: 'AND' };
}

function traceFilters(spec: QuerySpec, group: Readonly<Record<string, unknown>>): { filters: Filter[]; combination: QuerySpec['filter_combination'] } {
  const idExists: Filter = { column: TRACE_ID_COLUMN, op: 'exists' };
  const withGroup = addFilters(spec, [...filtersForGroup(group), idExists]);
  // Under OR the group cannot be added; the time bucket still narrows the search.
  if (withGroup === null) return { filters: [...spec.filters], combination: 'OR' };
  return { filters: [...withGroup.filters], combination: withGroup.filter_combination };
}

/**
 * The slowest trace of one group in one time bucket: what clicking a chart point opens. A heatmap
 * cell also gives its value range (`column` between lower and upper), so the trace opened is one
 * of the cell's, not the bucket's slowest of any value.
 */
export function slowestTraceSpec(
  spec: QuerySpec,
  group: Readonly<Record<string, unknown>>,
  bucketStartSec: number,
  granularitySec: number,
  valueRange?: { readonly column: string; readonly lower: number; readonly upper: number },
): QuerySpec {
  const withRange: QuerySpec =
    valueRange === undefined
      ? spec
      : (addFilters(spec, [
          { column: valueRange.column, op: '>=', value: valueRange.lower },
          { column: valueRange.column, op: '<=', value: valueRange.upper },
        ]) ?? spec);
  const { filters, combination } = traceFilters(withRange, group);
  const start = Math.floor(bucketStartSec);
  const end = Math.max(Math.ceil(bucketStartSec + granularitySec), start + 1);
  return {
    calculations: [{ op: 'MAX', column: 'duration_ms' }],
    filters,
    filter_combination: combination,
    breakdowns: [TRACE_ID_COLUMN],
    orders: [{ op: 'MAX', column: 'duration_ms', order: 'descending' }],
    havings: [],
    limit: 1,
    time_range: end - start,
    start_time: start,
    end_time: end,
  };
}

/** The slowest traces behind the whole query, for the Traces tab. */
export function slowestTracesSpec(spec: QuerySpec, limit = 25): QuerySpec {
  const { filters, combination } = traceFilters(spec, {});
  const next: QuerySpec = {
    calculations: [{ op: 'MAX', column: 'duration_ms' }, { op: 'COUNT' }],
    filters,
    filter_combination: combination,
    breakdowns: [TRACE_ID_COLUMN],
    orders: [{ op: 'MAX', column: 'duration_ms', order: 'descending' }],
    havings: [],
    limit,
    time_range: spec.time_range,
  };
  return spec.start_time !== undefined && spec.end_time !== undefined ? { ...next, start_time: spec.start_time, end_time: spec.end_time } : next;
}
