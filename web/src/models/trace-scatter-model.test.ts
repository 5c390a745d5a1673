import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scatterModel, sortTraces, type ScatterTrace } from './trace-scatter-model.js';

const t = (id: string, second: number, ms: number, spans = 1, error = false): ScatterTrace => ({
  trace_id: id,
  start: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000000000Z`,
  duration_ms: ms,
  span_count: spans,
  error,
});

test('places each trace by start (x) and duration from zero (y)', () => {
  const model = scatterModel([t('a', 0, 50), t('b', 10, 200, 1, true), t('c', 40, 100)]);
  assert.deepEqual(model.points, [
    { traceId: 'a', x: 0, y: 0.25, error: false },
    { traceId: 'b', x: 0.25, y: 1, error: true },
    { traceId: 'c', x: 1, y: 0.5, error: false },
  ]);
  assert.equal(model.endMs - model.startMs, 40_000);
  assert.equal(model.maxDurationMs, 200);
});

test('one trace, or all at once, sits in the middle; no data gives no points', () => {
  assert.deepEqual(scatterModel([t('a', 5, 0)]).points, [{ traceId: 'a', x: 0.5, y: 0, error: false }]);
  assert.deepEqual(scatterModel([]).points, []);
  assert.deepEqual(scatterModel([{ ...t('a', 5, 10), start: 'garbage' }]).points, []);
});

test('sorts as Jaeger does, newest first on ties', () => {
  const list = [t('a', 1, 50, 3), t('b', 2, 50, 1), t('c', 3, 10, 5)];
  assert.deepEqual(sortTraces(list, 'most-recent').map((x) => x.trace_id), ['c', 'b', 'a']);
  assert.deepEqual(sortTraces(list, 'longest').map((x) => x.trace_id), ['b', 'a', 'c']);
  assert.deepEqual(sortTraces(list, 'shortest').map((x) => x.trace_id), ['c', 'b', 'a']);
  assert.deepEqual(sortTraces(list, 'most-spans').map((x) => x.trace_id), ['c', 'a', 'b']);
  assert.deepEqual(sortTraces(list, 'least-spans').map((x) => x.trace_id), ['b', 'a', 'c']);
});
