import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalPath, criticalSectionsBySpan } from './critical-path-model.js';
import { buildWaterfall, type TraceRow } from './waterfall-layout-model.js';

/** A span starting `startMs` after 2026-01-01T00:00:00Z, lasting `durationMs`. */
function span(id: string, parent: string | null, startMs: number, durationMs: number): TraceRow {
  const ns = Math.round(startMs * 1_000_000);
  const seconds = Math.floor(ns / 1e9);
  const timestamp = `${new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString().slice(0, 19)}.${String(ns - seconds * 1e9).padStart(9, '0')}Z`;
  return { 'trace.span_id': id, 'trace.parent_id': parent ?? undefined, name: `op-${id}`, 'service.name': 'api', timestamp, duration_ms: durationMs };
}

const MS = 1_000_000n;
const BASE = 1767225600000n * MS; // 2026-01-01T00:00:00Z in ns

/** Sections as [key, startMs, endMs] relative to T0. */
function sections(rows: TraceRow[]): Array<[string, number, number]> {
  return criticalPath(buildWaterfall(rows)).map((s) => [s.key, Number(s.startNs - BASE) / 1e6, Number(s.endNs - BASE) / 1e6]);
}

test('a span without children is its own critical path', () => {
  assert.deepEqual(sections([span('a', null, 0, 100)]), [['a', 0, 100]]);
});

test('sequential children: the walk goes through each child and the parent gaps between them', () => {
  // a: 0–100; b: 10–40; c: 50–90. Parent's own work: 90–100, 40–50, 0–10.
  assert.deepEqual(sections([span('a', null, 0, 100), span('b', 'a', 10, 30), span('c', 'a', 50, 40)]), [
    ['a', 90, 100],
    ['c', 50, 90],
    ['a', 40, 50],
    ['b', 10, 40],
    ['a', 0, 10],
  ]);
});

test('parallel children: only the last to finish counts, and an overlapped earlier one is skipped', () => {
  // b 10–80 and c 20–60 run together; b finishes last, c ended inside b, so c is not critical.
  assert.deepEqual(sections([span('a', null, 0, 100), span('b', 'a', 10, 70), span('c', 'a', 20, 40)]), [
    ['a', 80, 100],
    ['b', 10, 80],
    ['a', 0, 10],
  ]);
});

test('partly overlapping children: an earlier child still running when the later one started is not critical', () => {
  // b 10–50, c 40–90. Walking back from c's start (40), b ended after it (50): the parent waited on c, not b.
  assert.deepEqual(sections([span('a', null, 0, 100), span('b', 'a', 10, 40), span('c', 'a', 40, 50)]), [
    ['a', 90, 100],
    ['c', 40, 90],
    ['a', 0, 40],
  ]);
});

test('back-to-back children both count (one ends exactly when the next starts)', () => {
  assert.deepEqual(sections([span('a', null, 0, 100), span('b', 'a', 0, 50), span('c', 'a', 50, 50)]), [
    ['c', 50, 100],
    ['b', 0, 50],
  ]);
});

test('descends through grandchildren and comes back up through each parent', () => {
  // a 0–100 > b 10–90 > d 20–70; walk: a 90–100, b 70–90, d 20–70, b 10–20, a 0–10.
  assert.deepEqual(sections([span('a', null, 0, 100), span('b', 'a', 10, 80), span('d', 'b', 20, 50)]), [
    ['a', 90, 100],
    ['b', 70, 90],
    ['d', 20, 70],
    ['b', 10, 20],
    ['a', 0, 10],
  ]);
});

test('a child that outlives its parent is clipped to the parent end; one starting after it is ignored', () => {
  // b 50–150 is clipped to 50–100; c starts at 120, after the parent ended.
  assert.deepEqual(sections([span('a', null, 0, 100), span('b', 'a', 50, 100), span('c', 'a', 120, 10)]), [
    ['b', 50, 100],
    ['a', 0, 50],
  ]);
});

test('zero-length children are walked once and the walk ends', () => {
  assert.deepEqual(sections([span('a', null, 0, 10), span('b', 'a', 5, 0), span('c', 'a', 5, 0)]), [
    ['a', 5, 10],
    ['a', 0, 5],
  ]);
});

test('a trace without a true root has no critical path', () => {
  assert.deepEqual(sections([span('b', 'missing', 0, 10)]), []);
});

test('a 20 000-deep chain does not overflow the stack', () => {
  const rows = [span('s0', null, 0, 20_000)];
  for (let i = 1; i < 20_000; i++) rows.push(span(`s${i}`, `s${i - 1}`, i * 0.5, 20_000 - i));
  const path = criticalPath(buildWaterfall(rows));
  assert.equal(path.at(-1)!.key, 's0');
  assert.equal(criticalSectionsBySpan(path).get('s19999')!.length, 1);
});

test('sections grouped by span keep their order', () => {
  const grouped = criticalSectionsBySpan(criticalPath(buildWaterfall([span('a', null, 0, 100), span('b', 'a', 10, 30), span('c', 'a', 50, 40)])));
  assert.deepEqual([...grouped.keys()], ['a', 'c', 'b']);
  assert.equal(grouped.get('a')!.length, 3);
});

test('a parent with 10 000 back-to-back children has each child on the path, latest first', () => {
  const rows = [span('root', null, 0, 10_000)];
  for (let i = 0; i < 10_000; i++) rows.push(span(`c${i}`, 'root', i, 1));
  const path = criticalPath(buildWaterfall(rows));
  assert.equal(path.length, 10_000);
  assert.deepEqual([path[0]!.key, path.at(-1)!.key], ['c9999', 'c0']);
});
