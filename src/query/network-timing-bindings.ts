import type { ClientServerMeasure, ColumnBinding, ColumnType } from './query-schema.js';

function derived(name: string, type: ColumnType, measure: ClientServerMeasure): ColumnBinding {
  // A typed NULL: a reader that sees one row alone (a value sample, a single event) has no parent to join.
  const sql = type === 'boolean' ? 'CAST(NULL AS BOOLEAN)' : 'CAST(NULL AS DOUBLE)';
  return { name, type, sql, physicalColumns: [], derivation: { kind: 'client-server-timing', measure } };
}

/**
 * Network timing of a SERVER span whose parent is a CLIENT span (a browser's fetch span, another
 * service's HTTP client span), as columns of the server span (issue 5, section 4):
 * - `network.latency_ms`: client duration − server duration, the time the request and its response
 *   spent outside the server. Each duration is measured on one clock, so clock offsets between the
 *   two processes do not affect it.
 * - `network.request_ms` (server start − client start) and `network.response_ms` (client end −
 *   server end): the two legs. They compare timestamps of two clocks, so they are NULL when
 *   `network.clock_skew` is true.
 * - `network.clock_skew`: the server span starts before its client span or ends after it, which
 *   can only be the clocks disagreeing. Flagged, never shifted.
 * Every one is NULL (missing) for other events. Computed at query time by joining the parent
 * within the query's range (widened by the related-span margin), so the arrival order of the two
 * spans never matters.
 */
export const NETWORK_TIMING_BINDINGS: readonly ColumnBinding[] = [
  derived('network.latency_ms', 'float', 'latency_ms'),
  derived('network.request_ms', 'float', 'request_ms'),
  derived('network.response_ms', 'float', 'response_ms'),
  derived('network.clock_skew', 'boolean', 'clock_skew'),
];
