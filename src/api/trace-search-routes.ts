import { BadRequestError } from '../core/errors.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import { parseTraceIdHex } from '../core/trace-id.js';
import { nowNs } from '../core/unix-nanos.js';
import { resolveQueryWindow } from '../query/compile/query-window.js';
import { prepareQuerySpec } from '../query/query-engine.js';
import type { QueryRunner } from '../query/query-runner.js';
import { MAX_LIMIT, type Filter, type QuerySpec } from '../query/query-spec.js';
import type { SpanStore, TraceSummary } from '../store/span-store.js';
import { checkSpecColumnsInDataset } from './dataset-column-check.js';
import { resolveDataset } from './dataset-selector.js';
import { readJsonBody, sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';

const TRACE_ID_COLUMN = 'trace.trace_id';
const DEFAULT_TRACES = 20;
/** A found trace is summarised whole: its spans may start this long before or end after the query's range. */
const TRACE_MARGIN_NS = 3_600_000_000_000n;

export interface TraceSearchDependencies {
  store: SpanStore;
  runner: QueryRunner;
  queryTimeoutMs: number;
}

/** A found trace: its summary and how many of its events matched the filters. */
export interface TraceSearchResult extends TraceSummary {
  matched_events: number;
  /** The longest matching span, milliseconds. */
  max_matched_duration_ms: number;
}

/**
 * The query that finds traces: the caller's filters and time range, one group per trace id, the
 * traces whose matching spans took longest first (the query language has no "latest" ranking).
 */
export function traceSearchSpec(spec: QuerySpec, limit: number): QuerySpec {
  const idExists: Filter = { column: TRACE_ID_COLUMN, op: 'exists' };
  // Under OR, "trace id exists" would widen the match; every span with a trace id then still has one.
  const filters = spec.filter_combination === 'OR' && spec.filters.length > 1 ? spec.filters : [...spec.filters, idExists];
  const search: QuerySpec = {
    calculations: [{ op: 'MAX', column: 'duration_ms' }, { op: 'COUNT' }],
    filters,
    filter_combination: filters.length < 2 ? 'AND' : spec.filter_combination,
    breakdowns: [TRACE_ID_COLUMN],
    orders: [{ op: 'MAX', column: 'duration_ms', order: 'descending' }],
    havings: [],
    limit,
    time_range: spec.time_range,
  };
  return spec.start_time !== undefined && spec.end_time !== undefined ? { ...search, start_time: spec.start_time, end_time: spec.end_time } : search;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('request body must be a JSON object: {"query": <Query Specification>, "limit": 20}');
  return body as Record<string, unknown>;
}

/**
 * POST /api/trace-search/:dataset with `{"query": <Query Specification>, "limit"?: n}`: the traces
 * having a span (of the dataset) that matches the query's filters in its time range, as Jaeger's
 * search lists them (root span, service, start, duration, span count, errors). The filters are
 * compiled by the query compiler like any query; the query's calculations and groups are ignored.
 */
export function addTraceSearchRoutes(router: HttpRouter, deps: TraceSearchDependencies): void {
  router.add('POST', '/api/trace-search/:dataset', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    const selector = await resolveDataset(deps.store, dataset);
    const body = objectBody(await readJsonBody(req, SAVED_LIMITS.storedQuerySpecBytes.value));
    const limitValue = body['limit'] ?? DEFAULT_TRACES;
    if (typeof limitValue !== 'number' || !Number.isInteger(limitValue) || limitValue < 1 || limitValue > MAX_LIMIT) {
      throw new BadRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitValue)?.slice(0, 40)}`);
    }
    const query = body['query'] ?? {};
    if (typeof query !== 'object' || query === null || Array.isArray(query)) throw new BadRequestError('query must be a Query Specification object');
    const schema = await deps.store.querySchema({ kind: 'all' });
    const spec = prepareQuerySpec(query, schema);
    const search = traceSearchSpec(spec, limitValue);
    if (selector.kind === 'one') checkSpecColumnsInDataset(search, await deps.store.querySchema(selector), dataset);
    const found = await deps.runner.run(selector, search, { disableSeries: true, timeoutMs: deps.queryTimeoutMs });
    const matched = new Map<bigint, { count: number; maxMs: number }>();
    for (const row of found.results) {
      const id = typeof row.data[TRACE_ID_COLUMN] === 'string' ? parseTraceIdHex(row.data[TRACE_ID_COLUMN]) : null;
      if (id === null) continue;
      matched.set(id, { count: Number(row.data['COUNT'] ?? 0), maxMs: Number(row.data['MAX(duration_ms)'] ?? 0) });
    }
    const window = resolveQueryWindow(search, nowNs());
    const summaries = await deps.store.listTraces({
      limit: limitValue,
      traceIds: [...matched.keys()],
      window: { startNs: window.startNs - TRACE_MARGIN_NS, endNs: window.endNs + TRACE_MARGIN_NS },
    });
    const traces: TraceSearchResult[] = summaries.map((summary) => {
      const match = matched.get(parseTraceIdHex(summary.trace_id) ?? -1n);
      return { ...summary, matched_events: match?.count ?? 0, max_matched_duration_ms: match?.maxMs ?? 0 };
    });
    sendJson(res, 200, { traces });
  });
}
