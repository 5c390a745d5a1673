import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSummary, diffTraces } from './trace-diff-model.js';
import { buildWaterfall, type TraceRow } from './waterfall-layout-model.js';

function span(id: string, parent: string | null, service: string, name: string, startMs: number, durationMs: number): TraceRow {
  const frac = String(Math.round(startMs * 1_000_000)).padStart(9, '0');
  return { 'trace.span_id': id, 'trace.parent_id': parent ?? undefined, name, 'service.name': service, timestamp: `2026-01-01T00:00:00.${frac}Z`, duration_ms: durationMs };
}

function rows(nodes: ReturnType<typeof diffTraces>): Array<[string, number, number, number, string]> {
  return nodes.map((n) => [n.path, n.depth, n.a.count, n.b.count, n.status]);
}

test('matches spans by their path of service:name, whatever their span ids', () => {
  const a = buildWaterfall([span('a1', null, 'web', 'GET /', 0, 100), span('a2', 'a1', 'api', 'list', 10, 50)]);
  const b = buildWaterfall([span('b1', null, 'web', 'GET /', 0, 100), span('b2', 'b1', 'api', 'list', 10, 52)]);
  assert.deepEqual(rows(diffTraces(a, b)), [
    ['web:GET /', 0, 1, 1, 'same'],
    ['web:GET / > api:list', 1, 1, 1, 'same'],
  ]);
});

test('a path in one trace only, and a path called more often, are told apart', () => {
  const a = buildWaterfall([span('a1', null, 'web', 'GET /', 0, 100), span('a2', 'a1', 'db', 'SELECT', 10, 5), span('a3', 'a1', 'cache', 'get', 20, 1)]);
  const b = buildWaterfall([
    span('b1', null, 'web', 'GET /', 0, 100),
    span('b2', 'b1', 'db', 'SELECT', 10, 5),
    span('b3', 'b1', 'db', 'SELECT', 20, 5),
    span('b4', 'b1', 'auth', 'check', 30, 2),
  ]);
  const nodes = diffTraces(a, b);
  assert.deepEqual(rows(nodes), [
    ['web:GET /', 0, 1, 1, 'same'],
    ['web:GET / > db:SELECT', 1, 1, 2, 'changed'],
    ['web:GET / > cache:get', 1, 1, 0, 'only-a'],
    ['web:GET / > auth:check', 1, 0, 1, 'only-b'],
  ]);
  assert.equal(nodes[1]!.countDelta, 1);
  assert.equal(nodes[1]!.durationDeltaNs, 5_000_000n);
  assert.deepEqual(diffSummary(nodes), { 'only-a': 1, 'only-b': 1, changed: 1, same: 1 });
});

test('the same calls taking much longer are changed; within the tolerance they are the same', () => {
  const a = buildWaterfall([span('a1', null, 'web', 'GET /', 0, 100)]);
  const slower = buildWaterfall([span('b1', null, 'web', 'GET /', 0, 150)]);
  const slightly = buildWaterfall([span('b1', null, 'web', 'GET /', 0, 105)]);
  assert.equal(diffTraces(a, slower)[0]!.status, 'changed');
  assert.equal(diffTraces(a, slower)[0]!.durationDeltaNs, 50_000_000n);
  assert.equal(diffTraces(a, slightly)[0]!.status, 'same');
  assert.equal(diffTraces(a, slightly, { durationTolerance: 0.01 })[0]!.status, 'changed');
});

test('the same name under different parents is two paths', () => {
  const a = buildWaterfall([span('a1', null, 'web', 'root', 0, 100), span('a2', 'a1', 'api', 'x', 1, 10), span('a3', 'a2', 'db', 'q', 2, 1)]);
  const b = buildWaterfall([span('b1', null, 'web', 'root', 0, 100), span('b2', 'b1', 'db', 'q', 2, 1)]);
  assert.deepEqual(rows(diffTraces(a, b)), [
    ['web:root', 0, 1, 1, 'same'],
    ['web:root > api:x', 1, 1, 0, 'only-a'],
    ['web:root > api:x > db:q', 2, 1, 0, 'only-a'],
    ['web:root > db:q', 1, 0, 1, 'only-b'],
  ]);
});

test('different roots give two trees side by side', () => {
  const a = buildWaterfall([span('a1', null, 'web', 'GET /a', 0, 10)]);
  const b = buildWaterfall([span('b1', null, 'web', 'GET /b', 0, 10)]);
  assert.deepEqual(rows(diffTraces(a, b)), [
    ['web:GET /a', 0, 1, 0, 'only-a'],
    ['web:GET /b', 0, 0, 1, 'only-b'],
  ]);
});
