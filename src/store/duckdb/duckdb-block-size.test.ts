import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore, type DuckDbStoreOptions } from './duckdb-span-store.js';

async function blockSizeOf(dataDir: string, options: Partial<DuckDbStoreOptions> = {}): Promise<number> {
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, ...options, dataDir, lifecycleIntervalMs: 0, log: () => undefined });
  try {
    const rows = await store.runSql("SELECT block_size FROM pragma_database_size() WHERE database_name = 'waggle'", [], { timeoutMs: 10_000 });
    return Number(rows.rows[0]?.[0]);
  } finally {
    await store.close();
  }
}

describe('the DuckDB database file block size', () => {
  it('creates a new database file with 64 KiB blocks, and keeps them when it opens it again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-blocks-'));
    assert.equal(await blockSizeOf(dir), 65_536);
    assert.equal(await blockSizeOf(dir), 65_536);
  });

  it('opens a database file created with 256 KiB blocks as it is', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-blocks-'));
    assert.equal(await blockSizeOf(dir, { blockSizeBytes: 262_144 }), 262_144);
    assert.equal(await blockSizeOf(dir), 262_144);
  });
});
