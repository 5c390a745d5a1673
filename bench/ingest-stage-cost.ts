/**
 * CPU per span of the ingest path's stages in one process, without HTTP or the load generator, so
 * that a change to the decoder or the store's append path can be judged in µs per span (CPU time,
 * which other work on a shared machine disturbs far less than spans per second):
 *
 *   node dist/bench/ingest-stage-cost.js [spans, default 500000] [requests in the pool, default 32]
 *
 * The bench's own requests (500 spans each, as the load generator sends them), rewritten per pass
 * so ids and times never repeat. Stages, each over the same spans:
 * - decode: PAYLOAD_DECODERS['otlp-protobuf'] (protobuf to events), the JS thread alone;
 * - decode + admit + commit: what the server does after the WAL, into a fresh DuckDB store with
 *   the server's defaults: commits of whole row groups as they fill, then a final flush. Split into
 *   the JS thread's CPU (decode, admission, row fill, GC) and DuckDB's threads' (compression,
 *   statistics, writing) and V8's background GC, from /proc/self/task. Run it under
 *   `node --cpu-prof` to split the JS thread further.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { RequestPatcher, variantForPass } from './generator/request-patcher.js';
import { SpanGenerator } from './generator/span-generator.js';
import { parseTaskStat } from './server/thread-cpu-meter.js';
import { PAYLOAD_DECODERS } from '../src/ingest/payload-decoders.js';
import { admitPayload } from '../src/ingest/payload-admission.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const SPANS_PER_REQUEST = 500;
const totalSpans = Number(process.argv[2] ?? '500000');
const poolSize = Number(process.argv[3] ?? '32');

/** CPU seconds of this process's JS thread and of all its other threads. */
function threadCpu(): { main: number; others: number } {
  const hz = 100;
  let main = 0;
  let others = 0;
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const parsed = parseTaskStat(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
      if (parsed === null) continue;
      if (Number(tid) === process.pid) main += parsed.ticks / hz;
      else others += parsed.ticks / hz;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return { main, others };
}

const now = BigInt(Date.now()) * 1_000_000n;
const generator = new SpanGenerator({ seed: 1, windowStartNs: now - 60_000_000_000n, windowNs: 60_000_000_000n, extraAttributes: 0 });
const patchers = Array.from({ length: poolSize }, () => new RequestPatcher(encodeProtobufRequest(generator.nextBatch(SPANS_PER_REQUEST))));
const requests = Math.ceil(totalSpans / SPANS_PER_REQUEST);
const bodyOf = (i: number): Buffer => {
  const patcher = patchers[i % poolSize]!;
  patcher.apply(variantForPass(1, Math.floor(i / poolSize), 0n));
  return Buffer.from(patcher.request.body);
};
const meta = { contentEncoding: 'identity', receivedAtNs: now.toString() };
const decode = PAYLOAD_DECODERS['otlp-protobuf'];

// Warm-up: the optimised code's figures, not the interpreter's.
for (let i = 0; i < 200; i++) decode(bodyOf(i), meta, 64 << 20);

function measure<T>(label: string, run: () => Promise<T>): Promise<T> {
  return (async () => {
    const before = threadCpu();
    const wallStart = performance.now();
    const result = await run();
    const wall = (performance.now() - wallStart) / 1000;
    const after = threadCpu();
    const spans = requests * SPANS_PER_REQUEST;
    const us = (seconds: number): string => ((seconds * 1e6) / spans).toFixed(2);
    process.stdout.write(
      `${label}: ${spans} spans, JS thread ${us(after.main - before.main)} µs/span, ` +
        `other threads ${us(after.others - before.others)} µs/span, total ${us(after.main - before.main + after.others - before.others)} µs/span, ` +
        `wall ${wall.toFixed(1)} s (${Math.round(spans / wall)} spans/s)\n`,
    );
    return result;
  })();
}

await measure('decode', async () => {
  for (let i = 0; i < requests; i++) decode(bodyOf(i), meta, 64 << 20);
});

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-stage-cost-'));
const threads = Number(process.env['STAGE_THREADS'] ?? DEFAULT_DUCKDB_STORE_OPTIONS.threads);
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, threads, dataDir, lifecycleIntervalMs: 0 });
try {
  await measure('decode + admit + commit', async () => {
    for (let i = 0; i < requests; i++) {
      const decoded = admitPayload(decode(bodyOf(i), meta, 64 << 20), 'otlp-protobuf', store, now);
      store.enqueue(decoded.batch.events, BigInt(i + 1), now);
      // As the server does: the event loop turns between requests, so queued row-group commits run.
      if (store.pendingEvents() >= 4 * DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize) await new Promise<void>((resolve) => setImmediate(resolve));
      while (store.pendingEvents() >= 8 * DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    await store.flush();
  });
} finally {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
