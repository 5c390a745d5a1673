import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { EventRecord } from '../../src/core/event-record.js';
import { QueryRunner } from '../../src/query/query-runner.js';
import { prepareTextQuery } from '../../src/query/query-engine.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { eventRecord } from '../support/event-record-fixture.js';

const T0 = 1_700_000_000;
const S = 1_000_000_000n;
const BASE = BigInt(T0) * S;

const stores: DuckDbSpanStore[] = [];
after(async () => {
  for (const store of stores) await store.close();
});

function events(n: number, service: string, offsetS: bigint): EventRecord[] {
  return Array.from({ length: n }, (_, i) => eventRecord({ dataset: 'api', timestampNs: BASE + offsetS * S + BigInt(i) * S, serviceName: service, durationNs: BigInt(i + 1) * 1_000_000n }));
}

const QUERY = `VISUALIZE COUNT, SUM(duration_ms) GROUP BY service.name ORDER BY service.name FROM ${T0} TO ${T0 + 3600}`;

async function answer(store: DuckDbSpanStore): Promise<unknown[]> {
  const spec = prepareTextQuery(QUERY, await store.querySchema({ kind: 'all' }), { disableSeries: true });
  return (await new QueryRunner(store).run({ kind: 'all' }, spec, { disableSeries: true, timeoutMs: 10_000 })).results.map((r) => r.data);
}

const hits = (store: DuckDbSpanStore): number => store['sealedResults'].hitCount();

describe('results of queries over sealed segments, kept by the DuckDB store', () => {
  it('answers a repeated query over sealed segments from the kept result, and never keeps one that reads the open segment', async () => {
    // With a retention (as servers run): its cutoff lies before the data, so statements do not change with the clock.
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-cache-')), threads: 1, lifecycleIntervalMs: 0, retentionNs: 3650n * 86_400n * S });
    stores.push(store);
    store.enqueue(events(10, 'a', 0n), 1n);
    await store.flush();
    // Open segment: run twice, computed twice.
    assert.deepEqual(await answer(store), [{ 'service.name': 'a', COUNT: 10, 'SUM(duration_ms)': 55 }]);
    store.enqueue(events(5, 'b', 100n), 2n);
    await store.flush();
    assert.deepEqual(await answer(store), [{ 'service.name': 'a', COUNT: 10, 'SUM(duration_ms)': 55 }, { 'service.name': 'b', COUNT: 5, 'SUM(duration_ms)': 15 }]);
    assert.equal(hits(store), 0);
    // Sealed: the second run is the kept result.
    await store.sealOpenSegment();
    const sealed = [{ 'service.name': 'a', COUNT: 10, 'SUM(duration_ms)': 55 }, { 'service.name': 'b', COUNT: 5, 'SUM(duration_ms)': 15 }];
    assert.deepEqual(await answer(store), sealed);
    assert.deepEqual(await answer(store), sealed);
    assert.equal(hits(store), 1);
    // A late event in the same window lands in the (new) open segment: the statement changes, the answer too.
    store.enqueue(events(1, 'a', 200n), 3n);
    await store.flush();
    assert.deepEqual(await answer(store), [{ 'service.name': 'a', COUNT: 11, 'SUM(duration_ms)': 56 }, { 'service.name': 'b', COUNT: 5, 'SUM(duration_ms)': 15 }]);
    store.enqueue(events(1, 'b', 300n), 4n);
    await store.flush();
    assert.deepEqual(await answer(store), [{ 'service.name': 'a', COUNT: 11, 'SUM(duration_ms)': 56 }, { 'service.name': 'b', COUNT: 6, 'SUM(duration_ms)': 16 }]);
    assert.equal(hits(store), 1);
    // Compacted into one segment: a new statement, the same answer, computed then kept.
    await store.sealOpenSegment();
    await store.compactAll();
    const compacted = [{ 'service.name': 'a', COUNT: 11, 'SUM(duration_ms)': 56 }, { 'service.name': 'b', COUNT: 6, 'SUM(duration_ms)': 16 }];
    assert.deepEqual(await answer(store), compacted);
    assert.deepEqual(await answer(store), compacted);
    assert.equal(hits(store), 2);
  });
});
