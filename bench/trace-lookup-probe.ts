/**
 * Where a trace lookup's time goes, before and after compaction: the trace-index query and the
 * segment read, timed apart (node dist/bench/trace-lookup-probe.js [--spans N]).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { traceIndexRowsSql, traceKey32Of, traceKeyOf } from '../src/store/duckdb/duckdb-physical-layout.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';

const HOUR_NS = 3_600_000_000_000n;
const spansArg = process.argv.indexOf('--spans');
const spans = spansArg < 0 ? 200_000 : Number(process.argv[spansArg + 1]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-probe-'));
const start = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
const clock = { now: start };
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, clock: () => clock.now, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
const ids: bigint[] = [];
let position = 0n;
for (let hour = 0; hour < 8; hour++) {
  const generator = new SpanGenerator({ seed: hour + 1, windowStartNs: start + BigInt(hour) * HOUR_NS, windowNs: HOUR_NS / 2n });
  clock.now = start + BigInt(hour + 1) * HOUR_NS;
  for (let n = 0; n < spans / 8; n += 500) {
    const batch = decodeOtlpTraceProtobuf(encodeProtobufRequest(generator.nextBatch(500)).body, {});
    position += 1n;
    store.enqueue(batch.events, position);
    if (Number(position) % 7 === 0 && batch.events[0]?.traceId != null) ids.push(batch.events[0].traceId);
  }
  await store.flush();
}
await store.sealOpenSegment();

async function timed(label: string): Promise<void> {
  const index: number[] = [];
  const segment: number[] = [];
  const whole: number[] = [];
  for (const id of ids.slice(0, 100)) {
    let t = performance.now();
    const sql = traceIndexRowsSql(true).replaceAll('$1', `'${id}'`).replaceAll('$2', `'${traceKeyOf(id)}'`).replaceAll('$3', `'${traceKey32Of(id)}'`);
    const rows = await store.runSql(`SELECT segment_id, min(min_ts_ns), max(max_ts_ns) FROM (${sql}) GROUP BY segment_id`, [], { timeoutMs: 10_000 });
    index.push(performance.now() - t);
    for (const [segmentId, min, max] of rows.rows) {
      t = performance.now();
      await store.runSql(`SELECT * FROM seg_${String(segmentId)} WHERE ts_ns BETWEEN ${String(min)} AND ${String(max)} AND trace_id = ${id}::UHUGEINT`, [], { timeoutMs: 10_000 });
      segment.push(performance.now() - t);
    }
    t = performance.now();
    await store.getTrace(id);
    whole.push(performance.now() - t);
  }
  const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
  const indexRows = (await store.runSql(`SELECT count(*) FROM (${traceIndexRowsSql()})`, [], { timeoutMs: 10_000 })).rows[0]?.[0];
  const size = (await store.runSql("SELECT used_blocks * block_size FROM pragma_database_size() WHERE database_name = 'waggle'", [], { timeoutMs: 10_000 })).rows[0]?.[0];
  console.log(
    `${label}: index query ${med(index).toFixed(2)} ms, segment read ${med(segment).toFixed(2)} ms, getTrace ${med(whole).toFixed(2)} ms (index rows ${String(indexRows)}; ` +
      `${(Number(size) / spans).toFixed(1)} bytes per span in used blocks; load ${os.loadavg()[0]!.toFixed(1)})`,
  );
}
await timed('before compaction');
await store.compactAll();
await store.runLifecycle();
await timed('after compaction');
await store.runSql('CHECKPOINT', [], { timeoutMs: 60_000 }).catch(() => undefined);
await timed('after a checkpoint');
await store.close();
// WAGGLE_PROBE_KEEP=1 keeps the store for trace-lookup-sql-probe.
if (process.env['WAGGLE_PROBE_KEEP'] === '1') console.log(`kept ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });
