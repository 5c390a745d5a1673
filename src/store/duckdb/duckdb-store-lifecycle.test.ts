import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbSpanStore } from './duckdb-span-store.js';
import { traceIndexRowsSql, traceKey32Of } from './duckdb-physical-layout.js';
import { DAY_NS, HOUR_NS, LIFECYCLE_BASE_NS, SPANS_PER_TRACE, TRACES_PER_BATCH, batchTraceId, lifecycleBatch, openLifecycleStore } from './duckdb-lifecycle-fixture.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';

const ALL_TIME = { startNs: 0n, endNs: 2n ** 62n };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-lifecycle-'));
}

/** A store on a clock the test moves; no background passes (the test runs them). */
const openStore = openLifecycleStore;

async function countEvents(store: DuckDbSpanStore): Promise<number> {
  const rows = await store.runSql(`SELECT count(*) FROM ${store.relation({ kind: 'all' }, ['ts_ns'], ALL_TIME)}`, [], { timeoutMs: 10_000 });
  return Number(rows.rows[0]?.[0]);
}

async function scalar(store: DuckDbSpanStore, sql: string): Promise<number> {
  const rows = await store.runSql(sql, [], { timeoutMs: 10_000 });
  return Number(rows.rows[0]?.[0]);
}

/** Writes batch `batch` at `timeNs` with the clock at `clockNs` (a new segment once the open one is an hour old). */
async function writeBatch(store: DuckDbSpanStore, clock: { now: bigint }, batch: number, timeNs: bigint, dataset = 'life'): Promise<void> {
  clock.now = timeNs;
  store.enqueue(lifecycleBatch(batch, timeNs, dataset), BigInt(batch));
  await store.flush();
}

