import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTextQuery } from '../../../src/query/text/text-query-printer.js';
import { edgeQuerySpec, edgeThickness, errorRateColor, layoutServiceMap, MAX_EDGE_THICKNESS, MIN_EDGE_THICKNESS, nodeQuerySpec } from './service-map-layout-model.js';

const map = {
  nodes: [
    { service: 'frontend', span_count: 100, error_count: 0 },
    { service: 'api', span_count: 200, error_count: 20 },
    { service: 'db', span_count: 50, error_count: 1 },
  ],
  edges: [
    { source: 'frontend', target: 'api', calls: 100, errors: 10, p50_ms: 30, p95_ms: 90 },
    { source: 'api', target: 'db', calls: 1, errors: 0, p50_ms: 2, p95_ms: 5 },
  ],
};

test('lays callers out left of their callees, every node and edge placed', () => {
  const layout = layoutServiceMap(map);
  const x = Object.fromEntries(layout.nodes.map((n) => [n.service, n.x]));
  assert.ok(x['frontend']! < x['api']! && x['api']! < x['db']!);
  assert.equal(layout.edges.length, 2);
  for (const edge of layout.edges) assert.match(edge.path, /^M[\d.]+,[\d.]+ /);
  assert.ok(layout.width > 3 * 168 && layout.height >= 52);
  // Deterministic: the same map, the same picture.
  assert.deepEqual(layoutServiceMap(map), layout);
});

test('edge thickness grows with calls (logarithmically) within bounds, colour with error rate', () => {
  const layout = layoutServiceMap(map);
  const [busy, quiet] = layout.edges;
  assert.equal(busy!.thickness, MAX_EDGE_THICKNESS);
  assert.ok(quiet!.thickness > MIN_EDGE_THICKNESS && quiet!.thickness < MAX_EDGE_THICKNESS);
  assert.equal(edgeThickness(0, 100), MIN_EDGE_THICKNESS);
  assert.equal(busy!.color, errorRateColor(0.1));
  assert.equal(errorRateColor(0), '#5f8f6f');
  assert.equal(errorRateColor(0.02), '#e0a030');
  assert.equal(errorRateColor(0.05), '#d1453b');
  assert.equal(layout.nodes.find((n) => n.service === 'api')?.errorRate, 0.1);
});

test('an empty map lays out to nothing', () => {
  assert.deepEqual(layoutServiceMap({ nodes: [], edges: [] }).nodes, []);
});

test('a node opens its spans by name and an edge the callee spans called from the caller', () => {
  assert.equal(printTextQuery(nodeQuerySpec('api', 3600)), 'VISUALIZE COUNT, P95(duration_ms), HEATMAP(duration_ms) WHERE service.name = "api" GROUP BY name ORDER BY COUNT DESC LAST 1h');
  assert.equal(
    printTextQuery(edgeQuerySpec({ source: 'frontend', target: 'api' }, 7200)),
    'VISUALIZE COUNT, P95(duration_ms), HEATMAP(duration_ms) WHERE service.name = "api" AND parent.service.name = "frontend" GROUP BY name ORDER BY COUNT DESC LAST 2h',
  );
});
