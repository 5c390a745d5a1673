import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceMapFromRows } from './service-map-model.js';

describe('service map model', () => {
  // Two services' node rows and the calls between them and db.
  const ROWS = [
    [0, 'api', null, 12n, 1n, null, null],
    [0, 'frontend', null, 6n, 0n, null, null],
    [1, 'api', 'db', 2n, 1n, 10, 14.5],
    [1, 'frontend', 'api', 6n, 1n, 35, 57.5],
  ] as const;
  const NODES = [
    { service: 'api', span_count: 12, error_count: 1 },
    { service: 'frontend', span_count: 6, error_count: 0 },
    // An edge's endpoint with no span of its own in the window is still a node.
    { service: 'db', span_count: 0, error_count: 0 },
  ];

  it('turns node and edge rows into nodes (busiest first) and edges (most calls first)', () => {
    assert.deepEqual(serviceMapFromRows(ROWS, 1), {
      nodes: NODES,
      edges: [
        { source: 'frontend', target: 'api', calls: 6, errors: 1, p50_ms: 35, p95_ms: 57.5 },
        { source: 'api', target: 'db', calls: 2, errors: 1, p50_ms: 10, p95_ms: 14.5 },
      ],
      sample_rate: 1,
    });
  });

  it('scales the calls and failures of a map over 1 in N traces by N, and leaves the nodes and latencies as counted', () => {
    assert.deepEqual(serviceMapFromRows(ROWS, 3), {
      nodes: NODES,
      edges: [
        { source: 'frontend', target: 'api', calls: 18, errors: 3, p50_ms: 35, p95_ms: 57.5 },
        { source: 'api', target: 'db', calls: 6, errors: 3, p50_ms: 10, p95_ms: 14.5 },
      ],
      sample_rate: 3,
    });
  });

  it('names spans without a service unknown_service, merging them, and keeps missing latencies as null', () => {
    const map = serviceMapFromRows([
      [0, null, null, 2n, 0n, null, null],
      [0, 'unknown_service', null, 3n, 1n, null, null],
      [1, null, 'api', 4n, 0n, null, Number.NaN],
    ], 1);
    assert.deepEqual(map.nodes, [
      { service: 'unknown_service', span_count: 5, error_count: 1 },
      { service: 'api', span_count: 0, error_count: 0 },
    ]);
    assert.deepEqual(map.edges, [{ source: 'unknown_service', target: 'api', calls: 4, errors: 0, p50_ms: null, p95_ms: null }]);
  });

  it('orders equal counts by name so answers are stable', () => {
    const map = serviceMapFromRows([
      [1, 'b', 'c', 1n, 0n, 1, 1],
      [1, 'a', 'c', 1n, 0n, 1, 1],
    ], 1);
    assert.deepEqual(map.edges.map((e) => e.source), ['a', 'b']);
    assert.deepEqual(map.nodes.map((n) => n.service), ['a', 'b', 'c']);
  });
});
