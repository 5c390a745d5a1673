import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const TRACE_ID = 0x11a17ed0000000000000000000000001n;

function span(n: number): EventRecord {
  return eventRecord({ timestampNs: BASE_NS + BigInt(n) * 1_000_000n, traceId: TRACE_ID, spanId: BigInt(n), parentId: n === 1 ? null : 1n, name: `op-${n}` });
}

/** Spans 1–30 in three segments: 1–10 compacted, 11–20 sealed, 21–30 in the open segment (each sent in time order). */
async function storeWithTraceInThreeSegments(traceReadParts: number): Promise<DuckDbSpanStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-limit-'));
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, traceReadParts, log: () => undefined });
  const range = (from: number): EventRecord[] => Array.from({ length: 10 }, (_, i) => span(from + i));
  store.enqueue(range(1), 1n);
  await store.flush();
  await store.sealOpenSegment();
  assert.equal(await store.compactAll(), 1);
  store.enqueue(range(11), 2n);
  await store.flush();
  await store.sealOpenSegment();
  store.enqueue(range(21), 3n);
  await store.flush();
  return store;
}

const names = async (store: DuckDbSpanStore, maxSpans: number): Promise<unknown[]> => (await store.getTrace(TRACE_ID, { maxSpans })).map((e) => e['name']);
const ops = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `op-${from + i}`);

describe('a DuckDB trace lookup bounded in events', () => {
  for (const parts of [1, 2]) {
    it(`reads the earliest maxSpans events over the trace's segments, earliest segment first (${parts} part${parts === 1 ? '' : 's'})`, async () => {
      const store = await storeWithTraceInThreeSegments(parts);
      try {
        assert.deepEqual(await names(store, 4), ops(1, 4));
        assert.deepEqual(await names(store, 10), ops(1, 10));
        assert.deepEqual(await names(store, 15), ops(1, 15));
        assert.deepEqual(await names(store, 25), ops(1, 25));
        assert.deepEqual(await names(store, 30), ops(1, 30));
        assert.deepEqual(await names(store, 1000), ops(1, 30));
        // Without a bound: QUERY_LIMITS.traceSpans, far above this trace.
        assert.equal((await store.getTrace(TRACE_ID)).length, 30);
      } finally {
        await store.close();
      }
    });
  }
});
