import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTextQuery } from '../../../src/query/text/text-query-printer.js';
import {
  ARROW_CLEARANCE,
  arrowHead,
  arrowSize,
  boxBoundaryPoint,
  edgeQuerySpec,
  edgeThickness,
  errorRateColor,
  layoutServiceMap,
  MAX_EDGE_THICKNESS,
  MIN_EDGE_THICKNESS,
  NODE_HEIGHT,
  NODE_WIDTH,
  nodeQuerySpec,
} from './service-map-layout-model.js';

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

test('a point on a box boundary: where the segment from the centre towards a point leaves the box', () => {
  const centre = { x: 100, y: 50 };
  assert.deepEqual(boxBoundaryPoint(centre, 168, 52, { x: 300, y: 50 }), { x: 184, y: 50 });
  assert.deepEqual(boxBoundaryPoint(centre, 168, 52, { x: 100, y: -100 }), { x: 100, y: 24 });
  // Shallow: leaves through the side; steep: through the top or bottom.
  assert.deepEqual(boxBoundaryPoint(centre, 168, 52, { x: 0, y: 60 }), { x: 16, y: 58.4 });
  assert.deepEqual(boxBoundaryPoint(centre, 168, 52, { x: 120, y: 150 }), { x: 105.2, y: 76 });
  assert.deepEqual(boxBoundaryPoint(centre, 168, 52, centre), centre);
});

test('an arrowhead is a triangle from its tip back along the edge, wider than the edge', () => {
  const head = arrowHead({ x: 0, y: 10 }, { x: 100, y: 10 }, 5);
  assert.deepEqual(arrowSize(5), { length: 14, width: 16 });
  assert.deepEqual(head.base, { x: 86, y: 10 });
  assert.equal(head.path, 'M100,10 L86,18 L86,2 Z');
  assert.ok(arrowSize(MAX_EDGE_THICKNESS).width > MAX_EDGE_THICKNESS);
});

test('every edge ends on its callee\'s boundary with a visible arrowhead, not under the box', () => {
  const layout = layoutServiceMap(map);
  for (const edge of layout.edges) {
    const target = layout.nodes.find((n) => n.service === edge.target)!;
    const source = layout.nodes.find((n) => n.service === edge.source)!;
    // Callees are right of callers (rankdir LR): the tip sits on the callee's left side, just outside its border.
    assert.ok(Math.abs(edge.tip.x - (target.x - NODE_WIDTH / 2 - ARROW_CLEARANCE)) < 1e-9, `tip ${edge.tip.x}, box ${target.x}`);
    assert.ok(Math.abs(edge.tip.y - target.y) <= NODE_HEIGHT / 2 + ARROW_CLEARANCE);
    assert.ok(edge.arrow.startsWith(`M${Math.round(edge.tip.x * 100) / 100},${Math.round(edge.tip.y * 100) / 100} L`), edge.arrow);
    // The line starts on the caller's right side and stops at the arrowhead's base, short of the tip.
    const start = /^M([\d.]+),/.exec(edge.path)!;
    assert.ok(Math.abs(Number(start[1]) - (source.x + NODE_WIDTH / 2)) < 1e-9, edge.path);
    const end = /L([\d.]+),([\d.]+)$/.exec(edge.path)!;
    assert.ok(Number(end[1]) <= edge.tip.x - arrowSize(edge.thickness).length + 1e-9, `${edge.path} ends past ${edge.tip.x}`);
  }
});
