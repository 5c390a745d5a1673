import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { storedSegmentRows } from '../../../test/support/duckdb-stored-rows.js';
import { flushThroughReopens } from '../../../test/support/flush-through-reopens.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';

const LARGE_REQUEST = 130_000;

function events(from: number, count: number): EventRecord[] {
  return Array.from({ length: count }, (_, i) =>
    eventRecord({
      dataset: 'memory',
      timestampNs: 1_763_770_000_000_000_000n + BigInt(from + i),
      traceId: BigInt(from + i + 1),
      spanId: BigInt(from + i + 1),
      attributes: [attributeLayer([['padding', 'string', `${from + i}-${'p'.repeat(40)}`], ['n', 'integer', from + i]])],
    }),
  );
}

describe('a large request whose row-group commits run out of DuckDB memory', () => {
  it('is not set aside when a checkpoint and smaller commits make room: every event is stored once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-memory-commit-'));
    try {
      const logged: string[] = [];
      // Under a 16 MB limit the first row groups of the request commit and then a commit fails
      // ("failed to pin block"): memory holds the rows committed before, not yet checkpointed.
      // The same happened with an acknowledged 64 MB body under the hostile mix at a 384 MB limit.
      const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, memoryLimit: '16MB', lifecycleIntervalMs: 0, log: (message) => logged.push(message) });
      try {
        store.enqueue(events(0, 10), 1n);
        await store.flush();
        store.enqueue(events(10, LARGE_REQUEST), 2n);
        // A commit that fails at COMMIT has the database reopened first (its rows may linger in
        // DuckDB's memory: duckdb-failed-commit.test.ts), then the retries go on.
        await flushThroughReopens(store);
        const reopened = (line: string): boolean => line.startsWith('a commit failed at COMMIT') || line.startsWith('reopened the database in');
        assert.deepEqual({ quarantined: store.health().quarantinedRequests, logged: logged.filter((line) => !reopened(line)) }, { quarantined: 0, logged: [] });
        assert.equal(await store.committedWalPosition(), 2n);
      } finally {
        await store.close();
      }
      assert.deepEqual(await storedSegmentRows(dataDir), { rows: 10 + LARGE_REQUEST, distinct: 10 + LARGE_REQUEST });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
