import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withNetworkTiming } from './trace-network-timing.js';

const client = { 'trace.span_id': 'aaaaaaaaaaaaaaaa', 'span.kind': 'client', timestamp: '2026-11-22T01:00:00.000000000Z', duration_ms: 120 };
const server = { 'trace.span_id': 'bbbbbbbbbbbbbbbb', 'trace.parent_id': 'aaaaaaaaaaaaaaaa', 'span.kind': 'server', timestamp: '2026-11-22T01:00:00.030000000Z', duration_ms: 70.5 };

describe('withNetworkTiming', () => {
  it('gives a server span under a client span its latency and both legs', () => {
    const [, timed] = withNetworkTiming([client, server]);
    assert.deepEqual(timed, {
      ...server,
      'network.latency_ms': 49.5,
      'network.request_ms': 30,
      'network.response_ms': 19.5,
      'network.clock_skew': false,
    });
  });

  it('flags clock skew when the server span starts before its client span', () => {
    const early = { ...server, timestamp: '2026-11-22T00:59:59.990000000Z' };
    const [, timed] = withNetworkTiming([client, early]);
    assert.equal(timed?.['network.latency_ms'], 49.5);
    assert.equal(timed?.['network.request_ms'], null);
    assert.equal(timed?.['network.response_ms'], null);
    assert.equal(timed?.['network.clock_skew'], true);
  });

  it('leaves spans alone whose parent is not a client span or is missing', () => {
    const internalParent = { ...client, 'span.kind': 'internal' };
    assert.deepEqual(withNetworkTiming([internalParent, server]), [internalParent, server]);
    assert.deepEqual(withNetworkTiming([server]), [server]);
  });
});
