import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { DuckDbSpanStore } from './duckdb-span-store.js';
import { traceIndexRowsSql, traceKey32Of, traceKeyOf } from './duckdb-physical-layout.js';
import { traceLocations, type TraceLocation } from './duckdb-trace-index-lookup.js';
import { SortedChunkBuilder, TraceLocator, floorSeconds, locatorChunkOfTraces } from './duckdb-trace-locator.js';
import { HOUR_NS, LIFECYCLE_BASE_NS, SPANS_PER_TRACE, TRACES_PER_BATCH, batchTraceId, lifecycleBatch, openLifecycleStore } from './duckdb-lifecycle-fixture.js';

const S = 1_000_000_000n;

/** Rows for the locator from [key, first second, last second] triples. */
function rows(...triples: [number, number, number][]): { keys: number[]; startS: number[]; endS: number[] } {
  return { keys: triples.map(([k]) => k), startS: triples.map(([, s]) => s), endS: triples.map(([, , e]) => e) };
}

/** A trace id whose 32-bit key is `key` (its high 64 bits zero, its low 32 bits the key). */
function idWithKey(key: number): bigint {
  const id = BigInt(key);
  assert.equal(Number(traceKey32Of(id)), key);
  return id;
}

describe('the trace index in memory (TraceLocator)', () => {
  it('finds each segment holding a trace, with the range of all its rows there in whole seconds, by segment id', () => {
    const locator = new TraceLocator(100);
    locator.add(7, rows([5, 100, 101], [9, 50, 50], [5, 98, 99]));
    locator.add(3, rows([5, 2_000, 2_004]));
    locator.add(7, rows([5, 103, 103]));
    assert.deepEqual(locator.locate(idWithKey(5)), [
      { segmentId: 3, minTsNs: 2_000n * S, maxTsNs: 2_004n * S + S - 1n },
      { segmentId: 7, minTsNs: 98n * S, maxTsNs: 103n * S + S - 1n },
    ]);
    assert.deepEqual(locator.locate(idWithKey(9)), [{ segmentId: 7, minTsNs: 50n * S, maxTsNs: 50n * S + S - 1n }]);
    assert.deepEqual(locator.locate(idWithKey(6)), []);
    assert.equal(locator.rows, 5);
  });

  it('adds a chunk built before a COMMIT, and turns itself off when one was not built while it was on', async () => {
    const locator = new TraceLocator(100);
    const built = await locatorChunkOfTraces(new Map([[idWithKey(4), { minTsNs: 10n * S, maxTsNs: 12n * S }]]));
    locator.addBuilt(2, built);
    assert.deepEqual(locator.locate(idWithKey(4)), [{ segmentId: 2, minTsNs: 10n * S, maxTsNs: 12n * S + S - 1n }]);
    // Off when the commit ran (a load filling it): nothing built, and nothing lost while it stays off.
    locator.beginLoad(true);
    locator.loaded();
    locator.addBuilt(3, null);
    assert.equal(locator.enabled, false);
    // On now, but the commit's traces were never built: lookups must not miss them, so it goes off.
    locator.beginLoad(false);
    locator.loaded();
    assert.equal(locator.enabled, true);
    locator.addBuilt(3, null);
    assert.equal(locator.enabled, false);
    assert.equal(locator.rows, 0);
  });

  it('keeps every row through the merges of a segment\'s chunks (one per commit), whatever the order they came in', () => {
    const locator = new TraceLocator(1_000_000);
    const expected = new Map<number, [number, number]>();
    // 300 commits of 50 traces each into one segment, keys spread and repeated across commits.
    for (let commit = 0; commit < 300; commit += 1) {
      const triples: [number, number, number][] = [];
      for (let t = 0; t < 50; t += 1) {
        const key = ((commit * 50 + t) * 2_654_435_761) % 20_011;
        const start = 1_700_000_000 + commit;
        triples.push([key, start, start + (t % 3)]);
        const seen = expected.get(key);
        expected.set(key, seen === undefined ? [start, start + (t % 3)] : [Math.min(seen[0], start), Math.max(seen[1], start + (t % 3))]);
      }
      locator.add(1, rows(...triples));
    }
    assert.equal(locator.rows, 15_000);
    for (const [key, [min, max]] of expected) {
      assert.deepEqual(locator.locate(idWithKey(key)), [{ segmentId: 1, minTsNs: BigInt(min) * S, maxTsNs: BigInt(max) * S + S - 1n }]);
    }
    assert.deepEqual(locator.locate(idWithKey(20_011)), []);
  });

  it('finds every row of a segment whose chunks grew past the merge bound (left unmerged) and of chunks larger than it', () => {
    const locator = new TraceLocator(1_000_000);
    // Five commits of 40 000 traces: no two merge (80 000 rows is over the bound), so five chunks.
    for (let commit = 0; commit < 5; commit += 1) {
      const triples: [number, number, number][] = [];
      for (let t = 0; t < 40_000; t += 1) triples.push([(commit * 40_000 + t) * 7, 1_000 + commit, 1_000 + commit]);
      locator.add(2, rows(...triples));
    }
    assert.equal(locator.rows, 200_000);
    for (const n of [0, 39_999, 40_000, 123_457, 199_999]) {
      const commit = Math.floor(n / 40_000);
      assert.deepEqual(locator.locate(idWithKey(n * 7)), [{ segmentId: 2, minTsNs: BigInt(1_000 + commit) * S, maxTsNs: BigInt(1_000 + commit) * S + S - 1n }]);
    }
    assert.deepEqual(locator.locate(idWithKey(200_000 * 7)), []);
  });

  it('holds times far apart and before 1970 exactly (the arrays widen to fit)', () => {
    const locator = new TraceLocator(100);
    // Within 65 535 s of each other, beyond 2^32 s, and before 1970: each as given.
    locator.add(1, rows([1, 1_000, 66_000], [2, 0, 10]));
    locator.add(2, rows([1, 0, 5_000_000_000], [2, 4_000_000_000, 4_000_000_001]));
    locator.add(3, rows([1, -2, -1]));
    assert.deepEqual(locator.locate(idWithKey(1)), [
      { segmentId: 1, minTsNs: 1_000n * S, maxTsNs: 66_000n * S + S - 1n },
      { segmentId: 2, minTsNs: 0n, maxTsNs: 5_000_000_000n * S + S - 1n },
      { segmentId: 3, minTsNs: -2n * S, maxTsNs: -1n * S + S - 1n },
    ]);
    assert.deepEqual(locator.locate(idWithKey(2)), [
      { segmentId: 1, minTsNs: 0n, maxTsNs: 10n * S + S - 1n },
      { segmentId: 2, minTsNs: 4_000_000_000n * S, maxTsNs: 4_000_000_001n * S + S - 1n },
    ]);
  });

  it('forgets dropped segments, and turns itself off (until the next load) rather than grow past its bound', () => {
    const locator = new TraceLocator(4);
    locator.add(1, rows([1, 10, 10], [2, 10, 10]));
    locator.add(2, rows([1, 20, 20]));
    locator.drop([1]);
    assert.equal(locator.rows, 1);
    assert.deepEqual(locator.locate(idWithKey(1)), [{ segmentId: 2, minTsNs: 20n * S, maxTsNs: 20n * S + S - 1n }]);
    locator.add(3, rows([3, 1, 1], [4, 1, 1], [5, 1, 1]));
    assert.equal(locator.enabled, true);
    locator.add(3, rows([6, 1, 1]));
    assert.equal(locator.enabled, false);
    assert.equal(locator.rows, 0);
    locator.reset(false);
    assert.equal(locator.enabled, true);
    locator.add(1, rows([1, 10, 10]));
    locator.invalidate();
    assert.equal(locator.enabled, false);
    // A load: not used until every row is in.
    locator.beginLoad(false);
    locator.add(1, rows([1, 10, 10]));
    assert.equal(locator.enabled, false);
    locator.loaded();
    assert.equal(locator.enabled, true);
    assert.equal(locator.rows, 1);
  });

  it('takes a load\'s rows in key order into arrays sized up front, and refuses a row it was not counted for', () => {
    const builder = new SortedChunkBuilder(3, 1_000, 70_000);
    assert.equal(builder.fits(4, 1_000, 1_001), true);
    builder.push(4, 1_000, 1_001);
    assert.equal(builder.fits(3, 1_000, 1_000), false, 'a key below the last');
    assert.equal(builder.fits(4, 999, 1_000), false, 'a start before the base');
    assert.equal(builder.fits(4, 1_000, 71_001), false, 'a length over the widest counted');
    builder.push(4, 71_000, 71_000);
    builder.push(9, 1_500, 1_600);
    assert.equal(builder.full, true);
    assert.equal(builder.fits(10, 1_000, 1_000), false, 'a row more than counted');
    const locator = new TraceLocator(10);
    locator.add(5, builder.finish());
    assert.deepEqual(locator.locate(idWithKey(4)), [{ segmentId: 5, minTsNs: 1_000n * S, maxTsNs: 71_000n * S + S - 1n }]);
    assert.deepEqual(locator.locate(idWithKey(9)), [{ segmentId: 5, minTsNs: 1_500n * S, maxTsNs: 1_600n * S + S - 1n }]);
    assert.equal(locator.bytes, 3 * (4 + 4 + 4));
  });

  it('turns a commit\'s traces into whole seconds, floored before 1970 too', async () => {
    assert.deepEqual([0n, 999_999_999n, S, -1n, -S, -S - 1n].map(floorSeconds), [0, 0, 1, -1, -1, -2]);
    const id = 0x0123456789abcdef_fedcba9876543210n;
    const commit = await locatorChunkOfTraces(new Map([[id, { minTsNs: 1_764_000_000_500_000_000n, maxTsNs: 1_764_000_002_000_000_000n }]]));
    assert.deepEqual(Array.from(commit.keys), [Number(traceKey32Of(id))]);
    assert.deepEqual([commit.baseS, Array.from(commit.starts), Array.from(commit.lengths)], [1_764_000_000, [0], [2]]);
    // Built as the writer builds it before its COMMIT, in slices: 20 000 traces, keys descending.
    const many = new Map(Array.from({ length: 20_000 }, (_, i) => [BigInt(20_000 - i), { minTsNs: BigInt(i) * S, maxTsNs: BigInt(i) * S + 1n }] as const));
    const locator = new TraceLocator(100_000);
    locator.add(4, await locatorChunkOfTraces(many));
    assert.equal(locator.rows, 20_000);
    assert.deepEqual(locator.locate(idWithKey(1)), [{ segmentId: 4, minTsNs: 19_999n * S, maxTsNs: 19_999n * S + S - 1n }]);
    assert.deepEqual(locator.locate(idWithKey(20_000)), [{ segmentId: 4, minTsNs: 0n, maxTsNs: S - 1n }]);
  });
});

