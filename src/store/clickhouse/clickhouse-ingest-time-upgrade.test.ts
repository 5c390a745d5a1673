import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import { ClickHouseConnection } from './clickhouse-connection.js';
import { CLICKHOUSE_CORE_ROLES } from './clickhouse-physical-layout.js';
import type { ClickHouseSpanStore } from './clickhouse-span-store.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const RECEIVED_NS = BASE_NS + 42_000_999_999n;

function span(n: number): ReturnType<typeof eventRecord> {
  return eventRecord({ dataset: 'upgrade', serviceName: 'upgrade', timestampNs: BASE_NS + BigInt(n), traceId: 0x51n + BigInt(n), spanId: BigInt(n + 1) });
}

async function ingestTimes(store: ClickHouseSpanStore): Promise<unknown[][]> {
  const physical = CLICKHOUSE_CORE_ROLES.ingestTime.sql;
  const relation = store.relation({ kind: 'all' }, [physical, 'ts_ns'], { startNs: 0n, endNs: 2n ** 62n });
  return (await store.runSql(`SELECT ${physical} FROM ${relation} AS r ORDER BY ts_ns`, [], { timeoutMs: 10_000 })).rows;
}

describe('ClickHouse span tables from before the receive-time column', () => {
  it('gain it at schema step 3, their rows reading NULL beside new rows that have it', async () => {
    const location = freshChdbLocation();
    let store = await openChdbStore(location);
    store.enqueue([span(0)], 1n, RECEIVED_NS);
    await store.flush();
    await store.close();
    // The schema as step 2 left it: rows without the column.
    const connection = await ClickHouseConnection.open(location);
    try {
      await connection.command(`ALTER TABLE ${location.database}.waggle_spans DROP COLUMN ingest_ms`, { mutations_sync: '1' });
      await connection.command(`ALTER TABLE ${location.database}.waggle_schema_migrations DELETE WHERE version >= 3`, { mutations_sync: '1' });
    } finally {
      await connection.close();
    }
    store = await openChdbStore(location);
    try {
      store.enqueue([span(1)], 2n, RECEIVED_NS + 1_000_000n);
      await store.flush();
      assert.deepEqual(await ingestTimes(store), [[null], [RECEIVED_NS / 1_000_000n + 1n]]);
    } finally {
      await store.close();
    }
  });
});
