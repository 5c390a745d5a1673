import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { LIFECYCLE_BASE_NS } from './duckdb-lifecycle-fixture.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import type { EventRecord } from '../../core/event-record.js';

const SECOND_NS = 1_000_000_000n;
/** The whole hour the events below fall in. */
const WINDOW = { startNs: LIFECYCLE_BASE_NS, endNs: LIFECYCLE_BASE_NS + 3600n * SECOND_NS };

function events(dataset: string, count: number, sampleRate: number, firstSecond: number): EventRecord[] {
  return Array.from({ length: count }, (_, i) =>
    eventRecord({ dataset, sampleRate, timestampNs: LIFECYCLE_BASE_NS + BigInt(firstSecond + i) * SECOND_NS, traceId: BigInt(firstSecond + i + 1), spanId: BigInt(i + 1) }),
  );
}

function openStore(dir: string): Promise<DuckDbSpanStore> {
  return DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, clock: () => LIFECYCLE_BASE_NS, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
}

async function registry(store: DuckDbSpanStore): Promise<Array<[string, number]>> {
  const rows = (await store.runSql('SELECT datasets_json, max_sample_rate FROM waggle_segments ORDER BY id', [], { timeoutMs: 10_000 })).rows;
  return rows.map(([datasets, rate]) => [String(datasets), Number(rate)]);
}

describe("the segment registry's datasets and sample rates", () => {
  it('records each segment’s datasets and largest sample rate as it commits, seals and compacts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-segment-registry-'));
    const store = await openStore(dir);
    try {
      store.enqueue([...events('beta', 20, 4, 0), ...events('alpha', 20, 1, 20)], 1n);
      await store.flush();
      await store.sealOpenSegment();
      store.enqueue(events('alpha', 10, 1, 40), 2n);
      await store.flush();
      await store.sealOpenSegment();
      assert.deepEqual(await registry(store), [
        ['["alpha","beta"]', 4],
        ['["alpha"]', 1],
      ]);
      assert.equal(await store.compactAll(), 1);
      assert.deepEqual(await registry(store), [['["alpha","beta"]', 4]]);
    } finally {
      await store.close();
    }
  });

  it('opens a data directory written before the registry kept them: reads them from the rows once and records them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-segment-registry-'));
    let store = await openStore(dir);
    store.enqueue([...events('beta', 5, 3, 0), ...events('alpha', 5, 1, 5)], 1n);
    await store.flush();
    await store.close();
    // The previous version's registry: neither column filled in.
    const instance = await DuckDBInstance.create(path.join(dir, 'waggle.duckdb'));
    const raw = await instance.connect();
    await raw.run('UPDATE waggle_segments SET datasets_json = NULL, max_sample_rate = NULL');
    raw.closeSync();
    instance.closeSync();

    store = await openStore(dir);
    try {
      assert.deepEqual(await registry(store), [['["alpha","beta"]', 3]]);
      // The segment's sampled rows are known again: queries weight their counts.
      assert.equal(store.hasSampledEvents(WINDOW), true);
      // And it still takes rows, which keep the registry current.
      store.enqueue(events('gamma', 2, 7, 20), 2n);
      await store.flush();
      assert.deepEqual(await registry(store), [['["alpha","beta","gamma"]', 7]]);
    } finally {
      await store.close();
    }
  });
});
