import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { storedSegmentRows } from '../../../test/support/duckdb-stored-rows.js';
import { WIDE_TEST_ROW_GROUP as ROW_GROUP, inMemoryTableBytes, wideEvents as events } from './duckdb-wide-fixture.js';

/** Per registered segment, by id order: whether DuckDB has written its rows to the file (none left in memory). */
async function segmentsWritten(store: DuckDbSpanStore): Promise<boolean[]> {
  const ids = await store.runSql('SELECT id FROM waggle_segments ORDER BY id', [], { timeoutMs: 10_000 });
  const written: boolean[] = [];
  for (const [id] of ids.rows) {
    const result = await store.runSql(`SELECT bool_and(persistent) FROM pragma_storage_info('seg_${Number(id)}')`, [], { timeoutMs: 10_000 });
    written.push(result.rows[0]?.[0] === true);
  }
  return written;
}

/** Rows of each registered segment, by id order. */
async function segmentRows(store: DuckDbSpanStore): Promise<number[]> {
  const result = await store.runSql('SELECT row_count FROM waggle_segments ORDER BY id', [], { timeoutMs: 10_000 });
  return result.rows.map(([rows]) => Number(rows));
}

/** Runs `fill` on a store of its own (row groups of `rowGroupSize`), closes it, and answers what its file holds. */
async function storedAfter(fill: (store: DuckDbSpanStore) => Promise<void>, rowGroupSize = ROW_GROUP): Promise<{ rows: number; distinct: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-wide-write-'));
  try {
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, rowGroupSize, lifecycleIntervalMs: 0 });
    try {
      await fill(store);
    } finally {
      await store.close();
    }
    return await storedSegmentRows(dataDir);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('a wide DuckDB segment sealed with rows DuckDB has not written yet', () => {
  it('is written out (checkpointed) at once, so sealed wide segments do not pile up in memory for one large checkpoint', async () => {
    let held = -1;
    let written: boolean[] = [];
    const stored = await storedAfter(async (store) => {
      // 500 rows x 300 keys: a partial row group of 316 columns, in memory until a checkpoint.
      store.enqueue(events(0, 500, 'first', 300), 1n);
      await store.flush();
      // 300 more keys do not fit (400 columns a segment): a new segment, and the first is sealed,
      // costing ~85 MB to write (316 columns x 256 KiB + its cells), over the 64 MiB bound.
      store.enqueue(events(500, 1, 'second', 300), 2n);
      await store.flush();
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 1, compacted: 0 });
      held = await inMemoryTableBytes(store);
      written = await segmentsWritten(store);
    });
    // The checkpoint wrote both segments' rows; main held both in memory here (22 351 872 bytes).
    assert.deepEqual(written, [true, true]);
    assert.equal(held, 0);
    assert.deepEqual(stored, { rows: 501, distinct: 501 });
  });

  it('is left to DuckDB when it is narrow (an ordinary segment sealed with a partial row group)', async () => {
    let written: boolean[] = [];
    await storedAfter(async (store) => {
      store.enqueue(events(0, 500, 'narrow', 20), 1n);
      await store.flush();
      await store.sealOpenSegment();
      store.enqueue(events(500, 1, 'narrow', 20), 2n);
      await store.flush();
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 1, compacted: 0 });
      written = await segmentsWritten(store);
    });
    // As on main: 501 rows x 36 columns are far under the bound; DuckDB checkpoints them in its time.
    assert.deepEqual(written, [false, false]);
  });
});

describe('narrow rows queued ahead of wide ones', () => {
  it('are committed apart, so the wide rows do not make a wide table of every queued row', async () => {
    let rows: number[] = [];
    const stored = await storedAfter(async (store) => {
      // One flush: 20 000 rows of 2 keys, then one of 300 keys. Together 20 001 rows x 318
      // columns (6.4 Mi cells, 101 MB of DuckDB's memory); the commit stops before the wide row.
      store.enqueue(events(0, 20_000, 'narrow', 2), 1n);
      store.enqueue(events(20_000, 1, 'wide', 300), 2n);
      await store.flush();
      rows = await segmentRows(store);
    }, DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize);
    // Main: one segment of 20 001 rows and 302 attribute columns.
    assert.deepEqual(rows, [20_000, 1]);
    assert.deepEqual(stored, { rows: 20_001, distinct: 20_001 });
  });

  it('after a wide row are committed in pieces of at most the bound of cells, and the rest go to a narrow segment', async () => {
    let rows: number[] = [];
    const stored = await storedAfter(async (store) => {
      // One flush: one row of 300 keys, then 40 000 rows of 2 keys. A whole row group of them
      // would be 32 768 rows x 318 columns (10.4 Mi cells); 4 Mi cells are 13 189 rows of 318.
      store.enqueue(events(0, 1, 'wide', 300), 1n);
      store.enqueue(events(1, 40_000, 'narrow', 2), 2n);
      await store.flush();
      rows = await segmentRows(store);
    }, DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize);
    // 27b6cc5 (the bound counted new keys only): one segment of 40 001 rows x 302 attribute columns.
    assert.deepEqual(rows, [13_189, 26_812]);
    assert.deepEqual(stored, { rows: 40_001, distinct: 40_001 });
  });

  it('still go together with rows that add a few columns (ordinary traffic)', async () => {
    let rows: number[] = [];
    await storedAfter(async (store) => {
      store.enqueue(events(0, 20_000, 'narrow', 2), 1n);
      store.enqueue(events(20_000, 1, 'wider', 40), 2n);
      await store.flush();
      rows = await segmentRows(store);
    }, DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize);
    assert.deepEqual(rows, [20_001]);
  });
});

describe('compaction of a sealed segment shorter than a row group', () => {
  it('leaves a wide one as its commits wrote it, and still compacts the narrow ones', async () => {
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 1000, 'narrow', 2), 1n);
      await store.flush();
      await store.sealOpenSegment();
      // 1 000 rows x 300 keys (the hostile mix's wide requests: 1 085-1 435 rows x 400 columns).
      store.enqueue(events(1000, 1000, 'wide', 300), 2n);
      await store.flush();
      await store.sealOpenSegment();
      store.enqueue(events(2000, 1000, 'narrow', 2), 3n);
      await store.flush();
      await store.sealOpenSegment();
      // Main compacted all three (3); the wide one stays sealed, its rows and trace index as they were.
      assert.equal(await store.compactAll(), 2);
      assert.deepEqual(store.lifecycleStats().segments, { open: 0, sealed: 1, compacted: 2 });
      assert.equal(store.lifecycleStats().compactionPending, false);
      const wideTrace = await store.getTrace(1601n);
      // Its event 600 (trace 1601): wide_0 = v${1600 % 7}.
      assert.deepEqual(wideTrace.map((event) => event['wide_0']), ['v4']);
    });
    assert.deepEqual(stored, { rows: 3000, distinct: 3000 });
  });
});
