import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allCollapsible,
  axisTicksMs,
  buildWaterfall,
  layoutRows,
  revealSpans,
  searchSpans,
  type TraceRow,
} from './waterfall-layout-model.js';

const T0 = '2026-01-01T00:00:00';

function span(id: string, parent: string | null, startUs: number, durationMs: number, extra: Record<string, unknown> = {}): TraceRow {
  const frac = String(startUs * 1000).padStart(9, '0');
  return {
    'trace.span_id': id,
    'trace.parent_id': parent ?? undefined,
    name: `op-${id}`,
    'service.name': 'api',
    'span.kind': 'internal',
    timestamp: `${T0}.${frac}Z`,
    duration_ms: durationMs,
    status_code: 'unset',
    error: false,
    ...extra,
  };
}

test('lays out a tree depth first with children ordered by start time', () => {
  const model = buildWaterfall([
    span('a', null, 0, 100),
    span('c', 'a', 50_000, 10),
    span('b', 'a', 10_000, 20),
    span('d', 'b', 12_000, 5),
  ]);
  const rows = layoutRows(model, new Set());
  assert.deepEqual(rows.map((r) => [r.key, r.depth, r.hasChildren]), [
    ['a', 0, true],
    ['b', 1, true],
    ['d', 2, false],
    ['c', 1, false],
  ]);
  assert.deepEqual(rows.map((r) => r.bar), [
    { offset: 0, width: 1 },
    { offset: 0.1, width: 0.2 },
    { offset: 0.12, width: 0.05 },
    { offset: 0.5, width: 0.1 },
  ]);
});

test('keeps nanosecond offsets exact inside a long trace', () => {
  const model = buildWaterfall([
    { ...span('a', null, 0, 3_600_000) },
    { ...span('b', 'a', 0, 0.000036), timestamp: `${T0}.000000036Z` },
  ]);
  assert.equal(model.endNs - model.startNs, 3_600_000_000_000n);
  assert.equal(model.spans.get('b')!.startNs - model.startNs, 36n);
  assert.equal(model.spans.get('b')!.durationNs, 36n);
});

test('collapsing a span hides its descendants only', () => {
  const model = buildWaterfall([span('a', null, 0, 100), span('b', 'a', 1, 20), span('d', 'b', 2, 5), span('c', 'a', 3, 10)]);
  assert.deepEqual(layoutRows(model, new Set(['b'])).map((r) => [r.key, r.collapsed]), [
    ['a', false],
    ['b', true],
    ['c', false],
  ]);
  assert.deepEqual([...allCollapsible(model)].sort(), ['a', 'b']);
});

test('shows spans whose parent never arrived as orphans after the true roots', () => {
  const model = buildWaterfall([span('x', 'missing', 0, 10), span('a', null, 5, 100), span('y', 'x', 1, 2)]);
  assert.deepEqual(model.rootKeys, ['a', 'x']);
  assert.equal(model.spans.get('x')!.orphan, true);
  assert.equal(model.spans.get('y')!.orphan, false);
  assert.equal(model.orphanCount, 1);
  assert.deepEqual(layoutRows(model, new Set()).map((r) => [r.key, r.depth]), [['a', 0], ['x', 0], ['y', 1]]);
});

test('a parent cycle is broken so every span appears exactly once', () => {
  const model = buildWaterfall([span('a', 'b', 0, 10), span('b', 'a', 1, 5), span('s', 's', 2, 1)]);
  const keys = layoutRows(model, new Set()).map((r) => r.key).sort();
  assert.deepEqual(keys, ['a', 'b', 's']);
});

test('a repeated span id keeps both spans', () => {
  const model = buildWaterfall([span('a', null, 0, 10), span('a', null, 1, 5)]);
  assert.deepEqual([...model.spans.keys()], ['a', 'a#2']);
});

test('attaches span events and links to their span and counts stray ones', () => {
  const model = buildWaterfall([
    span('a', null, 0, 10),
    { 'meta.annotation_type': 'span_event', 'trace.parent_id': 'a', name: 'exception', timestamp: `${T0}.000001000Z` },
    { 'meta.annotation_type': 'link', 'trace.parent_id': 'a', 'trace.link.trace_id': 'ff' },
    { 'meta.annotation_type': 'span_event', 'trace.parent_id': 'gone', name: 'x' },
  ]);
  assert.equal(model.spans.size, 1);
  assert.equal(model.spans.get('a')!.events.length, 1);
  assert.equal(model.spans.get('a')!.links.length, 1);
  assert.equal(model.strayAnnotations, 1);
});

test('measures the network legs between a client span and its server child', () => {
  const model = buildWaterfall([
    span('c', null, 0, 100, { 'span.kind': 'client', 'service.name': 'web' }),
    span('s', 'c', 10_000, 80, { 'span.kind': 'server' }),
  ]);
  const row = layoutRows(model, new Set())[1]!;
  assert.deepEqual(row.gap, {
    requestMs: 10,
    responseMs: 10,
    clockSkew: false,
    request: { offset: 0, width: 0.1 },
    response: { offset: 0.9, width: 0.1 },
  });
  assert.deepEqual(model.services, ['web', 'api']);
});

test('flags clock skew when the server span starts before its client', () => {
  const model = buildWaterfall([
    span('c', null, 10_000, 50, { 'span.kind': 'client' }),
    span('s', 'c', 0, 20, { 'span.kind': 'server' }),
  ]);
  const gap = layoutRows(model, new Set())[1]!.gap!;
  assert.equal(gap.clockSkew, true);
  assert.equal(gap.requestMs, -10);
});

test('draws a server span network.latency_ms before its start', () => {
  const model = buildWaterfall([span('a', null, 0, 100), span('s', 'a', 20_000, 50, { 'span.kind': 'server', 'network.latency_ms': 10 })]);
  assert.deepEqual(layoutRows(model, new Set())[1]!.latency, { offset: 0.1, width: 0.1 });
});

test('marks errors from the error flag or status', () => {
  const model = buildWaterfall([span('a', null, 0, 1, { error: true }), span('b', 'a', 0, 1, { status_code: 'error' }), span('c', 'a', 0, 1)]);
  assert.equal(model.errorCount, 2);
});

test('search matches names, services and attribute values, and reveals collapsed matches', () => {
  const model = buildWaterfall([span('a', null, 0, 100), span('b', 'a', 1, 20), span('d', 'b', 2, 5, { 'user.id': 'Alice' })]);
  const hits = searchSpans(model, 'alice');
  assert.deepEqual([...hits], ['d']);
  assert.deepEqual([...revealSpans(model, new Set(['a', 'b']), hits)], []);
  assert.deepEqual([...searchSpans(model, '  ')], []);
});

test('renders a 10 000-span chain without overflowing the stack, quickly', () => {
  const rows: TraceRow[] = [span('s0', null, 0, 10_000)];
  for (let i = 1; i < 10_000; i++) rows.push(span(`s${i}`, `s${i - 1}`, i, 1));
  const started = performance.now();
  const model = buildWaterfall(rows);
  const laid = layoutRows(model, new Set());
  assert.equal(laid.length, 10_000);
  assert.equal(laid[9_999]!.depth, 9_999);
  assert.ok(performance.now() - started < 2000);
});

test('axis ticks are round steps covering the trace', () => {
  assert.deepEqual(axisTicksMs(100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(axisTicksMs(0.9, 4), [0, 0.5]);
  assert.deepEqual(axisTicksMs(0), [0]);
});
