import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_LIMITS } from '../../core/limits/store-limits.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { storedSegmentRows } from '../../../test/support/duckdb-stored-rows.js';
import { WIDE_TEST_ROW_GROUP as ROW_GROUP, inMemoryTableBytes, wideEvents as events } from './duckdb-wide-fixture.js';

/** Runs `fill` on a store of its own, closes it, and answers what its file holds. */
async function storedAfter(fill: (store: DuckDbSpanStore) => Promise<void>): Promise<{ rows: number; distinct: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-wide-memory-'));
  try {
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, rowGroupSize: ROW_GROUP, lifecycleIntervalMs: 0 });
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

describe('new attribute keys arriving at a DuckDB segment that already holds rows', () => {
  it('start a new segment when adding their columns to every row group would cost more than the bound', async () => {
    const stored = await storedAfter(async (store) => {
      // 4 row groups: 150 new columns would take 150 x 4 x 512 KiB = 300 MB of DuckDB's memory.
      store.enqueue(events(0, 4 * ROW_GROUP, 'narrow', 2), 1n);
      await store.flush();
      store.enqueue(events(4 * ROW_GROUP, 1, 'wide', 150), 2n);
      await store.flush();
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 1, compacted: 0 });
      const held = await inMemoryTableBytes(store);
      assert.ok(held < STORE_LIMITS.widenedColumnBytes.value, `DuckDB holds ${held} bytes of table data in memory`);
    });
    assert.deepEqual(stored, { rows: 4 * ROW_GROUP + 1, distinct: 4 * ROW_GROUP + 1 });
  });

  it('are added to the segment while cheap, and a checkpoint gives their memory back once they add up to the bound', async () => {
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 100, 'base', 2), 1n);
      await store.flush();
      // One row group: 100 new columns take ~50 MB each time, under the bound; twice, over it.
      store.enqueue(events(100, 1, 'first', 100), 2n);
      await store.flush();
      store.enqueue(events(101, 1, 'second', 100), 3n);
      await store.flush();
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 0, compacted: 0 });
      const held = await inMemoryTableBytes(store);
      assert.ok(held < STORE_LIMITS.widenedColumnBytes.value, `DuckDB holds ${held} bytes of table data in memory`);
    });
    assert.deepEqual(stored, { rows: 102, distinct: 102 });
  });
});

describe('many narrow rows arriving at a DuckDB segment that a few wide rows made wide', () => {
  it('start a new segment rather than filling every row group with the wide columns, empty', async () => {
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 10, 'wide', 200), 1n);
      await store.flush();
      // 2 row groups of rows with 2 keys: 198 empty columns each, 2 x 198 x 512 KiB = 198 MB.
      store.enqueue(events(10, 2 * ROW_GROUP, 'narrow', 2), 2n);
      await store.flush();
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 1, compacted: 0 });
      const held = await inMemoryTableBytes(store);
      assert.ok(held < STORE_LIMITS.widenedColumnBytes.value, `DuckDB holds ${held} bytes of table data in memory`);
    });
    assert.deepEqual(stored, { rows: 10 + 2 * ROW_GROUP, distinct: 10 + 2 * ROW_GROUP });
  });

  it('start a new segment when commits each under the bound add up to it (the hostile mix: 45 832 rows x 347 columns)', async () => {
    let held = -1;
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 10, 'wide', 200), 1n);
      await store.flush();
      // 8 commits of 512 rows with 2 keys: each leaves 198 x 512 x 256 bytes = 26 MB of empty
      // columns (under the bound), all together 208 MB (2 row groups of 200 columns).
      for (let c = 0; c < 8; c++) {
        store.enqueue(events(10 + c * 512, 512, 'narrow', 2), BigInt(2 + c));
        await store.flush();
      }
      // Main held 242 786 304 bytes here (one segment, 2 row groups of 200 columns); sealing the wide
      // segment checkpoints it, so what stays is the narrow segment's rows.
      held = await inMemoryTableBytes(store);
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 1, compacted: 0 });
    });
    assert.ok(held < STORE_LIMITS.widenedColumnBytes.value, `DuckDB holds ${held} bytes of table data in memory`);
    assert.deepEqual(stored, { rows: 10 + 8 * 512, distinct: 10 + 8 * 512 });
  });

  it('give the memory of the segment they sealed back at once (a checkpoint)', async () => {
    let held = -1;
    await storedAfter(async (store) => {
      store.enqueue(events(0, 10, 'wide', 200), 1n);
      await store.flush();
      // The third commit of 512 narrow rows would take the wide segment's empty columns over the bound.
      for (let c = 0; c < 3; c++) {
        store.enqueue(events(10 + c * 512, 512, 'narrow', 2), BigInt(2 + c));
        await store.flush();
      }
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 1, compacted: 0 });
      held = await inMemoryTableBytes(store);
    });
    assert.equal(held, 0);
  });

  it('still go into the segment when few of its columns stay empty (ordinary mixed traffic)', async () => {
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 10, 'mixed', 40), 1n);
      await store.flush();
      store.enqueue(events(10, 2 * ROW_GROUP, 'mixed', 10), 2n);
      await store.flush();
      assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 0, compacted: 0 });
    });
    assert.deepEqual(stored, { rows: 10 + 2 * ROW_GROUP, distinct: 10 + 2 * ROW_GROUP });
  });
});

describe('compaction of sealed segments of very different widths', () => {
  it('does not merge many narrow rows with a few wide ones (the copy would sort every row at the full width)', async () => {
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 2000, 'narrow', 2), 1n);
      await store.flush();
      await store.sealOpenSegment();
      // 200 keys: a short segment of over store.uncompactedWideSegmentColumns would not be compacted at all.
      store.enqueue(events(2000, 10, 'wide', 200), 2n);
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 2);
      assert.deepEqual(store.lifecycleStats().segments, { open: 0, sealed: 0, compacted: 2 });
    });
    assert.deepEqual(stored, { rows: 2010, distinct: 2010 });
  });

  it('still merges segments of disjoint keys and like sizes (ever-widening data)', async () => {
    const stored = await storedAfter(async (store) => {
      store.enqueue(events(0, 500, 'first', 150), 1n);
      await store.flush();
      await store.sealOpenSegment();
      store.enqueue(events(500, 500, 'second', 150), 2n);
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
      assert.deepEqual(store.lifecycleStats().segments, { open: 0, sealed: 0, compacted: 1 });
    });
    assert.deepEqual(stored, { rows: 1000, distinct: 1000 });
  });
});
