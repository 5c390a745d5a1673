import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';

const BASE_NS = 1_763_770_000_000_000_000n;

/** The keyed definitions the internal tables had before run AJ (columns added since included). */
const KEYED_DDL: Record<string, string> = {
  waggle_columns: 'id INTEGER PRIMARY KEY, key_name VARCHAR NOT NULL UNIQUE, type VARCHAR NOT NULL, created_ns BIGINT NOT NULL',
  waggle_datasets: 'name VARCHAR PRIMARY KEY, created_ns BIGINT NOT NULL, last_written_ns BIGINT NOT NULL, display_name VARCHAR',
  waggle_dataset_columns: 'dataset VARCHAR NOT NULL, column_id INTEGER NOT NULL, created_ns BIGINT NOT NULL, last_written_ns BIGINT NOT NULL, PRIMARY KEY (dataset, column_id)',
  waggle_segments: 'id INTEGER PRIMARY KEY, row_count BIGINT NOT NULL, min_ts_ns BIGINT, max_ts_ns BIGINT, sealed BOOLEAN NOT NULL, compacted BOOLEAN DEFAULT false, datasets_json VARCHAR, max_sample_rate UBIGINT',
  waggle_state: 'id INTEGER PRIMARY KEY, wal_position BIGINT NOT NULL, partial_events BIGINT DEFAULT 0, partial_total BIGINT DEFAULT 0',
};
const TABLES = Object.keys(KEYED_DDL);
const ORDER: Record<string, string> = {
  waggle_columns: 'id',
  waggle_datasets: 'name',
  waggle_dataset_columns: 'dataset, column_id',
  waggle_segments: 'id',
  waggle_state: 'id',
};

function span(dataset: string, n: number, key: string): ReturnType<typeof eventRecord> {
  return eventRecord({ dataset, serviceName: 'svc', timestampNs: BASE_NS + BigInt(n) * 1_000_000n, traceId: 0x7700n + BigInt(n), spanId: BigInt(n + 1), attributes: [attributeLayer([[key, 'integer', n]])] });
}

async function sql(store: DuckDbSpanStore, text: string): Promise<unknown[][]> {
  return (await store.runSql(text, [], { timeoutMs: 10_000 })).rows;
}

async function keyedInternalTables(store: DuckDbSpanStore): Promise<unknown[][]> {
  return sql(
    store,
    `SELECT DISTINCT table_name FROM duckdb_constraints() WHERE database_name = current_database() AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND table_name IN (${TABLES.map((t) => `'${t}'`).join(', ')}) ORDER BY 1`,
  );
}

async function internalRows(store: DuckDbSpanStore): Promise<Record<string, unknown[][]>> {
  const rows: Record<string, unknown[][]> = {};
  for (const table of TABLES) rows[table] = await sql(store, `SELECT * FROM ${table} ORDER BY ${ORDER[table]}`);
  return rows;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-internal-keys-'));
}

describe('DuckDB internal tables without keys', () => {
  it('a new store creates its catalog, registry and state tables with no PRIMARY KEY or UNIQUE (each would hold a whole block)', async () => {
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: tempDir() });
    try {
      store.enqueue([span('alpha', 0, 'k')], 1n);
      await store.flush();
      assert.deepEqual(await keyedInternalTables(store), []);
      assert.deepEqual(await sql(store, 'SELECT id, wal_position FROM waggle_state'), [[1, 1n]]);
    } finally {
      await store.close();
    }
  });

  it('a store made with the keyed tables keeps every row, loses the keys at open, and inserts each dataset and column once after', async () => {
    const dir = tempDir();
    let store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    store.enqueue([span('alpha', 0, 'k'), span('beta', 1, 'k')], 1n);
    await store.flush();
    await store.sealOpenSegment();
    store.enqueue([span('alpha', 2, 'j')], 2n);
    await store.flush();
    const before = await internalRows(store);
    await store.close();

    // The previous version's layout: the same rows in keyed tables.
    const instance = await DuckDBInstance.create(path.join(dir, 'waggle.duckdb'));
    const raw = await instance.connect();
    for (const table of TABLES) {
      await raw.run(`CREATE TABLE ${table}_keyed (${KEYED_DDL[table]})`);
      await raw.run(`INSERT INTO ${table}_keyed SELECT * FROM ${table}`);
      await raw.run(`DROP TABLE ${table}`);
      await raw.run(`ALTER TABLE ${table}_keyed RENAME TO ${table}`);
    }
    const keyedCount = await raw.runAndReadAll(`SELECT count(DISTINCT table_name) FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND table_name IN (${TABLES.map((t) => `'${t}'`).join(', ')})`);
    assert.equal(keyedCount.getRows()[0]?.[0], 5n);
    // And the table nothing read, as that version had it.
    await raw.run('CREATE TABLE waggle_segment_columns (segment_id INTEGER NOT NULL, column_id INTEGER NOT NULL, PRIMARY KEY (segment_id, column_id))');
    await raw.run('INSERT INTO waggle_segment_columns VALUES (1, 1)');
    raw.closeSync();
    instance.closeSync();

    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    try {
      assert.deepEqual(await keyedInternalTables(store), []);
      assert.deepEqual(await internalRows(store), before);
      assert.deepEqual(await sql(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'waggle_segment_columns'"), [[0n]]);
      // Written after the upgrade: an existing dataset and column, a new column, a new dataset.
      store.enqueue([span('alpha', 3, 'k'), span('alpha', 4, 'i'), span('gamma', 5, 'k')], 3n);
      await store.flush();
      await store.createDataset('beta');
      assert.deepEqual(await sql(store, 'SELECT name, count(*) FROM waggle_datasets GROUP BY name ORDER BY name'), [
        ['alpha', 1n],
        ['beta', 1n],
        ['gamma', 1n],
      ]);
      assert.deepEqual(await sql(store, 'SELECT key_name, count(*) FROM waggle_columns GROUP BY key_name HAVING key_name IN (\'i\', \'j\', \'k\') ORDER BY 1'), [
        ['i', 1n],
        ['j', 1n],
        ['k', 1n],
      ]);
      assert.deepEqual(await sql(store, 'SELECT dataset, column_id FROM waggle_dataset_columns GROUP BY ALL HAVING count(*) > 1'), []);
      assert.deepEqual(await sql(store, "SELECT dataset, key_name FROM waggle_dataset_columns JOIN waggle_columns ON id = column_id WHERE key_name IN ('i', 'j', 'k') ORDER BY 1, 2"), [
        ['alpha', 'i'],
        ['alpha', 'j'],
        ['alpha', 'k'],
        ['beta', 'k'],
        ['gamma', 'k'],
      ]);
      assert.deepEqual(await sql(store, 'SELECT id, wal_position FROM waggle_state'), [[1, 3n]]);
      assert.deepEqual((await store.getTrace(0x7703n)).map((e) => e['k']), [3]);
      assert.deepEqual((await store.getTrace(0x7702n)).map((e) => e['j']), [2]);
    } finally {
      await store.close();
    }
    // And once more: the rebuilt tables are left as they are.
    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    try {
      assert.deepEqual(await keyedInternalTables(store), []);
      assert.deepEqual(await sql(store, 'SELECT count(*) FROM waggle_datasets'), [[3n]]);
      assert.deepEqual((await store.getTrace(0x7700n)).map((e) => e['k']), [0]);
    } finally {
      await store.close();
    }
  });
});
