import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DUCKDB_NEW_FILE_BLOCK_SIZE, DuckDbSpanStore } from './duckdb-span-store.js';
import { LIFECYCLE_BASE_NS } from './duckdb-lifecycle-fixture.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';

const TRACE_ID = 0x5eed0000000000000000000000000001n;

function traceEvents(): ReturnType<typeof eventRecord>[] {
  return [1n, 2n, 3n].map((spanId) =>
    eventRecord({
      dataset: 'blocks',
      timestampNs: LIFECYCLE_BASE_NS + spanId * 1_000_000n,
      traceId: TRACE_ID,
      spanId,
      parentId: spanId === 1n ? null : 1n,
      name: `op-${spanId}`,
      attributes: [attributeLayer([['http.route', 'string', `/r/${spanId}`]])],
    }),
  );
}

async function blockSizeOf(store: DuckDbSpanStore): Promise<number> {
  const rows = await store.runSql("SELECT block_size FROM pragma_database_size() WHERE database_name = 'waggle'", [], { timeoutMs: 10_000 });
  return Number(rows.rows[0]?.[0]);
}

async function storeAndReadBack(store: DuckDbSpanStore): Promise<string[]> {
  store.enqueue(traceEvents(), 1n);
  await store.flush();
  await store.sealOpenSegment();
  assert.equal(await store.compactAll(), 1);
  return (await store.getTrace(TRACE_ID)).map((event) => String(event['name']));
}

describe('the block size of the DuckDB data file', () => {
  it('creates a new file with 64 KiB blocks and keeps them at every later open', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-blocks-'));
    const options = { ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined };
    try {
      const store = await DuckDbSpanStore.open(options);
      try {
        assert.equal(DUCKDB_NEW_FILE_BLOCK_SIZE, 65_536);
        assert.equal(await blockSizeOf(store), 65_536);
        assert.deepEqual(await storeAndReadBack(store), ['op-1', 'op-2', 'op-3']);
      } finally {
        await store.close();
      }
      const reopened = await DuckDbSpanStore.open(options);
      try {
        assert.equal(await blockSizeOf(reopened), 65_536);
        assert.deepEqual((await reopened.getTrace(TRACE_ID)).map((event) => String(event['name'])), ['op-1', 'op-2', 'op-3']);
      } finally {
        await reopened.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a file created with 256 KiB blocks (a data directory from before) with its own block size', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-blocks-old-'));
    try {
      // What earlier releases created: DuckDB's default block size.
      const instance = await DuckDBInstance.create(path.join(dir, 'waggle.duckdb'));
      const connection = await instance.connect();
      const [size] = (await connection.runAndReadAll('SELECT block_size FROM pragma_database_size()')).getRows();
      assert.equal(Number(size?.[0]), 262_144);
      connection.closeSync();
      instance.closeSync();
      const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
      try {
        assert.equal(await blockSizeOf(store), 262_144);
        assert.deepEqual(await storeAndReadBack(store), ['op-1', 'op-2', 'op-3']);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