describe('retention on a controlled clock', () => {
  const clock = { now: LIFECYCLE_BASE_NS };
  let store: DuckDbSpanStore;
  before(async () => {
    store = await openStore(tempDir(), clock, { retentionNs: 36n * HOUR_NS });
    // One batch per day: each lands in a segment of its own (the open one is a day old by then).
    for (let day = 0; day < 3; day++) await writeBatch(store, clock, day + 1, LIFECYCLE_BASE_NS + BigInt(day) * DAY_NS);
    clock.now = LIFECYCLE_BASE_NS + 2n * DAY_NS + 2n * HOUR_NS;
  });
  after(() => store.close());

  it('never returns events older than the retention, before their segment is deleted', async () => {
    assert.equal(await countEvents(store), 2 * TRACES_PER_BATCH * SPANS_PER_TRACE);
    assert.deepEqual(await store.getTrace(batchTraceId(1, 0)), []);
    assert.equal((await store.getTrace(batchTraceId(2, 0))).length, SPANS_PER_TRACE);
    const traces = await store.listTraces({ limit: 1000 });
    const expected = [2, 3].flatMap((batch) => Array.from({ length: TRACES_PER_BATCH }, (_, t) => batchTraceId(batch, t).toString(16).padStart(32, '0')));
    assert.deepEqual(traces.map((t) => t.trace_id).sort(), expected.sort());
    // Autocomplete samples only what is visible: two days of three span names.
    const values = await store.topValues({ kind: 'all' }, 'name', 10);
    assert.deepEqual(values, [
      { value: 'op-0', count: 2 * TRACES_PER_BATCH },
      { value: 'op-1', count: 2 * TRACES_PER_BATCH },
      { value: 'op-2', count: 2 * TRACES_PER_BATCH },
    ]);
    assert.equal(store.lifecycleStats().retention.segments, 0);
  });

  it('deletes the expired day as a whole segment, with the trace index rows, in one pass', async () => {
    const segmentsBefore = await scalar(store, 'SELECT count(*) FROM waggle_segments');
    assert.equal(segmentsBefore, 3);
    await store.runLifecycle();
    const stats = store.lifecycleStats();
    assert.equal(stats.retention.segments, 1);
    assert.equal(stats.retention.events, TRACES_PER_BATCH * SPANS_PER_TRACE);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_segments'), 2);
    assert.equal(await scalar(store, `SELECT count(*) FROM (${traceIndexRowsSql()}) WHERE trace_key = ${traceKey32Of(batchTraceId(1, 0))}`), 0);
    assert.equal(await scalar(store, `SELECT count(*) FROM (${traceIndexRowsSql()}) WHERE trace_key = ${traceKey32Of(batchTraceId(2, 0))}`), 1);
    assert.equal(await scalar(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'seg_1'"), 0);
    assert.equal(await countEvents(store), 2 * TRACES_PER_BATCH * SPANS_PER_TRACE);
  });

  it('refuses arriving events older than the retention, span by span, and counts them', () => {
    const old = eventRecord({ dataset: 'life', timestampNs: clock.now - 37n * HOUR_NS, name: 'too old' });
    const oldEvent = eventRecord({ dataset: 'life', timestampNs: clock.now - 37n * HOUR_NS, annotationType: 'span_event' });
    const fresh = eventRecord({ dataset: 'life', timestampNs: clock.now - HOUR_NS, name: 'fresh' });
    const answer = store.admit([old, oldEvent, fresh], 'span');
    assert.deepEqual([...(answer.refused ?? [])], [2, 2, 0]);
    assert.equal(
      answer.expiredReason,
      "older than dataset 'life' keeps events (retention 36h): timestamp 2025-11-22T13:00:00.000000000Z is before 2025-11-22T14:00:00.000000000Z",
    );
    assert.equal(store.lifecycleStats().expiredEventsRefused, 1);
  });

  it('judges retention as of the receive time it is given, so replay refuses exactly what live ingest did', () => {
    const received = clock.now - 10n * HOUR_NS;
    // 40 h old now, 30 h old when received: admitted as of then, refused as of now.
    const event = eventRecord({ dataset: 'life', timestampNs: clock.now - 40n * HOUR_NS });
    assert.equal(store.admit([event], 'span', received).refused, null);
    assert.deepEqual([...(store.admit([event], 'span').refused ?? [])], [2]);
  });

  it('lets a dataset keep its events shorter than the store-wide retention', async () => {
    const key = store.findDataset('life')!.selector.name;
    await store.setDatasetRetention(key, 12n * HOUR_NS);
    assert.deepEqual(store.datasetRetention(key), { retentionNs: 12n * HOUR_NS, overrideNs: 12n * HOUR_NS });
    // Day 1 (26 h old) is now hidden at once, and deleted by the next pass.
    assert.equal(await countEvents(store), TRACES_PER_BATCH * SPANS_PER_TRACE);
    await store.runLifecycle();
    assert.equal(store.lifecycleStats().retention.segments, 2);
    await store.setDatasetRetention(key, null);
    assert.deepEqual(store.datasetRetention(key), { retentionNs: 36n * HOUR_NS, overrideNs: null });
  });
});

describe('the disk budget', () => {
  it('deletes the oldest segments first, keeps the newest, and says so in the log', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const lines: string[] = [];
    const store = await openStore(tempDir(), clock, { maxDiskBytes: 1, log: (line) => lines.push(line) });
    for (let batch = 1; batch <= 4; batch++) await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 2n * HOUR_NS);
    await store.runLifecycle();
    const stats = store.lifecycleStats();
    assert.equal(stats.diskBudget.segments, 3);
    assert.equal(stats.diskBudget.events, 3 * TRACES_PER_BATCH * SPANS_PER_TRACE);
    assert.equal(stats.retention.segments, 0);
    assert.equal(await countEvents(store), TRACES_PER_BATCH * SPANS_PER_TRACE);
    assert.equal((await store.getTrace(batchTraceId(4, 7))).length, SPANS_PER_TRACE);
    assert.deepEqual(await store.getTrace(batchTraceId(3, 7)), []);
    assert.equal(lines.filter((l) => l.startsWith('disk budget: ')).length, 1);
    assert.match(lines.find((l) => l.startsWith('disk budget: '))!, /deleting the 3 oldest segments \(180 events/);
    // Ingest goes on after the deletion.
    await writeBatch(store, clock, 5, LIFECYCLE_BASE_NS + 10n * HOUR_NS);
    assert.equal(await countEvents(store), 2 * TRACES_PER_BATCH * SPANS_PER_TRACE);
    await store.close();
  });
});

describe('bytes per dataset', () => {
  it('apportions the bytes the database uses to datasets by segment blocks and rows, and shows each segment state', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const store = await openStore(tempDir(), clock);
    // One segment: three batches of alpha, one of beta.
    for (let batch = 1; batch <= 3; batch++) await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 1_000_000_000n, 'alpha');
    await writeBatch(store, clock, 4, LIFECYCLE_BASE_NS + 4n * 1_000_000_000n, 'beta');
    assert.deepEqual(store.lifecycleStats().segments, { open: 1, sealed: 0, compacted: 0 });
    assert.equal(store.lifecycleStats().compactionPending, false);
    await store.runLifecycle();
    let stats = store.lifecycleStats();
    const { alpha = 0, beta = 0 } = stats.datasetBytes ?? {};
    assert.ok(beta > 0, `beta ${beta}`);
    assert.ok(Math.abs(alpha - 3 * beta) <= 3, `alpha ${alpha}, beta ${beta}: rows are 3 to 1`);
    assert.ok(Math.abs(alpha + beta - stats.bytesOnDisk) <= 1, `alpha + beta ${alpha + beta}, database ${stats.bytesOnDisk}`);
    // Sealed, it is due for compaction; the next pass compacts it, and the estimate still adds up.
    await store.sealOpenSegment();
    assert.deepEqual(store.lifecycleStats().segments, { open: 0, sealed: 1, compacted: 0 });
    assert.equal(store.lifecycleStats().compactionPending, true);
    await store.runLifecycle();
    assert.deepEqual(store.lifecycleStats().segments, { open: 0, sealed: 0, compacted: 1 });
    assert.equal(store.lifecycleStats().compactionPending, false);
    await store.runLifecycle();
    stats = store.lifecycleStats();
    const after = stats.datasetBytes ?? {};
    assert.deepEqual(Object.keys(after).sort(), ['alpha', 'beta']);
    assert.ok(Math.abs(after['alpha']! - 3 * after['beta']!) <= 3, JSON.stringify(after));
    assert.ok(Math.abs(after['alpha']! + after['beta']! - stats.bytesOnDisk) <= 1, `${JSON.stringify(after)} vs ${stats.bytesOnDisk}`);
    await store.close();
  });
});

