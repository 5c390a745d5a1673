import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord } from '../../core/event-record.js';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { ClickHouseConnection } from './clickhouse-connection.js';
import type { ClickHouseLocation } from './clickhouse-url.js';

const BASE_NS = 1_763_770_000_000_000_000n;

function request(position: number, name = 'GET /'): EventRecord[] {
  return [1, 2, 3].map((i) => eventRecord({ dataset: 'api', timestampNs: BASE_NS + BigInt(position * 10 + i), traceId: BigInt(position), spanId: BigInt(i), name, serviceName: 'api' }));
}

async function spanCount(location: ClickHouseLocation): Promise<bigint> {
  const connection = await ClickHouseConnection.open(location);
  try {
    return (await connection.query(`SELECT count() FROM ${location.database}.waggle_spans`)).rows[0]![0] as bigint;
  } finally {
    await connection.close();
  }
}

/** Puts the writer's state back to "batch [first, last] pending, `committed` committed": where a crash leaves it. */
async function rewindState(location: ClickHouseLocation, committed: bigint, first: bigint, last: bigint): Promise<void> {
  const connection = await ClickHouseConnection.open(location);
  try {
    await connection.insertJsonRows(`${location.database}.waggle_state`, [{ writer: 'waggle', version: 1_000_000n, wal_position: committed, pending_first: first, pending_last: last }]);
  } finally {
    await connection.close();
  }
}

describe('ClickHouse writer: partitions', () => {
  it('stores a request whose events fall on more than 100 days (a partition each) and the requests after it', async () => {
    const location = freshChdbLocation();
    const store = await openChdbStore(location);
    try {
      const DAY_NS = 86_400_000_000_000n;
      const backfill = Array.from({ length: 101 }, (_, day) =>
        eventRecord({ dataset: 'api', timestampNs: BASE_NS - BigInt(day) * DAY_NS, traceId: 1000n + BigInt(day), spanId: 1n, name: 'backfilled' }),
      );
      store.enqueue(backfill, 1n);
      store.enqueue(request(2), 2n);
      await store.flush();
      assert.equal(await store.committedWalPosition(), 2n);
      assert.equal(await spanCount(location), 104n);
      assert.deepEqual((await store.getTrace(1100n)).map((e) => e['name']), ['backfilled']);
    } finally {
      await store.close();
    }
  });
});

describe('ClickHouse writer: wide batches', () => {
  it('stores a batch adding 8 500 attribute columns at once (its ALTER and INSERT are longer than ClickHouse lets a statement be by default)', async () => {
    const location = freshChdbLocation();
    const store = await openChdbStore(location);
    try {
      const events = Array.from({ length: 5 }, (_, e) =>
        eventRecord({
          dataset: 'wide',
          timestampNs: BASE_NS + BigInt(e),
          traceId: 7000n,
          spanId: BigInt(e + 1),
          attributes: [attributeLayer(Array.from({ length: 1700 }, (_, k) => [`wide.key_${e}_${k}`, 'string', `v${k}`] as const))],
        }),
      );
      store.enqueue(events, 1n);
      await store.flush();
      assert.equal(await store.committedWalPosition(), 1n);
      const trace = await store.getTrace(7000n);
      assert.equal(trace.length, 5);
      assert.equal(trace[4]!['wide.key_4_1699'], 'v1699');
      assert.equal(trace[0]!['wide.key_4_1699'], undefined);
    } finally {
      await store.close();
    }
  });
});

describe('ClickHouse writer: exactly once across a crash', () => {
  it('does not store a batch twice when the crash came after its rows and before its committed position', async () => {
    const location = freshChdbLocation();
    let store = await openChdbStore(location);
    store.enqueue(request(1), 1n);
    store.enqueue(request(2), 2n);
    await store.flush();
    await store.close();
    assert.equal(await spanCount(location), 6n);
    // The rows of WAL 1-2 are in; the state says they were pending, nothing committed.
    await rewindState(location, 0n, 1n, 2n);

    store = await openChdbStore(location);
    assert.equal(await store.committedWalPosition(), 0n);
    // Replay, as the ingest service does it: the requests in WAL order, then one more. The batch is
    // known by its WAL range, not by its content: replayed with other names, it is still not stored again.
    store.enqueue(request(1, 'replayed'), 1n);
    await store.flush();
    // Still waiting for the rest of the interrupted batch: nothing inserted yet.
    assert.equal(store.pendingEvents(), 3);
    store.enqueue(request(2, 'replayed'), 2n);
    store.enqueue(request(3), 3n);
    await store.flush();
    assert.equal(await store.committedWalPosition(), 3n);
    assert.deepEqual((await store.getTrace(1n)).map((e) => e['name']), ['GET /', 'GET /', 'GET /']);
    assert.equal((await store.getTrace(2n)).length, 3);
    assert.equal((await store.getTrace(3n)).length, 3);
    await store.close();
    assert.equal(await spanCount(location), 9n);
  });

  it('stores the batch when the crash came after it was marked pending and before its rows', async () => {
    const location = freshChdbLocation();
    let store = await openChdbStore(location);
    store.enqueue(request(1), 1n);
    await store.flush();
    await store.close();
    await rewindState(location, 1n, 2n, 3n);

    store = await openChdbStore(location);
    store.enqueue(request(2), 2n);
    store.enqueue(request(3), 3n);
    await store.flush();
    assert.equal(await store.committedWalPosition(), 3n);
    await store.close();
    assert.equal(await spanCount(location), 9n);
  });

  it('stores the days of an interrupted batch that are missing and not those already stored (a part per day, each whole or absent)', async () => {
    const location = freshChdbLocation();
    const DAY_NS = 86_400_000_000_000n;
    const twoDays = (name: string): EventRecord[] => [
      eventRecord({ dataset: 'api', timestampNs: BASE_NS, traceId: 11n, spanId: 1n, name, serviceName: 'api' }),
      eventRecord({ dataset: 'api', timestampNs: BASE_NS - DAY_NS, traceId: 12n, spanId: 1n, name, serviceName: 'api' }),
    ];
    let store = await openChdbStore(location);
    store.enqueue(twoDays('first'), 1n);
    await store.flush();
    await store.close();
    // Where a kill leaves it: today's part renamed into place, yesterday's not; the batch pending.
    const connection = await ClickHouseConnection.open(location);
    try {
      await connection.command(`ALTER TABLE ${location.database}.waggle_spans DELETE WHERE ts_ns < ${BASE_NS - (BASE_NS % DAY_NS)}`, { mutations_sync: '2' });
    } finally {
      await connection.close();
    }
    assert.equal(await spanCount(location), 1n);
    await rewindState(location, 0n, 1n, 1n);

    store = await openChdbStore(location);
    store.enqueue(twoDays('replayed'), 1n);
    await store.flush();
    assert.equal(await store.committedWalPosition(), 1n);
    assert.deepEqual((await store.getTrace(11n)).map((e) => e['name']), ['first']);
    assert.deepEqual((await store.getTrace(12n)).map((e) => e['name']), ['replayed']);
    await store.close();
    assert.equal(await spanCount(location), 2n);
  });
});
