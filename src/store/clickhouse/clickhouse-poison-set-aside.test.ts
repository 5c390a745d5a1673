import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { EventRecord } from '../../core/event-record.js';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { ClickHouseConnection } from './clickhouse-connection.js';

const BASE_NS = 1_763_770_000_000_000_000n;

function request(traceId: bigint): EventRecord[] {
  return [1n, 2n].map((spanId) => eventRecord({ dataset: 'api', timestampNs: BASE_NS + traceId * 10n + spanId, traceId, spanId, name: 'GET /', serviceName: 'api' }));
}

/**
 * No content found reaches a ClickHouse insert and fails it through the public API (decoders and
 * the column resolver only make values the encoder writes and ClickHouse reads). So the poison
 * here is made below the API: an integer attribute whose value is not an integer, which the
 * RowBinary encoder cannot write, at every attempt, while other requests commit.
 */
function poison(traceId: bigint): EventRecord[] {
  return [eventRecord({ dataset: 'api', timestampNs: BASE_NS + traceId * 10n, traceId, spanId: 1n, name: 'poison', attributes: [attributeLayer([['poison.count', 'integer', Number.POSITIVE_INFINITY]])] })];
}

describe('ClickHouse store: a request whose commit fails because of its content', () => {
  it('is set aside under quarantine/ (file, row, counter, log line), the requests around it commit, and a restart does not replay it', async () => {
    const location = freshChdbLocation();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ch-poison-'));
    const logged: string[] = [];
    let store = await openChdbStore(location, { dataDir, log: (message) => logged.push(message) });
    store.enqueue(request(1n), 1n);
    store.enqueue(poison(2n), 2n);
    await store.flush();
    // Ready again once the poison is set aside, before anything else commits.
    assert.equal(store.health().committing, true);
    store.enqueue(request(3n), 3n);
    await store.flush();

    assert.equal(await store.committedWalPosition(), 3n);
    assert.equal((await store.getTrace(1n)).length, 2);
    assert.equal((await store.getTrace(2n)).length, 0);
    assert.equal((await store.getTrace(3n)).length, 2);
    assert.equal(store.health().quarantinedRequests, 1);
    assert.equal(store.health().committing, true);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^set aside WAL entry 2 \(1 events\) in quarantine\/wal-00000000000000000002\.json: its commit failed while the store kept taking other writes \(.*BigInt.*\)$/);

    const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'quarantine', 'wal-00000000000000000002.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(file['wal_position'], '2');
    assert.equal(file['already_stored_events'], 0);
    const events = file['events'] as Array<Record<string, unknown>>;
    assert.equal(events.length, 1);
    assert.equal(events[0]!['name'], 'poison');
    assert.equal(events[0]!['trace_id'], '00000000000000000000000000000002');
    assert.deepEqual(events[0]!['attributes'], [['poison.count', 'integer', null]]);

    const connection = await ClickHouseConnection.open(location);
    try {
      const rows = await connection.query(`SELECT writer, wal_position, events, file FROM ${location.database}.waggle_quarantine FINAL`);
      assert.deepEqual(rows.rows, [['waggle', 2n, 1n, 'quarantine/wal-00000000000000000002.json']]);
    } finally {
      await connection.close();
    }
    await store.close();

    // Restart: replay hands the store the WAL's three requests again; the set-aside one is past
    // the committed position, so nothing fails and nothing is stored twice.
    store = await openChdbStore(location, { dataDir, log: (message) => logged.push(message) });
    try {
      assert.equal(await store.committedWalPosition(), 3n);
      store.enqueue(request(1n), 1n);
      store.enqueue(poison(2n), 2n);
      store.enqueue(request(3n), 3n);
      store.enqueue(request(4n), 4n);
      await store.flush();
      assert.equal(await store.committedWalPosition(), 4n);
      assert.equal((await store.getTrace(1n)).length, 2);
      assert.equal((await store.getTrace(4n)).length, 2);
      assert.equal(store.health().quarantinedRequests, 0);
      assert.equal(logged.length, 1);
    } finally {
      await store.close();
    }
  });

  it('stays queued, not set aside, when the store has no data directory to keep it in', async () => {
    const store = await openChdbStore(freshChdbLocation());
    try {
      store.enqueue(request(1n), 1n);
      store.enqueue(poison(2n), 2n);
      await assert.rejects(store.flush(), RangeError);
      assert.equal(store.health().quarantinedRequests, 0);
      assert.equal(store.health().consecutiveCommitFailures > 0, true);
      assert.equal(store.pendingEvents(), 3);
    } finally {
      await store.close();
    }
  });
});
