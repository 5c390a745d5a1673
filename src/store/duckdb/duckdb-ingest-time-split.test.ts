import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { CORE_ROLES, INGEST_REMAINDER_COLUMN, INGEST_SECONDS_COLUMN, JOINED_INGEST_TIME_SQL, splitIngestTimeSql } from './duckdb-physical-layout.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const MS_NS = 1_000_000n;
/** Receive times with every kind of remainder: none, 1 ms, 999 ms. */
const RECEIVED_NS = [BASE_NS + 5_000n * MS_NS, BASE_NS + 5_001n * MS_NS, BASE_NS + 7_999n * MS_NS];

async function ingestTimes(store: DuckDbSpanStore): Promise<unknown[][]> {
  const physical = CORE_ROLES.ingestTime.sql;
  const relation = store.relation({ kind: 'all' }, [physical, 'ts_ns'], { startNs: 0n, endNs: 2n ** 62n });
  return (await store.runSql(`SELECT ${physical} FROM ${relation} AS r ORDER BY ts_ns`, [], { timeoutMs: 10_000 })).rows;
}

/** The receive-time columns of the registered segments' tables (retired ones are dropped later). */
async function tableColumns(store: DuckDbSpanStore): Promise<string[]> {
  const rows = await store.runSql(
    "SELECT DISTINCT column_name FROM duckdb_columns() WHERE table_name IN (SELECT 'seg_' || id FROM waggle_segments) AND column_name LIKE 'ingest%' ORDER BY 1",
    [],
    { timeoutMs: 10_000 },
  );
  return rows.rows.map(([name]) => String(name));
}

describe('the receive time of compacted segments (seconds and a millisecond remainder)', () => {
  it('splits and joins back every millisecond value exactly, negative ones and NULL too', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const values = [0n, 1n, 999n, 1000n, 1001n, -1n, -999n, -1000n, -1001n, 1_763_770_012_345n, -(2n ** 62n) + 7n, 2n ** 62n - 3n];
      const [seconds, remainder] = splitIngestTimeSql('ms');
      const rows = await connection.runAndReadAll(
        `SELECT ms, ${JOINED_INGEST_TIME_SQL} FROM (SELECT ms, ${seconds} AS ${INGEST_SECONDS_COLUMN}, ${remainder} AS ${INGEST_REMAINDER_COLUMN} FROM (SELECT unnest([${values.join(', ')}, NULL]::BIGINT[]) AS ms))`,
      );
      assert.deepEqual(
        rows.getRows(),
        [...values, null].map((v) => [v, v]),
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('reads the same milliseconds before and after compaction, after a second compaction and after a reopen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ingest-split-'));
    const clock = { now: BASE_NS + 10_000n * MS_NS };
    const open = (): Promise<DuckDbSpanStore> =>
      DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, clock: () => clock.now, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
    const expected = RECEIVED_NS.map((ns) => [ns / MS_NS]);
    let store = await open();
    try {
      RECEIVED_NS.forEach((received, n) => store.enqueue([eventRecord({ timestampNs: BASE_NS + BigInt(n), traceId: 0x5b17n, spanId: BigInt(n + 1) })], BigInt(n + 1), received));
      await store.flush();
      assert.deepEqual(await ingestTimes(store), expected);
      assert.deepEqual(await tableColumns(store), ['ingest_ms']);
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
      assert.deepEqual(await tableColumns(store), [INGEST_REMAINDER_COLUMN, INGEST_SECONDS_COLUMN]);
      assert.deepEqual(await ingestTimes(store), expected);
      // A later segment, compacted together with the (narrow) compacted one: split columns read back whole.
      store.enqueue([eventRecord({ timestampNs: BASE_NS + 10n, traceId: 0x5b17n, spanId: 9n })], 9n, BASE_NS + 9_123n * MS_NS);
      await store.flush();
      await store.sealOpenSegment();
      await store.compactAll();
      assert.deepEqual((await store.runSql('SELECT count(*) FROM waggle_segments', [], { timeoutMs: 10_000 })).rows, [[1n]]);
      assert.deepEqual(await ingestTimes(store), [...expected, [BASE_NS / MS_NS + 9_123n]]);
      await store.close();
      store = await open();
      assert.deepEqual(await ingestTimes(store), [...expected, [BASE_NS / MS_NS + 9_123n]]);
      // The trace shows no receive time, split or not.
      assert.deepEqual((await store.getTrace(0x5b17n)).map((e) => Object.keys(e).filter((k) => /ingest/i.test(k))), [[], [], [], []]);
    } finally {
      await store.close();
    }
  });
});
