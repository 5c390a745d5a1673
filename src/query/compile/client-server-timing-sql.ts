import type { ClientServerMeasure } from '../query-schema.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * SQL expressions (epoch ns, BIGINT) for a server span and the client span it is the child of.
 * The client side is NULL when the event is not a server span under a client span; every measure
 * is then NULL too.
 */
export interface ClientServerRefs {
  readonly serverStart: string;
  readonly serverDuration: string;
  readonly clientStart: string;
  readonly clientDuration: string;
}

const NS_PER_MS = '1e6';

function skew(r: ClientServerRefs): string {
  return `(${r.serverStart} < ${r.clientStart} OR ${r.serverStart} + ${r.serverDuration} > ${r.clientStart} + ${r.clientDuration})`;
}

/** A leg compares two clocks: only meaningful when the server span lies within its client span. */
function leg(r: ClientServerRefs, ns: string): string {
  return `CASE WHEN NOT ${skew(r)} THEN (${ns}) / ${NS_PER_MS} END`;
}

/** Each measure of the network.* columns (see network-timing-bindings.ts for their meaning). */
export const CLIENT_SERVER_MEASURE_SQL: Record<ClientServerMeasure, (refs: ClientServerRefs, dialect: SqlDialect) => string> = {
  latency_ms: (r) => `((${r.clientDuration} - ${r.serverDuration}) / ${NS_PER_MS})`,
  request_ms: (r) => leg(r, `${r.serverStart} - ${r.clientStart}`),
  response_ms: (r) => leg(r, `${r.clientStart} + ${r.clientDuration} - ${r.serverStart} - ${r.serverDuration}`),
  clock_skew: (r, d) => d.asBoolean(`CASE WHEN ${r.clientStart} IS NOT NULL THEN ${skew(r)} END`),
};
