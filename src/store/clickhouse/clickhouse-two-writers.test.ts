import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { ClickHouseConnection } from './clickhouse-connection.js';
import { SHARED_COLUMN_ID_BASE } from './clickhouse-column-ids.js';
import type { ClickHouseLocation } from './clickhouse-url.js';
import { WRITER_ID_FILE } from './clickhouse-writer-id.js';

const BASE_NS = 1_763_770_000_000_000_000n;

async function rows(location: ClickHouseLocation, sql: string): Promise<unknown[][]> {
  const connection = await ClickHouseConnection.open(location);
  try {
    return (await connection.query(sql.replaceAll('DB', location.database))).rows;
  } finally {
    await connection.close();
  }
}

// chdb runs one engine per process, so two stores in this process over one database stand for two
// Waggle processes writing to one ClickHouse server: they share nothing but ClickHouse.
describe('ClickHouse store: several Waggle processes writing to one ClickHouse', () => {
  it('keeps each writer\'s WAL position apart, makes one column of a new key both meet, and lets each read what the other stored', async () => {
    const location = freshChdbLocation();
    const east = await openChdbStore(location, { writerId: 'east' });
    const west = await openChdbStore(location, { writerId: 'west' });
    try {
      // Both WALs start at position 1: each writer's position is its own.
      east.enqueue([eventRecord({ dataset: 'shop', timestampNs: BASE_NS, traceId: 1n, spanId: 1n, name: 'from east', attributes: [attributeLayer([['shared.key', 'string', 'x'], ['only.east', 'integer', 7n]])] })], 1n);
      west.enqueue([eventRecord({ dataset: 'shop', timestampNs: BASE_NS + 1n, traceId: 2n, spanId: 1n, name: 'from west', attributes: [attributeLayer([['shared.key', 'string', 'y'], ['only.west', 'boolean', true]])] })], 1n);
      await east.flush();
      await west.flush();
      assert.equal(await east.committedWalPosition(), 1n);
      assert.equal(await west.committedWalPosition(), 1n);
      assert.deepEqual(await rows(location, 'SELECT writer, wal_position FROM DB.waggle_state FINAL ORDER BY writer'), [['east', 1n], ['west', 1n]]);

      // One column for the key both met, one for each key only one met.
      const physical = await rows(location, "SELECT name FROM system.columns WHERE database = 'DB' AND table = 'waggle_spans' AND match(name, '^c[0-9]+$') ORDER BY name");
      assert.equal(physical.length, 3);
      const catalog = await rows(location, 'SELECT key_name, id >= ' + String(SHARED_COLUMN_ID_BASE) + ' FROM DB.waggle_columns FINAL ORDER BY key_name');
      assert.deepEqual(catalog, [['only.east', 1], ['only.west', 1], ['shared.key', 1]]);

      // Before a refresh, east does not know west's new key; its spans are readable all the same.
      assert.deepEqual((await east.getTrace(2n)).map((e) => [e['name'], e['shared.key'], e['only.west']]), [['from west', 'y', undefined]]);
      await east.refreshCatalog();
      await west.refreshCatalog();
      assert.deepEqual((await east.getTrace(2n)).map((e) => [e['name'], e['shared.key'], e['only.west']]), [['from west', 'y', true]]);
      assert.deepEqual((await west.getTrace(1n)).map((e) => [e['name'], e['shared.key'], e['only.east']]), [['from east', 'x', 7]]);
      const names = (columns: ReadonlyArray<{ key_name: string }>): string[] => columns.map((c) => c.key_name).filter((k) => k.startsWith('only.') || k === 'shared.key');
      assert.deepEqual(names(await east.listColumns({ kind: 'one', name: 'shop' })), ['only.east', 'only.west', 'shared.key']);
      assert.deepEqual(names(await west.listColumns({ kind: 'one', name: 'shop' })), ['only.east', 'only.west', 'shared.key']);

      // A key east learnt from west is written to west's column, not to a second one.
      east.enqueue([eventRecord({ dataset: 'shop', timestampNs: BASE_NS + 2n, traceId: 3n, spanId: 1n, name: 'east again', attributes: [attributeLayer([['only.west', 'boolean', false]])] })], 2n);
      await east.flush();
      assert.equal((await rows(location, "SELECT count() FROM system.columns WHERE database = 'DB' AND table = 'waggle_spans' AND match(name, '^c[0-9]+$')"))[0]![0], 3n);
      assert.deepEqual((await west.getTrace(3n)).map((e) => e['only.west']), [false]);
    } finally {
      await east.close();
      await west.close();
    }
  });

  it('keeps a column per writer for a key two writers first met with different types, lists it once, and says so once', async () => {
    const location = freshChdbLocation();
    const east = await openChdbStore(location, { writerId: 'east' });
    const west = await openChdbStore(location, { writerId: 'west' });
    try {
      east.enqueue([eventRecord({ dataset: 'shop', timestampNs: BASE_NS, traceId: 1n, spanId: 1n, attributes: [attributeLayer([['amount', 'integer', 12n]])] })], 1n);
      west.enqueue([eventRecord({ dataset: 'shop', timestampNs: BASE_NS, traceId: 2n, spanId: 1n, attributes: [attributeLayer([['amount', 'string', 'twelve']])] })], 1n);
      await east.flush();
      await west.flush();
      const logs: string[] = [];
      await east.refreshCatalog((line) => logs.push(line));
      await east.refreshCatalog((line) => logs.push(line));
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, /^attribute amount was first stored with another type by another writer \(column c\d+\); queries of amount read this writer's column c\d+$/);
      const amount = (columns: ReadonlyArray<{ key_name: string; type: string }>): string[] => columns.filter((c) => c.key_name === 'amount').map((c) => c.type);
      assert.deepEqual(amount(await east.listColumns({ kind: 'one', name: 'shop' })), ['integer']);
      await west.refreshCatalog();
      assert.deepEqual(amount(await west.listColumns({ kind: 'one', name: 'shop' })), ['string']);
      // After a restart, the column of the lower id holds the key, for both writers alike.
      const again = await openChdbStore(location, { writerId: 'east' });
      try {
        assert.equal(amount(await again.listColumns({ kind: 'one', name: 'shop' })).length, 1);
      } finally {
        await again.close();
      }
    } finally {
      await east.close();
      await west.close();
    }
  });

  it('learns a dataset another writer created and a retention override another writer set', async () => {
    const location = freshChdbLocation();
    const east = await openChdbStore(location, { writerId: 'east' });
    const west = await openChdbStore(location, { writerId: 'west' });
    try {
      east.enqueue([eventRecord({ dataset: 'billing', timestampNs: BASE_NS, traceId: 9n, spanId: 1n })], 1n);
      await east.flush();
      await east.setDatasetRetention('billing', 86_400_000_000_000n);
      assert.equal(west.datasetRetention('billing').overrideNs, null);
      await west.refreshCatalog();
      assert.deepEqual((await west.listDatasets()).map((d) => d.name), ['billing']);
      assert.equal(west.datasetRetention('billing').overrideNs, 86_400_000_000_000n);
      // Taken back on east: west goes back to the default too.
      await east.setDatasetRetention('billing', null);
      await west.refreshCatalog();
      assert.equal(west.datasetRetention('billing').overrideNs, null);
    } finally {
      await east.close();
      await west.close();
    }
  });

  it('gives each data directory its own writer id, kept across restarts', async () => {
    const location = freshChdbLocation();
    const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-writer-a-')), fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-writer-b-'))];
    try {
      const ids: string[] = [];
      for (const dataDir of [dirs[0]!, dirs[1]!, dirs[0]!]) {
        const store = await openChdbStore(location, { writerId: undefined, dataDir });
        store.enqueue([eventRecord({ dataset: 'api', timestampNs: BASE_NS, traceId: BigInt(ids.length + 1), spanId: 1n })], BigInt(ids.length + 1));
        await store.flush();
        await store.close();
        ids.push(fs.readFileSync(path.join(dataDir, WRITER_ID_FILE), 'utf8').trim());
      }
      assert.match(ids[0]!, /^[A-Za-z0-9_.-]+-[0-9a-f]{12}$/);
      assert.notEqual(ids[1], ids[0]);
      assert.equal(ids[2], ids[0]);
      const state = await rows(location, 'SELECT writer, wal_position FROM DB.waggle_state FINAL ORDER BY wal_position');
      assert.deepEqual(state, [[ids[1], 2n], [ids[0], 3n]]);
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the id `waggle` for a data directory whose WAL wrote to this ClickHouse before ids were per directory', async () => {
    const location = freshChdbLocation();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-writer-legacy-'));
    try {
      // As such a directory is: a WAL, and a state row under `waggle` in ClickHouse, no id file.
      const before = await openChdbStore(location, { writerId: 'waggle' });
      before.enqueue([eventRecord({ dataset: 'api', timestampNs: BASE_NS, traceId: 1n, spanId: 1n })], 5n);
      await before.flush();
      await before.close();
      fs.mkdirSync(path.join(dataDir, 'wal'));
      fs.writeFileSync(path.join(dataDir, 'wal', 'wal-00000000000000000001.log'), '');
      const after = await openChdbStore(location, { writerId: undefined, dataDir });
      try {
        assert.equal(fs.readFileSync(path.join(dataDir, WRITER_ID_FILE), 'utf8'), 'waggle\n');
        assert.equal(await after.committedWalPosition(), 5n);
      } finally {
        await after.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
