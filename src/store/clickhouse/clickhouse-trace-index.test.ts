import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord } from '../../core/event-record.js';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseLocation } from './clickhouse-url.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const DAY_NS = 86_400_000_000_000n;
const TRACE = 0x0af7651916cd43dd8448eb211c80319cn;

function span(spanId: bigint, timestampNs: bigint, traceId = TRACE): EventRecord {
  return eventRecord({ dataset: 'api', timestampNs, traceId, spanId, name: `span ${spanId}`, serviceName: 'api' });
}

async function withConnection<T>(location: ClickHouseLocation, work: (connection: ClickHouseConnection) => Promise<T>): Promise<T> {
  const connection = await ClickHouseConnection.open(location);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

describe('ClickHouse trace index', () => {
  it('records each trace time range on insert, and finds a trace whose spans came in two commits days apart', async () => {
    const location = freshChdbLocation();
    const store = await openChdbStore(location, { clock: () => BASE_NS + 3n * DAY_NS });
    store.enqueue([span(1n, BASE_NS + 5n), span(9n, BASE_NS, 0x1234n)], 1n);
    await store.flush();
    store.enqueue([span(2n, BASE_NS + 2n * DAY_NS)], 2n);
    await store.flush();
    const index = await withConnection(location, (c) =>
      c.query(`SELECT trace_id, dataset, min_ts, max_ts FROM ${location.database}.waggle_trace_index ORDER BY trace_id, min_ts`),
    );
    assert.deepEqual(index.rows, [
      [0x1234n, 'api', BASE_NS, BASE_NS],
      [TRACE, 'api', BASE_NS + 5n, BASE_NS + 5n],
      [TRACE, 'api', BASE_NS + 2n * DAY_NS, BASE_NS + 2n * DAY_NS],
    ]);
    assert.deepEqual((await store.getTrace(TRACE)).map((e) => e['name']), ['span 1', 'span 2']);
    assert.deepEqual(await store.getTrace(0x999n), []);
    await store.close();
  });

  it('indexes the spans a store held before the index existed', async () => {
    const location = freshChdbLocation();
    let store = await openChdbStore(location, { clock: () => BASE_NS + DAY_NS });
    store.enqueue([span(1n, BASE_NS), span(2n, BASE_NS + 7n)], 1n);
    await store.flush();
    await store.close();
    // The schema as version 1 left it: no index, no view (later steps forgotten too, so that step 2 runs again).
    await withConnection(location, async (c) => {
      await c.command(`DROP VIEW ${location.database}.waggle_trace_index_mv`);
      await c.command(`DROP TABLE ${location.database}.waggle_trace_index`);
      await c.command(`ALTER TABLE ${location.database}.waggle_schema_migrations DELETE WHERE version >= 2`, { mutations_sync: '1' });
    });
    store = await openChdbStore(location, { clock: () => BASE_NS + DAY_NS });
    assert.deepEqual((await store.getTrace(TRACE)).map((e) => e['name']), ['span 1', 'span 2']);
    await store.close();
  });
});
