/**
 * What DuckDB's memory limit (its buffer pool) costs compaction, on the store itself (no HTTP):
 *   node dist/bench/compaction-pool-probe.js --memory-limit 358MiB [--spans N]
 * Loads N benchmark spans (the load generator's, over 24 h of event time, decoded by Waggle's own
 * decoder) into segments sealed by size as the server's are (1M rows), then times compactAll():
 * wall seconds, the process's CPU seconds, and VmHWM before and after. Run it alternately with two
 * limits in the same minutes (the machine is shared); one process per limit (DuckDB's limit is
 * fixed once the store is open).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';

const REQUEST_SPANS = 500;
const DAY_NS = 86_400_000_000_000n;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

function vmHwmMib(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

const spans = Number(option('--spans', '2000000'));
const memoryLimit = option('--memory-limit', DEFAULT_DUCKDB_STORE_OPTIONS.memoryLimit);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-compaction-pool-'));
const windowStartNs = BigInt(Date.now()) * 1_000_000n - DAY_NS;
const store = await DuckDbSpanStore.open({
  ...DEFAULT_DUCKDB_STORE_OPTIONS,
  dataDir: dir,
  memoryLimit,
  lifecycleIntervalMs: 0,
  retiredTableGraceMs: 0,
  log: (line) => process.stderr.write(`store: ${line}\n`),
});
const generator = new SpanGenerator({ seed: 1, windowStartNs, windowNs: DAY_NS });
let position = 0n;
const loadStart = performance.now();
for (let loaded = 0; loaded < spans; loaded += REQUEST_SPANS) {
  const request = encodeProtobufRequest(generator.nextBatch(Math.min(REQUEST_SPANS, spans - loaded)));
  position += 1n;
  store.enqueue(decodeOtlpTraceProtobuf(request.body, {}).events, position);
  if (store.pendingEvents() >= DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize * 4) await store.flush();
}
await store.flush();
await store.sealOpenSegment();
const loadSeconds = (performance.now() - loadStart) / 1000;
const hwmBefore = vmHwmMib();
const cpuBefore = cpuSeconds();
const compactStart = performance.now();
const compactions = await store.compactAll();
const compactSeconds = (performance.now() - compactStart) / 1000;
const compactCpu = cpuSeconds() - cpuBefore;
const tempFiles = fs.existsSync(path.join(dir, 'waggle.duckdb.tmp')) ? fs.readdirSync(path.join(dir, 'waggle.duckdb.tmp')).length : 0;
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ memoryLimit, spans, loadSeconds: Math.round(loadSeconds * 10) / 10, compactions, compactSeconds: Math.round(compactSeconds * 10) / 10, compactCpuSeconds: Math.round(compactCpu * 10) / 10, vmHwmMibBeforeCompaction: hwmBefore, vmHwmMibAfter: vmHwmMib(), tempFilesLeft: tempFiles, loadAverage: os.loadavg()[0]?.toFixed(1) })}\n`,
);
