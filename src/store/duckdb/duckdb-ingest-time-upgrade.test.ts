import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { CORE_ROLES } from './duckdb-physical-layout.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const RECEIVED_NS = BASE_NS + 42_000_999_999n;

function span(n: number): ReturnType<typeof eventRecord> {
  return eventRecord({ dataset: 'upgrade', serviceName: 'upgrade', timestampNs: BASE_NS + BigInt(n), traceId: 0x51n + BigInt(n), spanId: BigInt(n + 1), attributes: [attributeLayer([['k', 'integer', n]])] });
}

async function ingestTimes(store: DuckDbSpanStore): Promise<unknown[][]> {
  const physical = CORE_ROLES.ingestTime.sql;
  const relation = store.relation({ kind: 'all' }, [physical, 'ts_ns'], { startNs: 0n, endNs: 2n ** 62n });
  return (await store.runSql(`SELECT ${physical} FROM ${relation} AS r ORDER BY ts_ns`, [], { timeoutMs: 10_000 })).rows;
}

describe('DuckDB segments from before the receive-time column', () => {
  it('read a NULL ingest time, take no new rows (sealed at open), and compact together with new segments', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ingest-upgrade-'));
    let store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    store.enqueue([span(0)], 1n, RECEIVED_NS);
    await store.flush();
    await store.close();
    // The previous version's layout: the same open segment without the column.
    const instance = await DuckDBInstance.create(path.join(dir, 'waggle.duckdb'));
    const raw = await instance.connect();
    assert.deepEqual((await raw.runAndReadAll('SELECT id, sealed FROM waggle_segments')).getRows(), [[1, false]]);
    await raw.run('ALTER TABLE seg_1 DROP COLUMN ingest_ms');
    raw.closeSync();
    instance.closeSync();

    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    try {
      store.enqueue([span(1)], 2n, RECEIVED_NS + 1_000_000n);
      await store.flush();
      // The old segment was sealed at open; the new row went to a segment of the new layout.
      assert.deepEqual((await store.runSql('SELECT id, sealed FROM waggle_segments ORDER BY id', [], { timeoutMs: 10_000 })).rows, [[1, true], [2, false]]);
      assert.deepEqual(await ingestTimes(store), [[null], [RECEIVED_NS / 1_000_000n + 1n]]);
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
      assert.deepEqual(await ingestTimes(store), [[null], [RECEIVED_NS / 1_000_000n + 1n]]);
      const trace = await store.getTrace(0x51n);
      assert.deepEqual(trace.map((e) => e['k']), [0]);
    } finally {
      await store.close();
    }
  });
});
