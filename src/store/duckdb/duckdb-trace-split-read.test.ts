import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { traceColumnGroups, zipColumnGroups } from './duckdb-trace-column-groups.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const TRACE_ID = 0x5b11700000000000000000000000000bn;
const OTHER_TRACE_ID = 0x5b11700000000000000000000000000cn;

async function openStore(traceReadParts: number): Promise<DuckDbSpanStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-split-read-'));
  return DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, traceReadParts, log: () => undefined });
}

/** A span of the trace with attributes of every kind, so that each column group holds some. */
function span(spanId: bigint, offsetNs: bigint, traceId = TRACE_ID): EventRecord {
  return eventRecord({
    timestampNs: BASE_NS + offsetNs,
    traceId,
    spanId,
    parentId: spanId === 1n ? null : 1n,
    name: `op-${spanId}`,
    statusCode: spanId % 2n === 0n ? 'error' : 'ok',
    attributes: [
      attributeLayer([
        ['http.route', 'string', `/r/${spanId}`],
        ['http.status_code', 'integer', 200 + Number(spanId)],
        ['cache.hit', 'boolean', spanId % 2n === 1n],
        ['ratio', 'float', Number(spanId) / 4],
        [`only.${spanId}`, 'string', `v${spanId}`],
      ]),
    ],
  });
}

const summary = (events: readonly Record<string, unknown>[]): unknown[][] =>
  events.map((e) => [e['trace.span_id'], e['name'], e['http.route'], e['http.status_code'], e['cache.hit'], e['ratio'], e['error'], e['only.1'], e['only.4']]);

describe('DuckDB trace reads split in column groups', () => {
  it('splits columns into near-equal groups in order, and never more groups than columns', () => {
    assert.deepEqual(traceColumnGroups(['a', 'b', 'c', 'd', 'e'], 2), [
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    assert.deepEqual(traceColumnGroups(['a', 'b'], 3), [['a'], ['b']]);
    assert.deepEqual(traceColumnGroups(['a', 'b', 'c'], 1), [['a', 'b', 'c']]);
  });

  it('puts the parts back together by rowid, whatever order each part returned its rows in', () => {
    assert.deepEqual(
      zipColumnGroups([
        [
          ['x1', 1, 10n],
          ['x2', 2, 11n],
        ],
        [
          ['y2', 11n],
          ['y1', 10n],
        ],
      ]),
      [
        ['x1', 1, 'y1'],
        ['x2', 2, 'y2'],
      ],
    );
  });

  it('refuses to zip parts that do not hold the same rows (the caller then reads the segment whole)', () => {
    assert.equal(zipColumnGroups([[['x1', 10n]], [['y1', 10n], ['y2', 11n]]]), null);
    assert.equal(zipColumnGroups([[['x1', 10n]], [['y1', 12n]]]), null);
    assert.equal(
      zipColumnGroups([
        [
          ['x1', 10n],
          ['x2', 11n],
        ],
        [
          ['y1', 10n],
          ['y1', 10n],
        ],
      ]),
      null,
    );
  });

  it('returns every span and attribute of a trace straddling a sealed and the open segment, as an unsplit read does', async () => {
    const split = await openStore(2);
    const whole = await openStore(1);
    try {
      for (const store of [split, whole]) {
        store.enqueue([span(1n, 0n), span(2n, 1_000n), span(3n, 2_000n, OTHER_TRACE_ID)], 1n);
        await store.flush();
        await store.sealOpenSegment();
        // The open segment: more spans of the same trace, committed after the seal.
        store.enqueue([span(4n, 3_000n), span(5n, 4_000n)], 2n);
        await store.flush();
      }
      const expected = [
        ['0000000000000001', 'op-1', '/r/1', 201, true, 0.25, false, 'v1', undefined],
        ['0000000000000002', 'op-2', '/r/2', 202, false, 0.5, true, undefined, undefined],
        ['0000000000000004', 'op-4', '/r/4', 204, false, 1, true, undefined, 'v4'],
        ['0000000000000005', 'op-5', '/r/5', 205, true, 1.25, false, undefined, undefined],
      ];
      const splitEvents = await split.getTrace(TRACE_ID);
      assert.deepEqual(summary(splitEvents), expected);
      assert.deepEqual(splitEvents, await whole.getTrace(TRACE_ID));
      // Both segments sealed and compacted into one: the whole trace from the split read still.
      for (const store of [split, whole]) {
        await store.sealOpenSegment();
        assert.equal(await store.compactAll(), 1);
      }
      const compacted = await split.getTrace(TRACE_ID);
      assert.deepEqual(summary(compacted), expected);
      assert.deepEqual(compacted, await whole.getTrace(TRACE_ID));
    } finally {
      await split.close();
      await whole.close();
    }
  });

  it('returns the whole trace from split reads running while a compaction swaps its segments', async () => {
    const store = await openStore(2);
    try {
      const spans: EventRecord[] = [];
      for (let i = 1n; i <= 40n; i += 1n) spans.push(span(i, i * 1_000n));
      // Four sealed segments of ten spans each, so the compaction swaps all four for one.
      for (let s = 0; s < 4; s += 1) {
        store.enqueue(spans.slice(s * 10, s * 10 + 10), BigInt(s + 1));
        await store.flush();
        await store.sealOpenSegment();
      }
      const expectedIds = spans.map((s) => s.spanId!.toString(16).padStart(16, '0'));
      const lookups: Promise<void>[] = [];
      const compaction = store.compactAll();
      for (let i = 0; i < 12; i += 1) {
        lookups.push(store.getTrace(TRACE_ID).then((events) => assert.deepEqual(events.map((e) => e['trace.span_id']), expectedIds)));
      }
      assert.equal(await compaction, 1);
      await Promise.all(lookups);
      assert.deepEqual(summary(await store.getTrace(TRACE_ID)).length, 40);
    } finally {
      await store.close();
    }
  });
});
