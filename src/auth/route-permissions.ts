import type { Permission } from './permissions.js';

/**
 * What a route needs: a permission; `any_key` (any known key, e.g. GET /1/auth); `none` (open:
 * health checks, the session endpoints the sign-in page calls before it has a session).
 */
export type RouteRequirement = Permission | 'any_key' | 'none';

export interface RoutePermission {
  readonly method: string;
  /** The router's pattern: `/1/markers/:dataset/:id`. */
  readonly pattern: string;
  readonly needs: RouteRequirement;
}

/**
 * Every route, once, with what it needs. Reads are `run_queries` (a query key can look at what it
 * queries: columns, saved queries, boards, markers on charts); each kind of write has its own
 * permission. test/integration/auth-route-permissions.test.ts fails when a route is missing here,
 * and a route that is missing anyway needs `manage_keys` (fails closed).
 */
export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  { method: 'GET', pattern: '/healthz', needs: 'none' },
  { method: 'GET', pattern: '/readyz', needs: 'none' },
  { method: 'GET', pattern: '/metrics', needs: 'none' },
  // Ingest. Events for a dataset that does not exist yet also need create_datasets.
  { method: 'POST', pattern: '/v1/traces', needs: 'send_events' },
  { method: 'POST', pattern: '/v1/logs', needs: 'send_events' },
  { method: 'POST', pattern: '/v1/metrics', needs: 'send_events' },
  { method: 'POST', pattern: '/1/events/:dataset', needs: 'send_events' },
  { method: 'POST', pattern: '/1/batch/:dataset', needs: 'send_events' },
  // Keys and sessions.
  { method: 'GET', pattern: '/1/auth', needs: 'any_key' },
  { method: 'GET', pattern: '/api/session', needs: 'none' },
  { method: 'POST', pattern: '/api/session', needs: 'none' },
  { method: 'DELETE', pattern: '/api/session', needs: 'none' },
  { method: 'GET', pattern: '/api/keys', needs: 'manage_keys' },
  { method: 'POST', pattern: '/api/keys', needs: 'manage_keys' },
  { method: 'DELETE', pattern: '/api/keys/:id', needs: 'manage_keys' },
  // Datasets.
  { method: 'GET', pattern: '/1/datasets', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/datasets/:slug', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/datasets', needs: 'create_datasets' },
  { method: 'PUT', pattern: '/1/datasets/:slug', needs: 'create_datasets' },
  // Columns.
  { method: 'GET', pattern: '/1/columns/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/columns/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/columns/:dataset', needs: 'manage_queries_and_columns' },
  { method: 'PUT', pattern: '/1/columns/:dataset/:id', needs: 'manage_queries_and_columns' },
  { method: 'DELETE', pattern: '/1/columns/:dataset/:id', needs: 'manage_queries_and_columns' },
  // Queries and their results.
  { method: 'POST', pattern: '/1/queries/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/queries/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/query_results/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/query_results/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/api/query', needs: 'run_queries' },
  { method: 'GET', pattern: '/api/autocomplete', needs: 'run_queries' },
  { method: 'GET', pattern: '/api/raw-events', needs: 'run_queries' },
  { method: 'GET', pattern: '/api/traces', needs: 'run_queries' },
  { method: 'GET', pattern: '/api/traces/:traceId', needs: 'run_queries' },
  { method: 'POST', pattern: '/api/trace-search/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/api/traces/:traceId/logs', needs: 'run_queries' },
  { method: 'POST', pattern: '/api/bubbleup/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/api/service-map', needs: 'run_queries' },
  // Saved queries.
  { method: 'GET', pattern: '/1/query_annotations/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/query_annotations/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/query_annotations/:dataset', needs: 'manage_queries_and_columns' },
  { method: 'PUT', pattern: '/1/query_annotations/:dataset/:id', needs: 'manage_queries_and_columns' },
  { method: 'DELETE', pattern: '/1/query_annotations/:dataset/:id', needs: 'manage_queries_and_columns' },
  // Boards.
  { method: 'GET', pattern: '/1/boards', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/boards/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/boards', needs: 'manage_boards' },
  { method: 'PUT', pattern: '/1/boards/:id', needs: 'manage_boards' },
  { method: 'DELETE', pattern: '/1/boards/:id', needs: 'manage_boards' },
  // Calculated fields (Honeycomb's derived columns).
  { method: 'GET', pattern: '/1/derived_columns/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/derived_columns/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/derived_columns/:dataset', needs: 'manage_queries_and_columns' },
  { method: 'PUT', pattern: '/1/derived_columns/:dataset/:id', needs: 'manage_queries_and_columns' },
  { method: 'DELETE', pattern: '/1/derived_columns/:dataset/:id', needs: 'manage_queries_and_columns' },
  // Recipients, triggers and their history.
  { method: 'GET', pattern: '/1/recipients', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/recipients/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/recipients', needs: 'manage_recipients' },
  { method: 'PUT', pattern: '/1/recipients/:id', needs: 'manage_recipients' },
  { method: 'DELETE', pattern: '/1/recipients/:id', needs: 'manage_recipients' },
  { method: 'GET', pattern: '/1/triggers/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/triggers/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/triggers/:dataset', needs: 'manage_triggers' },
  { method: 'PUT', pattern: '/1/triggers/:dataset/:id', needs: 'manage_triggers' },
  { method: 'DELETE', pattern: '/1/triggers/:dataset/:id', needs: 'manage_triggers' },
  { method: 'GET', pattern: '/api/triggers/:dataset/:id/history', needs: 'run_queries' },
  // SLOs and burn alerts.
  { method: 'GET', pattern: '/1/slos/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/slos/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/slos/:dataset', needs: 'manage_slos' },
  { method: 'PUT', pattern: '/1/slos/:dataset/:id', needs: 'manage_slos' },
  { method: 'DELETE', pattern: '/1/slos/:dataset/:id', needs: 'manage_slos' },
  { method: 'GET', pattern: '/api/slos/:dataset/:id/report', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/burn_alerts/:dataset', needs: 'run_queries' },
  { method: 'GET', pattern: '/1/burn_alerts/:dataset/:id', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/burn_alerts/:dataset', needs: 'manage_slos' },
  { method: 'PUT', pattern: '/1/burn_alerts/:dataset/:id', needs: 'manage_slos' },
  { method: 'DELETE', pattern: '/1/burn_alerts/:dataset/:id', needs: 'manage_slos' },
  { method: 'GET', pattern: '/api/burn_alerts/:dataset/:id/history', needs: 'run_queries' },
  // Markers.
  { method: 'GET', pattern: '/1/markers/:dataset', needs: 'run_queries' },
  { method: 'POST', pattern: '/1/markers/:dataset', needs: 'manage_markers' },
  { method: 'PUT', pattern: '/1/markers/:dataset/:id', needs: 'manage_markers' },
  { method: 'DELETE', pattern: '/1/markers/:dataset/:id', needs: 'manage_markers' },
];

/** A route the router serves but this table forgot: only a key that may do everything passes. */
export const UNLISTED_ROUTE_NEEDS: Permission = 'manage_keys';

interface CompiledRule {
  readonly method: string;
  readonly segments: readonly string[];
  readonly needs: RouteRequirement;
}

const COMPILED: readonly CompiledRule[] = ROUTE_PERMISSIONS.map((r) => ({ method: r.method, segments: r.pattern.split('/').filter(Boolean), needs: r.needs }));

/** What a request needs, by method and path; undefined when no row matches. */
export function requirementFor(method: string, pathname: string): RouteRequirement | undefined {
  const parts = pathname.split('/').filter(Boolean);
  for (const rule of COMPILED) {
    if (rule.method !== method || rule.segments.length !== parts.length) continue;
    if (rule.segments.every((segment, i) => segment.startsWith(':') ? parts[i] !== '' : segment === parts[i])) return rule.needs;
  }
  return undefined;
}
