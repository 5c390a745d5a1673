import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { HOUR_NS, LIFECYCLE_BASE_NS, SPANS_PER_TRACE, TRACES_PER_BATCH, batchTraceId, lifecycleBatch } from './duckdb-lifecycle-fixture.js';
import { LEGACY_TRACE_MERGED_TABLE, TRACE_MERGED_TABLE, floorSecondsSql, traceKeySql } from './duckdb-physical-layout.js';

async function scalar(store: DuckDbSpanStore, sql: string): Promise<number> {
  return Number((await store.runSql(sql, [], { timeoutMs: 10_000 })).rows[0]?.[0]);
}

describe('a data directory whose merged trace index has 64-bit keys (from before the 32-bit ones)', () => {
  it('finds its traces through the old table, then folds it into the new one at the next merge', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-index-upgrade-'));
    const clock = { now: LIFECYCLE_BASE_NS };
    const open = (): Promise<DuckDbSpanStore> =>
      DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, clock: () => clock.now, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
    const write = async (store: DuckDbSpanStore, batch: number): Promise<void> => {
      clock.now = LIFECYCLE_BASE_NS + BigInt(batch) * 3n * HOUR_NS;
      store.enqueue(lifecycleBatch(batch, clock.now), BigInt(batch));
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
    };
    let store = await open();
    await write(store, 1);
    await store.close();
    // The previous version's layout: the compacted segment's rows in the merged table by 64-bit key, no 32-bit table.
    const instance = await DuckDBInstance.create(path.join(dir, 'waggle.duckdb'));
    const raw = await instance.connect();
    const [segment] = (await raw.runAndReadAll('SELECT id FROM waggle_segments')).getRows()[0] ?? [];
    await raw.run(`DROP TABLE ${TRACE_MERGED_TABLE}`);
    const minS = floorSecondsSql('min(ts_ns)');
    await raw.run(
      `INSERT INTO ${LEGACY_TRACE_MERGED_TABLE} SELECT ${traceKeySql('trace_id')} AS k, ${String(segment)}, ${minS}, ${floorSecondsSql('max(ts_ns + duration_ns)')} - ${minS} FROM seg_${String(segment)} GROUP BY k ORDER BY k`,
    );
    raw.closeSync();
    instance.closeSync();

    store = await open();
    try {
      assert.equal(await scalar(store, `SELECT count(*) FROM ${LEGACY_TRACE_MERGED_TABLE}`), TRACES_PER_BATCH);
      assert.equal(await scalar(store, `SELECT count(*) FROM ${TRACE_MERGED_TABLE}`), 0);
      for (let t = 0; t < TRACES_PER_BATCH; t++) assert.equal((await store.getTrace(batchTraceId(1, t))).length, SPANS_PER_TRACE);
      // A second compacted segment and its merge: the old rows are folded in, the old table left empty.
      await write(store, 2);
      assert.equal(await scalar(store, `SELECT count(*) FROM ${LEGACY_TRACE_MERGED_TABLE}`), 0);
      assert.equal(await scalar(store, `SELECT count(*) FROM ${TRACE_MERGED_TABLE}`), 2 * TRACES_PER_BATCH);
      for (const batch of [1, 2]) {
        for (let t = 0; t < TRACES_PER_BATCH; t++) assert.deepEqual((await store.getTrace(batchTraceId(batch, t))).map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
      }
    } finally {
      await store.close();
    }
  });
});
