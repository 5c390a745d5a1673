import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalPath } from './critical-path-model.js';
import { buildWaterfall, layoutRows, type TraceRow } from './waterfall-layout-model.js';
import { criticalBars, durationLabelPlacement, eventMarkers } from './waterfall-overlay-model.js';

function at(ms: number): string {
  return `2026-01-01T00:00:00.${String(Math.round(ms * 1_000_000)).padStart(9, '0')}Z`;
}

function span(id: string, parent: string | null, startMs: number, durationMs: number, kind = 'internal'): TraceRow {
  return { 'trace.span_id': id, 'trace.parent_id': parent ?? undefined, name: `op-${id}`, 'service.name': 'api', 'span.kind': kind, timestamp: at(startMs), duration_ms: durationMs };
}

test('a server span under a client span gets its duration label after the response leg, not on it', () => {
  // client 0–100, server 10–50: the response leg is drawn 50–100 on the server's row.
  const model = buildWaterfall([span('c', null, 0, 100, 'client'), span('s', 'c', 10, 40, 'server')]);
  const serverRow = layoutRows(model, new Set()).find((r) => r.key === 's')!;
  assert.deepEqual(serverRow.gap?.response, { offset: 0.5, width: 0.5 });
  // No room after the leg (it reaches the end): the label goes before the request leg... which starts at 0: inside the bar.
  assert.deepEqual(durationLabelPlacement(serverRow), { side: 'inside', at: 0.1 });
});

test('the label starts where the last thing drawn on the row ends', () => {
  // client 0–200 with server 10–50 inside, then a sibling keeping the trace 400 long.
  const model = buildWaterfall([span('r', null, 0, 400), span('c', 'r', 0, 200, 'client'), span('s', 'c', 10, 40, 'server')]);
  const serverRow = layoutRows(model, new Set()).find((r) => r.key === 's')!;
  // Bar ends at 0.125, the response leg at 0.5: the label after 0.5.
  assert.deepEqual(durationLabelPlacement(serverRow), { side: 'after', at: 0.5 });
});

test('a bar near the end gets its label before it, before its request leg too', () => {
  const model = buildWaterfall([span('r', null, 0, 100), span('c', 'r', 50, 50, 'client'), span('s', 'c', 60, 40, 'server')]);
  const serverRow = layoutRows(model, new Set()).find((r) => r.key === 's')!;
  assert.deepEqual(durationLabelPlacement(serverRow), { side: 'before', at: 0.5 });
});

test('span events become markers at their time; exceptions are marked as such', () => {
  const model = buildWaterfall([
    span('a', null, 0, 100),
    { 'meta.annotation_type': 'span_event', 'trace.parent_id': 'a', name: 'cache miss', timestamp: at(25) },
    { 'meta.annotation_type': 'span_event', 'trace.parent_id': 'a', name: 'exception', timestamp: at(75) },
    { 'meta.annotation_type': 'span_event', 'trace.parent_id': 'a', name: 'no time' },
  ]);
  assert.deepEqual(eventMarkers(model, model.spans.get('a')!), [
    { offset: 0.25, name: 'cache miss', exception: false },
    { offset: 0.75, name: 'exception', exception: true },
  ]);
});

test('critical sections become bars on each span', () => {
  const model = buildWaterfall([span('a', null, 0, 100), span('b', 'a', 10, 30), span('c', 'a', 50, 40)]);
  const bars = criticalBars(model, criticalPath(model));
  assert.deepEqual(bars.get('a'), [
    { offset: 0.9, width: 0.1 },
    { offset: 0.4, width: 0.1 },
    { offset: 0, width: 0.1 },
  ]);
  assert.deepEqual(bars.get('c'), [{ offset: 0.5, width: 0.4 }]);
});
