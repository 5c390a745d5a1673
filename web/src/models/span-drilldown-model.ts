/**
 * Queries started from one span's field: "filter by this value", "group by this field", "show
 * traces with this value". The time range is the last two hours when the trace is in them, and
 * otherwise the two hours around the trace, so the span itself is always inside it.
 */
import { DEFAULT_LIMIT, type Filter, type QuerySpec } from '../../../src/query/query-spec.js';

const WINDOW_SECONDS = 7200;

export type SpanDrilldown = 'filter' | 'group' | 'traces';

/** Columns that name the span itself: filtering on them finds one span, grouping by them one row each. */
const SPAN_IDENTITY_COLUMNS: ReadonlySet<string> = new Set(['trace.span_id', 'trace.parent_id', 'timestamp', 'duration_ms']);

/** Whether a field's value can be a filter (an id of the span itself, or an object, cannot usefully). */
export function canFilterOn(column: string, value: unknown): boolean {
  if (SPAN_IDENTITY_COLUMNS.has(column)) return false;
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Whether grouping by the field makes sense (not an id or time of the span). */
export function canGroupBy(column: string): boolean {
  return !SPAN_IDENTITY_COLUMNS.has(column) && column !== 'trace.trace_id';
}

function range(traceStartSec: number, nowSec: number): Pick<QuerySpec, 'time_range' | 'start_time' | 'end_time'> {
  if (traceStartSec >= nowSec - WINDOW_SECONDS + 60) return { time_range: WINDOW_SECONDS };
  const start = Math.floor(traceStartSec) - WINDOW_SECONDS / 2;
  return { time_range: WINDOW_SECONDS, start_time: start, end_time: start + WINDOW_SECONDS };
}

/** The spec a span field action opens; null when the field cannot be used that way. */
export function spanDrilldownSpec(kind: SpanDrilldown, column: string, value: unknown, traceStartSec: number, nowSec: number): QuerySpec | null {
  const base = { havings: [], filter_combination: 'AND' as const, ...range(traceStartSec, nowSec) };
  if (kind === 'group') {
    if (!canGroupBy(column)) return null;
    return {
      ...base,
      calculations: [{ op: 'COUNT' }, { op: 'P95', column: 'duration_ms' }],
      filters: [],
      breakdowns: [column],
      orders: [{ op: 'COUNT', order: 'descending' }],
      limit: DEFAULT_LIMIT,
    };
  }
  if (!canFilterOn(column, value)) return null;
  const filter: Filter = { column, op: '=', value: value as string | number | boolean };
  return {
    ...base,
    calculations: kind === 'filter' ? [{ op: 'COUNT' }, { op: 'P95', column: 'duration_ms' }] : [{ op: 'COUNT' }],
    filters: [filter],
    breakdowns: [],
    orders: [],
    limit: DEFAULT_LIMIT,
  };
}