/** A trace's locations as the index tables have them, in whole seconds as the locator keeps them (registered segments only). */
async function tableLocations(store: DuckDbSpanStore, traceId: bigint): Promise<TraceLocation[]> {
  const result = await store.runSql(
    `SELECT segment_id, min_ts_ns, max_ts_ns FROM (${traceIndexRowsSql(true)}) WHERE segment_id IN (SELECT id FROM waggle_segments)`,
    [
      { type: 'varchar', value: traceId.toString() },
      { type: 'varchar', value: traceKeyOf(traceId).toString() },
      { type: 'bigint', value: traceKey32Of(traceId) },
    ],
    { timeoutMs: 10_000 },
  );
  const values = result.rows.map((row) => row.map((value) => (typeof value === 'number' || typeof value === 'bigint' ? value : null)));
  return traceLocations(values).map(({ segmentId, minTsNs, maxTsNs }) => ({
    segmentId,
    minTsNs: BigInt(floorSeconds(minTsNs)) * S,
    maxTsNs: BigInt(floorSeconds(maxTsNs)) * S + S - 1n,
  }));
}

describe('the trace index in memory against the index tables', () => {
  it('holds exactly what the tables hold through commits, compactions, merges, retention and a reopen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-locator-'));
    const clock = { now: LIFECYCLE_BASE_NS };
    let store = await openLifecycleStore(dir, clock, { retentionNs: 10n * HOUR_NS });
    const batches: number[] = [];
    const check = async (step: string): Promise<void> => {
      assert.equal(store.traceLocator.enabled, true, step);
      let rows = 0;
      for (const batch of batches) {
        for (let t = 0; t < TRACES_PER_BATCH; t += 1) {
          const id = batchTraceId(batch, t);
          const inTables = await tableLocations(store, id);
          assert.deepEqual(store.traceLocator.locate(id), inTables, `${step}: batch ${batch} trace ${t}`);
          rows += inTables.length;
        }
      }
      assert.equal(store.traceLocator.rows, rows, `${step}: rows`);
    };
    try {
      // Batches three hours apart (each compacted alone), the last ones left in the open segment.
      for (let batch = 1; batch <= 5; batch += 1) {
        clock.now = LIFECYCLE_BASE_NS + BigInt(batch - 1) * 3n * HOUR_NS;
        store.enqueue(lifecycleBatch(batch, clock.now), BigInt(batch));
        await store.flush();
        batches.push(batch);
        await check(`after commit ${batch}`);
        if (batch <= 4) {
          await store.sealOpenSegment();
          assert.equal(await store.compactAll(), 1);
          await check(`after compaction ${batch}`);
        }
      }
      // Retention takes the first batch's segment (0 h) at 12 h + 1 min.
      clock.now = LIFECYCLE_BASE_NS + 12n * HOUR_NS + 60_000_000_000n;
      await store.runLifecycle();
      assert.equal(store.lifecycleStats().retention.segments, 1);
      batches.shift();
      await check('after retention');
      assert.deepEqual(await store.getTrace(batchTraceId(1, 0)), []);
      await store.close();
      store = await openLifecycleStore(dir, clock, { retentionNs: 10n * HOUR_NS });
      await check('after a reopen');
      for (const batch of batches) assert.equal((await store.getTrace(batchTraceId(batch, 2))).length, SPANS_PER_TRACE);
    } finally {
      await store.close();
    }
  });

  it('is off past its bound, and lookups read the tables: the same spans either way', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-locator-bound-'));
    const clock = { now: LIFECYCLE_BASE_NS };
    let store = await openLifecycleStore(dir, clock, { traceLocatorMaxRows: TRACES_PER_BATCH });
    try {
      store.enqueue(lifecycleBatch(1, clock.now), 1n);
      await store.flush();
      assert.equal(store.traceLocator.enabled, true);
      store.enqueue(lifecycleBatch(2, clock.now + 1n), 2n);
      await store.flush();
      assert.equal(store.traceLocator.enabled, false);
      for (const batch of [1, 2]) assert.deepEqual((await store.getTrace(batchTraceId(batch, 3))).map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
      await store.close();
      // Opened with room for both batches, it reads them into memory again.
      store = await openLifecycleStore(dir, clock, { traceLocatorMaxRows: 2 * TRACES_PER_BATCH });
      assert.equal(store.traceLocator.enabled, true);
      assert.equal(store.traceLocator.rows, 2 * TRACES_PER_BATCH);
      for (const batch of [1, 2]) assert.deepEqual((await store.getTrace(batchTraceId(batch, 3))).map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
    } finally {
      await store.close();
    }
  });
});
