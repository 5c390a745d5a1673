import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { LIFECYCLE_BASE_NS } from './duckdb-lifecycle-fixture.js';
import { INTERNAL_DDL } from './duckdb-physical-layout.js';

const ROWS = 40_000;
/** One span in this many carries `rare.flag`: its column is mostly NULL. */
const RARE_EVERY = 97;

/** Spans of 4-span traces, 1 ms apart; `offset` shifts their ids and times. */
function spans(offset: number, count: number): EventRecord[] {
  const events: EventRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = offset + i;
    const attributes: Array<[string, 'integer' | 'string', number | string]> = [['http.route', 'string', `/route/${n % 13}`]];
    if (n % RARE_EVERY === 0) attributes.push(['rare.flag', 'integer', n]);
    events.push(
      eventRecord({
        dataset: 'formats',
        timestampNs: LIFECYCLE_BASE_NS + BigInt(n) * 1_000_000n,
        traceId: 0x5e0000000000000000000000000000n + BigInt(Math.floor(n / 4)),
        spanId: BigInt(n + 1),
        name: `op-${n % 5}`,
        attributes: [attributeLayer(attributes)],
      }),
    );
  }
  return events;
}

async function sql(store: DuckDbSpanStore, text: string): Promise<unknown[][]> {
  return (await store.runSql(text, [], { timeoutMs: 10_000 })).rows;
}

/** The storage format DuckDB reports for the store's file. */
async function storageVersion(store: DuckDbSpanStore): Promise<unknown[][]> {
  return sql(store, "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()");
}

/** The compressions of `rare.flag`'s validity in the largest segment table (the compacted one). */
async function rareValidityCompressions(store: DuckDbSpanStore): Promise<unknown[][]> {
  const [column] = await sql(store, "SELECT id FROM waggle_columns WHERE key_name = 'rare.flag'");
  const [table] = await sql(store, "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'seg_%' ORDER BY estimated_size DESC LIMIT 1");
  return sql(store, `SELECT DISTINCT compression FROM pragma_storage_info('${String(table?.[0])}') WHERE column_name = 'c${Number(column?.[0])}' AND segment_type = 'VALIDITY' ORDER BY 1`);
}

async function compactedStore(dir: string): Promise<DuckDbSpanStore> {
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
  store.enqueue(spans(0, ROWS / 2), 1n);
  await store.flush();
  await store.sealOpenSegment();
  store.enqueue(spans(ROWS / 2, ROWS / 2), 2n);
  await store.flush();
  await store.sealOpenSegment();
  assert.equal(await store.compactAll(), 1);
  await sql(store, 'CHECKPOINT');
  return store;
}

describe('the DuckDB storage format', () => {
  it('writes a new data file as v1.2.0, whose roaring bitmaps hold the validity of a column few spans carry', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-format-'));
    const store = await compactedStore(dir);
    try {
      assert.deepEqual(await storageVersion(store), [['v1.2.0+']]);
      // 413 of 40 000 rows valid: stored as the positions of the valid rows, not a bitmap a row.
      assert.deepEqual(await rareValidityCompressions(store), [['Roaring']]);
      assert.deepEqual(await sql(store, `SELECT count(*) FROM ${store.relation({ kind: 'one', name: 'formats' }, ['ts_ns'], { startNs: 0n, endNs: 2n ** 62n })}`), [[BigInt(ROWS)]]);
      const trace = await store.getTrace(0x5e0000000000000000000000000000n + 97n);
      assert.deepEqual(trace.map((e) => e['rare.flag'] ?? null), [388, null, null, null]);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a data file written in DuckDB’s default format (v1.0.0, as Waggle wrote them before), keeps its rows and writes on in v1.2.0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-format-'));
    try {
      // A data file as the previous version made it: the store's tables in DuckDB's default format.
      const instance = await DuckDBInstance.create(':memory:');
      const raw = await instance.connect();
      await raw.run(`ATTACH '${path.join(dir, 'waggle.duckdb')}' AS old (ROW_GROUP_SIZE ${DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize})`);
      await raw.run('USE old');
      for (const ddl of INTERNAL_DDL) await raw.run(ddl);
      const before = await raw.runAndReadAll("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'old'");
      assert.deepEqual(before.getRows(), [['v1.0.0+']]);
      raw.closeSync();
      instance.closeSync();

      let store = await compactedStore(dir);
      try {
        assert.deepEqual(await storageVersion(store), [['v1.2.0+']]);
        assert.deepEqual(await rareValidityCompressions(store), [['Roaring']]);
      } finally {
        await store.close();
      }
      store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, log: () => undefined });
      try {
        assert.deepEqual(await storageVersion(store), [['v1.2.0+']]);
        assert.deepEqual(await sql(store, `SELECT count(*), count(DISTINCT trace_id) FROM ${store.relation({ kind: 'all' }, ['trace_id'], { startNs: 0n, endNs: 2n ** 62n })}`), [[BigInt(ROWS), BigInt(ROWS / 4)]]);
        assert.deepEqual((await store.getTrace(0x5e0000000000000000000000000000n + 9_999n)).map((e) => e['http.route']), ['/route/8', '/route/9', '/route/10', '/route/11']);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
