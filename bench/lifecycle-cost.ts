/**
 * What the storage lifecycle costs, measured on the store itself (no HTTP):
 *   node dist/bench/lifecycle-cost.js [--spans N] [--days D]
 * Loads N benchmark spans (the load generator's realistic spans, encoded as OTLP protobuf and
 * decoded by Waggle's own decoder) spread over D days of event time, on a clock the script moves
 * so that segments are sealed by age (one per hour of data). Then reports:
 *  - bytes per span (database blocks after a checkpoint) before and after compacting everything;
 *  - trace by id in the store (getTrace), median and p99 over 200 known traces, before and after;
 *  - the cost of deleting the oldest day: the retention pass's duration, and the longest stall a
 *    concurrent writer (commits of 500 spans) and reader (trace lookups) saw meanwhile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';

const HOUR_NS = 3_600_000_000_000n;
const DAY_NS = 24n * HOUR_NS;
const REQUEST_SPANS = 500;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const spans = argument('--spans', 1_000_000);
const days = argument('--days', 2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-lifecycle-cost-'));
const startNs = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
const clock = { now: startNs };
const store = await DuckDbSpanStore.open({
  ...DEFAULT_DUCKDB_STORE_OPTIONS,
  dataDir: dir,
  clock: () => clock.now,
  retentionNs: BigInt(days) * DAY_NS,
  lifecycleIntervalMs: 0,
  retiredTableGraceMs: 0,
  log: (line) => process.stderr.write(`store: ${line}\n`),
});

async function usedBytes(): Promise<number> {
  await store.runSql('CHECKPOINT', [], { timeoutMs: 600_000 }).catch(() => undefined);
  const rows = await store.runSql("SELECT used_blocks * block_size FROM pragma_database_size() WHERE database_name = 'waggle'", [], { timeoutMs: 10_000 });
  return Number(rows.rows[0]?.[0]);
}

async function traceLookups(ids: readonly bigint[]): Promise<{ p50: number; p99: number; spans: number }> {
  const times: number[] = [];
  let found = 0;
  for (const id of ids) {
    const t0 = performance.now();
    found += (await store.getTrace(id)).length;
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), spans: found };
}

// Event time advances evenly over `days`; the clock follows it, so a segment is sealed each hour.
const hours = days * 24;
const perHour = Math.ceil(spans / hours);
const traceIds: bigint[] = [];
let position = 0n;
let loaded = 0;
const loadStart = performance.now();
for (let hour = 0; hour < hours && loaded < spans; hour++) {
  const hourStart = startNs + BigInt(hour) * HOUR_NS;
  const generator = new SpanGenerator({ seed: hour + 1, windowStartNs: hourStart, windowNs: HOUR_NS - 60_000_000_000n });
  clock.now = hourStart + HOUR_NS;
  for (let inHour = 0; inHour < perHour && loaded < spans; inHour += REQUEST_SPANS) {
    const request = encodeProtobufRequest(generator.nextBatch(Math.min(REQUEST_SPANS, spans - loaded)));
    const batch = decodeOtlpTraceProtobuf(request.body, {});
    position += 1n;
    store.enqueue(batch.events, position);
    loaded += request.spanCount;
    const first = batch.events[0]?.traceId;
    if (first != null && traceIds.length < 200 && Number(position) % Math.max(1, Math.floor(spans / REQUEST_SPANS / 200)) === 0) traceIds.push(first);
    if (store.pendingEvents() >= DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize * 4) await store.flush();
  }
  await store.flush();
}
await store.sealOpenSegment();
const loadSeconds = (performance.now() - loadStart) / 1000;
const segmentsBefore = Number((await store.runSql('SELECT count(*) FROM waggle_segments', [], { timeoutMs: 10_000 })).rows[0]?.[0]);
const bytesBefore = await usedBytes();
const lookupsBefore = await traceLookups(traceIds);

const compactStart = performance.now();
const compactions = await store.compactAll();
const compactSeconds = (performance.now() - compactStart) / 1000;
// A pass drops the replaced segments' tables (nothing has expired yet: the clock is within the retention).
await store.runLifecycle();
const segmentsAfter = Number((await store.runSql('SELECT count(*) FROM waggle_segments', [], { timeoutMs: 10_000 })).rows[0]?.[0]);
const bytesAfter = await usedBytes();
const lookupsAfter = await traceLookups(traceIds);

// Delete the oldest day: move the clock a day on, with a writer and a reader running.
clock.now = startNs + BigInt(days + 1) * DAY_NS + HOUR_NS;
let running = true;
let writerStall = 0;
let readerStall = 0;
let writes = 0;
const writer = (async () => {
  const generator = new SpanGenerator({ seed: 999, windowStartNs: clock.now - HOUR_NS, windowNs: HOUR_NS / 2n });
  while (running) {
    const batch = decodeOtlpTraceProtobuf(encodeProtobufRequest(generator.nextBatch(REQUEST_SPANS)).body, {});
    position += 1n;
    const t0 = performance.now();
    store.enqueue(batch.events, position);
    await store.flush();
    writerStall = Math.max(writerStall, performance.now() - t0);
    writes += 1;
  }
})();
const reader = (async () => {
  let i = 0;
  while (running) {
    const t0 = performance.now();
    await store.getTrace(traceIds[i++ % traceIds.length]!);
    readerStall = Math.max(readerStall, performance.now() - t0);
  }
})();
await new Promise((resolve) => setTimeout(resolve, 500));
const baselineWriter = writerStall;
const baselineReader = readerStall;
writerStall = 0;
readerStall = 0;
const turnBefore = store.lifecycleStats().longestWriterTurnMs ?? 0;
const deleteStart = performance.now();
await store.runLifecycle();
const deleteMs = performance.now() - deleteStart;
await new Promise((resolve) => setTimeout(resolve, 200));
running = false;
await Promise.all([writer, reader]);
const stats = store.lifecycleStats();
await store.close();
fs.rmSync(dir, { recursive: true, force: true });

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
console.log(
  JSON.stringify(
    {
      spans: loaded,
      days,
      loadSeconds: round(loadSeconds),
      segments: { beforeCompaction: segmentsBefore, afterCompaction: segmentsAfter, compactions, compactSeconds: round(compactSeconds) },
      bytesPerSpan: { beforeCompaction: round(bytesBefore / loaded), afterCompaction: round(bytesAfter / loaded) },
      traceByIdInStoreMs: { before: { p50: round(lookupsBefore.p50, 2), p99: round(lookupsBefore.p99, 2) }, after: { p50: round(lookupsAfter.p50, 2), p99: round(lookupsAfter.p99, 2) }, traces: traceIds.length, spansFound: lookupsAfter.spans },
      deleteOldestDay: {
        passMs: round(deleteMs),
        deletedEvents: stats.retention.events,
        deletedSegments: stats.retention.segments,
        longestCommitMs: { during: round(writerStall), before: round(baselineWriter) },
        longestTraceLookupMs: { during: round(readerStall), before: round(baselineReader) },
        commitsDuring: writes,
        longestWriterTurnMs: { thisPass: stats.lastPassLongestWriterTurnMs, allPassesBefore: turnBefore },
      },
      loadAverage: os.loadavg().map((n) => round(n, 2)),
    },
    null,
    2,
  ),
);
