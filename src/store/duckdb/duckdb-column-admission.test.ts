import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore, type DuckDbStoreOptions } from './duckdb-span-store.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';

const BASE_NS = 1_763_770_000_000_000_000n;

/** One span of dataset `d` with integer attributes `<prefix><from>` .. `<prefix><from + count - 1>`. */
function span(n: number, prefix: string, from: number, count: number): EventRecord {
  return eventRecord({
    dataset: 'd',
    timestampNs: BASE_NS + BigInt(n),
    traceId: 0xadd0000000000000000000000000000n + BigInt(n),
    spanId: BigInt(n),
    serviceName: 'd',
    attributes: [attributeLayer(Array.from({ length: count }, (_, i) => [`${prefix}${from + i}`, 'integer', from + i] as [string, 'integer', number]))],
  });
}

function open(dataDir: string, options: Partial<DuckDbStoreOptions> = {}): Promise<DuckDbSpanStore> {
  return DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, log: () => undefined, ...options });
}

const refusedOf = (store: DuckDbSpanStore, events: EventRecord[]): number[] => [...(store.admit(events, 'event').refused ?? new Uint8Array(events.length))];

describe('DuckDbSpanStore column admission', () => {
  it('counts the columns of admitted events that are not committed yet', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-admit-'));
    const store = await open(dataDir, { columnLimits: { columnsPerDataset: 5, columnsTotal: 100 } });
    try {
      assert.deepEqual(store.admit([span(1, 'k', 0, 3)], 'event'), { refused: null, reason: '' });
      assert.deepEqual(store.admit([span(2, 'k', 3, 3)], 'event'), {
        refused: Uint8Array.from([1]),
        reason: "dataset 'd' would have 6 distinct columns; at most 5 are accepted per dataset",
      });
      // Known columns are always taken; new ones up to the limit.
      assert.deepEqual(refusedOf(store, [span(3, 'k', 0, 3), span(4, 'k', 3, 2), span(5, 'k', 5, 1)]), [0, 0, 1]);
    } finally {
      await store.close();
    }
  });

  it('refuses what would pass the limit of columns in the whole store, over datasets', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-admit-'));
    const store = await open(dataDir, { columnLimits: { columnsPerDataset: 100, columnsTotal: 4 } });
    try {
      const other = { ...span(2, 'o', 0, 2), dataset: 'other' };
      assert.deepEqual(refusedOf(store, [span(1, 'k', 0, 3), other, { ...span(3, 'k', 0, 3), dataset: 'other' }]), [0, 1, 0]);
      assert.equal(store.admit([other], 'event').reason, 'the store would have 5 distinct columns; at most 4 are accepted over all datasets');
    } finally {
      await store.close();
    }
  });

  it('refuses events for a new dataset beyond the dataset limit, counting datasets still queued, and keeps taking the others', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-admit-'));
    const store = await open(dataDir, { columnLimits: { columnsPerDataset: 2, columnsTotal: 100, datasets: 2 } });
    const of = (dataset: string, n: number, columns = 1): EventRecord => ({ ...span(n, 'k', 0, columns), dataset });
    try {
      // A unit refused for its columns does not take a dataset's place.
      assert.deepEqual(refusedOf(store, [of('wide', 1, 3)]), [1]);
      assert.deepEqual(refusedOf(store, [of('alpha', 2), of('beta', 3)]), [0, 0]);
      // Refused with its own code (3) and reason, not as a column refusal.
      assert.deepEqual(store.admit([of('Gamma', 4)], 'event'), {
        refused: Uint8Array.from([3]),
        reason: '',
        datasetReason: "dataset 'Gamma' would be a new dataset, and the store holds 2: at most 2 are accepted (ingest.datasets)",
      });
      store.enqueue([of('alpha', 2), of('beta', 3)], 1n);
      await store.flush();
      // Committed now: still two, and still full; the existing ones (any spelling) keep taking events.
      assert.deepEqual(refusedOf(store, [of('gamma', 5), of('ALPHA', 6), of('beta', 7)]), [3, 0, 0]);
      await assert.rejects(store.createDataset('gamma'), { name: 'BadRequestError', message: "dataset 'gamma' would be a new dataset, and the store holds 2: at most 2 are accepted (ingest.datasets)" });
      assert.deepEqual((await store.createDataset('Alpha')).created, false);
      assert.deepEqual((await store.listDatasets()).map((d) => d.name), ['alpha', 'beta']);
    } finally {
      await store.close();
    }
  });

  it('decides on replay as it did live, also after a request was set aside', async () => {
    // The set-aside is real: with DuckDB at 32 MB, a span with 1 000 integer columns cannot be appended.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-admit-'));
    const options = { memoryLimit: '32MB', columnLimits: { columnsPerDataset: 1_005, columnsTotal: 100_000 } };
    const narrow = span(1, 'n', 0, 2);
    const poison = span(2, 'p', 0, 1_000);
    const live = await open(dataDir, options);
    let liveAnswers: number[][];
    try {
      assert.equal(live.admit([narrow], 'event').refused, null);
      live.enqueue([narrow], 1n);
      assert.equal(live.admit([poison], 'event').refused, null);
      live.enqueue([poison], 2n);
      // 2 + 1 000 columns admitted (one request queued): 10 more pass 1 005, 3 more do not.
      liveAnswers = [refusedOf(live, [span(3, 'x', 0, 10)]), refusedOf(live, [span(4, 'y', 0, 3)])];
      await live.flush();
      assert.deepEqual([live.health().quarantinedRequests, await live.committedWalPosition()], [1, 2n]);
    } finally {
      await live.close();
    }
    assert.deepEqual(liveAnswers, [[1], [0]]);
    const replay = await open(dataDir, options);
    try {
      // The set-aside request's columns still count, so replay refuses and admits the same.
      assert.deepEqual([refusedOf(replay, [span(3, 'x', 0, 10)]), refusedOf(replay, [span(4, 'y', 0, 3)])], liveAnswers);
      assert.deepEqual(await replay.getTrace(poison.traceId!), []);
      assert.equal((await replay.getTrace(narrow.traceId!)).length, 1);
    } finally {
      await replay.close();
    }
  });
});