describe('compaction', () => {
  it('merges narrow sealed segments into one in time order, keeping every trace exact', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const dir = tempDir();
    let store = await openStore(dir, clock);
    for (let batch = 1; batch <= 5; batch++) {
      await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 10_000_000_000n);
      await store.sealOpenSegment();
    }
    // Ingest and reads go on while it compacts.
    const ingest = (async () => {
      for (let batch = 6; batch <= 8; batch++) await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 10_000_000_000n);
    })();
    const reads = (async () => {
      for (let i = 0; i < 20; i++) assert.equal((await store.getTrace(batchTraceId(1 + (i % 5), i))).length, SPANS_PER_TRACE);
    })();
    assert.equal(await store.compactAll(), 1);
    await Promise.all([ingest, reads]);
    const stats = store.lifecycleStats();
    assert.equal(stats.compactions, 1);
    assert.equal(stats.compactedSegments, 5);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_segments WHERE compacted'), 1);
    await store.close();
    store = await openStore(dir, clock);
    assert.equal(await countEvents(store), 8 * TRACES_PER_BATCH * SPANS_PER_TRACE);
    for (let batch = 1; batch <= 8; batch++) {
      for (let t = 0; t < TRACES_PER_BATCH; t++) {
        const spans = await store.getTrace(batchTraceId(batch, t));
        assert.deepEqual(spans.map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
      }
    }
    const compacted = await scalar(store, 'SELECT id FROM waggle_segments WHERE compacted');
    // One index row per trace: the 5 compacted batches' in the compacted segment's rows, only the
    // 3 batches written meanwhile (the open segment) in the live table.
    assert.equal(await scalar(store, `SELECT count(*) - count(DISTINCT trace_key) FROM (${traceIndexRowsSql()})`), 0);
    // (compactAll merged the run into waggle_trace_merged32: nothing else is compacted)
    assert.equal(await scalar(store, `SELECT count(*) FROM waggle_trace_merged32 WHERE segment_id = ${compacted}`), 5 * TRACES_PER_BATCH);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32'), 5 * TRACES_PER_BATCH);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_runs'), 0);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_index'), 3 * TRACES_PER_BATCH);
    // The compacted rows are in order of whole seconds, then trace, then time.
    const key = 'ts_ns // 1000000000, trace_id, ts_ns';
    assert.equal(await scalar(store, `SELECT count(*) FROM (SELECT (${key}) < lag((${key})) OVER (ORDER BY rowid) AS back FROM seg_${compacted}) WHERE back`), 0);
    await store.close();
  });

  it('stores a second\'s interleaved traces each as one run of rows, in time order within the trace and the seconds in order', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const dir = tempDir();
    const store = await openStore(dir, clock);
    const second = LIFECYCLE_BASE_NS + 7n * 1_000_000_000n;
    // Traces A (id 0xb) and B (id 0xa) take turns within one second; A's last span starts in the next one.
    const span = (traceId: bigint, spanId: bigint, atMs: bigint) =>
      eventRecord({ dataset: 'order', timestampNs: second + atMs * 1_000_000n, durationNs: 1_000n, traceId, spanId, name: `s${spanId}` });
    store.enqueue([span(0xbn, 1n, 100n), span(0xan, 2n, 200n), span(0xbn, 3n, 300n), span(0xan, 4n, 400n), span(0xbn, 5n, 1_050n), span(0xan, 6n, 0n)], 1n);
    await store.flush();
    await store.sealOpenSegment();
    assert.equal(await store.compactAll(), 1);
    const compacted = await scalar(store, 'SELECT id FROM waggle_segments WHERE compacted');
    const rows = await store.runSql(`SELECT span_id FROM seg_${compacted} ORDER BY rowid`, [], { timeoutMs: 10_000 });
    // Time order would be 6, 1, 2, 3, 4, 5.
    assert.deepEqual(rows.rows.map((r) => Number(r[0])), [6, 2, 4, 1, 3, 5]);
    assert.deepEqual((await store.getTrace(0xbn)).map((s) => s['name']), ['s1', 's3', 's5']);
    assert.deepEqual((await store.getTrace(0xan)).map((s) => s['name']), ['s6', 's2', 's4']);
    await store.close();
  });

  it('finds every span of a trace while compactions swap segments under its lookups', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const store = await openStore(tempDir(), clock);
    const short: string[] = [];
    let lookups = 0;
    for (let round = 0; round < 4; round++) {
      const first = round * 3 + 1;
      for (let batch = first; batch < first + 3; batch++) {
        await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 10_000_000_000n);
        await store.sealOpenSegment();
      }
      let compacting = true;
      // Lookups back to back on three connections for as long as the compaction runs.
      const readers = [0, 1, 2].map(async (reader) => {
        for (let i = 0; compacting; i++) {
          const batch = 1 + ((i + reader) % (first + 2));
          const spans = await store.getTrace(batchTraceId(batch, i % TRACES_PER_BATCH));
          lookups += 1;
          if (spans.length !== SPANS_PER_TRACE) short.push(`round ${round}: batch ${batch} trace ${i % TRACES_PER_BATCH} had ${spans.length} spans`);
        }
      });
      await store.compactAll();
      compacting = false;
      await Promise.all(readers);
    }
    assert.ok(lookups >= 12, `only ${lookups} lookups ran during the compactions`);
    assert.deepEqual(short, []);
    await store.close();
  });

  it('merges narrow compacted segments again, but never across more than two hours of event time', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const store = await openStore(tempDir(), clock);
    const segments = async (): Promise<number> => scalar(store, 'SELECT count(*) FROM waggle_segments WHERE compacted');
    // A narrow compacted segment takes in the next sealed one.
    await writeBatch(store, clock, 1, LIFECYCLE_BASE_NS);
    await store.sealOpenSegment();
    assert.equal(await store.compactAll(), 1);
    await writeBatch(store, clock, 2, LIFECYCLE_BASE_NS + 60_000_000_000n);
    await store.sealOpenSegment();
    assert.equal(await store.compactAll(), 1);
    assert.equal(await segments(), 1);
    // A third, three hours later, stays apart: retention must still be able to drop the first whole.
    await writeBatch(store, clock, 3, LIFECYCLE_BASE_NS + 3n * HOUR_NS);
    await store.sealOpenSegment();
    assert.equal(await store.compactAll(), 1);
    assert.equal(await segments(), 2);
    assert.equal(store.lifecycleStats().compactions, 3);
    assert.equal(store.lifecycleStats().compactedSegments, 4);
    assert.equal(await countEvents(store), 3 * TRACES_PER_BATCH * SPANS_PER_TRACE);
    // The merged segments' runs went in the swaps: rows only of the two compacted segments, one row a trace.
    await store.runLifecycle();
    const compactedRows = 'SELECT segment_id FROM waggle_trace_runs UNION ALL SELECT segment_id FROM waggle_trace_merged32';
    assert.equal(await scalar(store, `SELECT count(DISTINCT segment_id) FROM (${compactedRows})`), 2);
    assert.equal(await scalar(store, `SELECT count(*) FROM (${compactedRows})`), 3 * TRACES_PER_BATCH);
    for (let batch = 1; batch <= 3; batch++) assert.equal((await store.getTrace(batchTraceId(batch, 3))).length, SPANS_PER_TRACE);
    await store.close();
  });

  it('merges the compacted segments\' trace-index runs into one table sorted by key; retention leaves their rows to the next merge, and lookups skip them', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const dir = tempDir();
    let store = await openStore(dir, clock, { retentionNs: 7n * HOUR_NS });
    // Four batches three hours apart: four compacted segments (never merged: over two hours apart), four runs.
    for (let batch = 1; batch <= 4; batch++) {
      await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch - 1) * 3n * HOUR_NS);
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
    }
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_segments WHERE compacted'), 4);
    assert.equal(store.lifecycleStats().traceRunMerges?.count, 4);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_runs'), 0);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32'), 4 * TRACES_PER_BATCH);
    assert.equal(await scalar(store, 'SELECT count(DISTINCT segment_id) FROM waggle_trace_merged32'), 4);
    assert.equal(await scalar(store, 'SELECT count(*) FROM (SELECT trace_key < lag(trace_key) OVER (ORDER BY rowid) AS back FROM waggle_trace_merged32) WHERE back'), 0);
    // Seven hours of retention at 9h: the first batch (0h) is hidden already, the others are found through the merged table.
    for (let batch = 2; batch <= 4; batch++) assert.equal((await store.getTrace(batchTraceId(batch, 9))).length, SPANS_PER_TRACE);
    // At 9h 1m the lifecycle deletes the segment of 0h and drops its table (no grace here). Its
    // merged index rows stay (deleting them would scan the whole merged table on the writer's
    // turn); a lookup that finds them skips the segment instead of reading a dropped table.
    clock.now = LIFECYCLE_BASE_NS + 9n * HOUR_NS + 60_000_000_000n;
    await store.runLifecycle();
    assert.equal(store.lifecycleStats().retention.segments, 1);
    assert.equal(await scalar(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'seg\\_%' ESCAPE '\\'"), 3);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32 WHERE segment_id NOT IN (SELECT id FROM waggle_segments)'), TRACES_PER_BATCH);
    assert.deepEqual(await store.getTrace(batchTraceId(1, 9)), []);
    // The next merge leaves them out.
    await writeBatch(store, clock, 5, LIFECYCLE_BASE_NS + 9n * HOUR_NS + 60_000_000_000n);
    await store.sealOpenSegment();
    assert.equal(await store.compactAll(), 1);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_runs'), 0);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32'), 4 * TRACES_PER_BATCH);
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32 WHERE segment_id NOT IN (SELECT id FROM waggle_segments)'), 0);
    await store.close();
    store = await openStore(dir, clock, { retentionNs: 7n * HOUR_NS });
    assert.deepEqual(await store.getTrace(batchTraceId(1, 9)), []);
    for (const batch of [2, 3, 4, 5]) {
      assert.deepEqual((await store.getTrace(batchTraceId(batch, 9))).map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
    }
    await store.close();
  });

  for (const [how, traceLocatorMaxRows] of [['from the index in memory', undefined], ['from the index tables (no index in memory)', 0]] as const) {
    it(`finds a trace whose spans are in the merged index, the runs and the live index, before and after a reopen, ${how}`, async () => {
      const clock = { now: LIFECYCLE_BASE_NS };
      const dir = tempDir();
      const options = traceLocatorMaxRows === undefined ? {} : { traceLocatorMaxRows };
      let store = await openStore(dir, clock, options);
      assert.equal(store.traceLocator.enabled, traceLocatorMaxRows === undefined);
      // One trace with a span in each part of the index: it arrives over three hours.
      const trace = 0xfeed0000000000000000000000000001n;
      const span = (spanId: bigint, timestampNs: bigint): ReturnType<typeof eventRecord> => eventRecord({ dataset: 'life', timestampNs, traceId: trace, spanId, name: `late-${spanId}` });
      // Seventeen batches and the trace's first span, compacted and merged: 341 rows in the merged table.
      for (let batch = 1; batch <= 17; batch++) await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 10_000_000_000n);
      store.enqueue([span(1n, LIFECYCLE_BASE_NS + 5_000_000_000n)], 100n);
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
      assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32'), 17 * TRACES_PER_BATCH + 1);
      // Three hours later (not compacted with the first: over two hours apart), one batch and the
      // second span: a run of 21 rows, under a sixteenth of the merged rows, so it stays in the runs.
      await writeBatch(store, clock, 18, LIFECYCLE_BASE_NS + 3n * HOUR_NS);
      store.enqueue([span(2n, LIFECYCLE_BASE_NS + 3n * HOUR_NS + 1n)], 101n);
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.compactAll(), 1);
      assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_runs'), TRACES_PER_BATCH + 1);
      // The third span after that compaction: in the open segment, so in the live index.
      clock.now = LIFECYCLE_BASE_NS + 3n * HOUR_NS + 600_000_000_000n;
      store.enqueue([span(3n, clock.now)], 102n);
      await store.flush();
      assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_index'), 1);
      const expected = ['late-1', 'late-2', 'late-3'];
      assert.deepEqual((await store.getTrace(trace)).map((s) => s['name']), expected);
      assert.deepEqual((await store.getTrace(batchTraceId(18, 4))).map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
      await store.close();
      // A store opened on it reads the runs too.
      store = await openStore(dir, clock, options);
      assert.deepEqual((await store.getTrace(trace)).map((s) => s['name']), expected);
      for (const batch of [1, 17, 18]) assert.deepEqual((await store.getTrace(batchTraceId(batch, 4))).map((s) => s['name']), ['op-0', 'op-1', 'op-2']);
      await store.close();
    });
  }

  it('closes while compacting without losing or leaving anything', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const dir = tempDir();
    let store = await openStore(dir, clock);
    for (let batch = 1; batch <= 4; batch++) {
      await writeBatch(store, clock, batch, LIFECYCLE_BASE_NS + BigInt(batch) * 10_000_000_000n);
      await store.sealOpenSegment();
    }
    const compacting = store.compactAll().catch(() => -1);
    await store.close();
    await compacting;
    store = await openStore(dir, clock);
    assert.equal(await countEvents(store), 4 * TRACES_PER_BATCH * SPANS_PER_TRACE);
    const registered = await scalar(store, 'SELECT count(*) FROM waggle_segments');
    assert.equal(await scalar(store, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'seg\\_%' ESCAPE '\\' OR table_name LIKE 'waggle\\_compaction%' ESCAPE '\\'`), registered);
    // Runs only of registered segments.
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_runs WHERE segment_id NOT IN (SELECT id FROM waggle_segments)'), 0);
    for (let batch = 1; batch <= 4; batch++) assert.equal((await store.getTrace(batchTraceId(batch, 5))).length, SPANS_PER_TRACE);
    await store.close();
  });

  it('seals an open segment after it stays idle, so quiet data is compacted too', async () => {
    const clock = { now: LIFECYCLE_BASE_NS };
    const store = await openStore(tempDir(), clock, { idleSealMs: 1 });
    await writeBatch(store, clock, 1, LIFECYCLE_BASE_NS);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.runLifecycle();
    assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_segments WHERE sealed AND compacted'), 1);
    await store.close();
  });
});
