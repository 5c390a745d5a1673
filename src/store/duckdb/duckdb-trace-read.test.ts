import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const HOUR_NS = 3_600_000_000_000n;
const TRACE_ID = 0x7ea0000000000000000000000000000an;

async function openStore(clock: { now: bigint }, retentionNs: bigint | null = null): Promise<DuckDbSpanStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-read-'));
  return DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, clock: () => clock.now, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, retentionNs, log: () => undefined });
}

describe('DuckDB trace reads (prepared per connection)', () => {
  it('shows a column the open segment gained after a lookup of it was prepared', async () => {
    const clock = { now: BASE_NS };
    const store = await openStore(clock);
    try {
      store.enqueue([eventRecord({ timestampNs: BASE_NS, traceId: TRACE_ID, spanId: 1n, attributes: [attributeLayer([['first', 'string', 'a']])] })], 1n);
      await store.flush();
      assert.deepEqual((await store.getTrace(TRACE_ID)).map((e) => [e['first'], e['second']]), [['a', undefined]]);
      // Same open segment, one more column: the statement prepared above no longer names every column.
      store.enqueue([eventRecord({ timestampNs: BASE_NS + 1n, traceId: TRACE_ID, spanId: 2n, attributes: [attributeLayer([['second', 'integer', 7]])] })], 2n);
      await store.flush();
      assert.deepEqual(
        (await store.getTrace(TRACE_ID)).map((e) => [e['trace.span_id'], e['first'], e['second']]),
        [
          ['0000000000000001', 'a', undefined],
          ['0000000000000002', undefined, 7],
        ],
      );
      // And after compaction rewrote the segment under another id, from the compacted index.
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
      assert.deepEqual(
        (await store.getTrace(TRACE_ID)).map((e) => [e['trace.span_id'], e['first'], e['second']]),
        [
          ['0000000000000001', 'a', undefined],
          ['0000000000000002', undefined, 7],
        ],
      );
    } finally {
      await store.close();
    }
  });

  it("hides the spans of a trace that their own dataset's retention expired, and keeps the others", async () => {
    const clock = { now: BASE_NS };
    const store = await openStore(clock, 48n * HOUR_NS);
    try {
      await store.setDatasetRetention('short', 2n * HOUR_NS);
      const span = (dataset: string, spanId: bigint, timestampNs: bigint): ReturnType<typeof eventRecord> =>
        eventRecord({ dataset, serviceName: dataset, timestampNs, traceId: TRACE_ID, spanId, name: `${dataset}-${spanId}` });
      store.enqueue([span('short', 1n, BASE_NS), span('long', 2n, BASE_NS + 1n), span('short', 3n, BASE_NS + 2n * HOUR_NS)], 1n);
      await store.flush();
      assert.deepEqual((await store.getTrace(TRACE_ID)).map((e) => e['name']), ['short-1', 'long-2', 'short-3']);
      // Three hours later the first 'short' span is past its dataset's 2 h; 'long' keeps 48 h.
      clock.now = BASE_NS + 3n * HOUR_NS;
      assert.deepEqual((await store.getTrace(TRACE_ID)).map((e) => e['name']), ['long-2', 'short-3']);
      clock.now = BASE_NS + 5n * HOUR_NS;
      assert.deepEqual((await store.getTrace(TRACE_ID)).map((e) => e['name']), ['long-2']);
    } finally {
      await store.close();
    }
  });
});
