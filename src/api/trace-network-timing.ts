import { parseRfc3339Nanos } from '../core/unix-nanos.js';
import type { StoredEvent } from '../store/span-store.js';

const NS_PER_MS = 1e6;

function durationNs(event: StoredEvent): bigint | null {
  const ms = event['duration_ms'];
  return typeof ms === 'number' ? BigInt(Math.round(ms * NS_PER_MS)) : null;
}

function startNs(event: StoredEvent): bigint | null {
  const ts = event['timestamp'];
  return typeof ts === 'string' ? parseRfc3339Nanos(ts) : null;
}

const toMs = (ns: bigint): number => Number(ns) / NS_PER_MS;

/**
 * Adds the network timing of each server span whose parent is a client span (the browser's fetch,
 * another service's HTTP client): `network.latency_ms` = client duration − server duration, the
 * time spent outside the server; `network.request_ms` = server start − client start;
 * `network.response_ms` = client end − server end; and `network.clock_skew` = true when the
 * server span does not fit inside its client span (the clocks of two machines disagree): then the
 * legs are null. Same definitions as the query engine's columns of those names.
 * Precondition: events of one trace. Returns new objects; the input is not changed.
 */
export function withNetworkTiming(events: readonly StoredEvent[]): StoredEvent[] {
  const spansById = new Map<string, StoredEvent>();
  for (const event of events) {
    const id = event['trace.span_id'];
    if (typeof id === 'string' && event['meta.annotation_type'] === undefined) spansById.set(id, event);
  }
  return events.map((event) => {
    if (event['span.kind'] !== 'server' || event['meta.annotation_type'] !== undefined) return event;
    const parentId = event['trace.parent_id'];
    const parent = typeof parentId === 'string' ? spansById.get(parentId) : undefined;
    if (!parent || parent['span.kind'] !== 'client') return event;
    const [serverStart, serverDuration, clientStart, clientDuration] = [startNs(event), durationNs(event), startNs(parent), durationNs(parent)];
    if (serverStart === null || serverDuration === null || clientStart === null || clientDuration === null) return event;
    const request = serverStart - clientStart;
    const response = clientStart + clientDuration - (serverStart + serverDuration);
    const skewed = request < 0n || response < 0n;
    // With skew the legs mix two clocks and mean nothing: null, never shifted. The latency (two
    // durations, each measured on one clock) stays meaningful.
    return {
      ...event,
      'network.latency_ms': toMs(clientDuration - serverDuration),
      'network.request_ms': skewed ? null : toMs(request),
      'network.response_ms': skewed ? null : toMs(response),
      'network.clock_skew': skewed,
    };
  });
}
