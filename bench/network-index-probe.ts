/**
 * network.* through the DuckDB client-parent index against the read-time join, on a kept bench data
 * set (`--data-dir` of `npm run bench`; work on a copy: the store opens it for writing).
 * `node dist/bench/network-index-probe.js DIR [runs] [--live]`: opens DIR, builds the index (timed),
 * with --live adds 1 000 client/server pairs to the open segment (data the index does not cover), then for
 * P95(duration_ms) by http.route (the reference) and P95(network.latency_ms) by http.route, indexed
 * and joined at read time, runs the runner's statement through `store.runSql` in turn, and prints
 * wall and process CPU medians (DuckDB runs in the process, so its threads count), and whether the
 * two network answers are identical.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareQuerySpec } from '../src/query/query-engine.js';
import { QueryRunner } from '../src/query/query-runner.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import type { SpanStore } from '../src/store/span-store.js';
import type { EventRecord } from '../src/core/event-record.js';

const dir = process.argv[2]!;
const runs = Number(process.argv[3] ?? 5);
const load = JSON.parse(fs.readFileSync(`${dir}.load.json`, 'utf8')) as { windowStart: number; windowEnd: number };
const window = { start_time: load.windowStart, end_time: load.windowEnd };

const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit: '512MB', lifecycleIntervalMs: 0, log: () => undefined });
const withoutIndex: SpanStore = new Proxy(store, {
  get(target, property) {
    if (property === 'clientParentSource') return undefined;
    const value: unknown = Reflect.get(target, property, target);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
});
const schema = await store.querySchema({ kind: 'all' });
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

console.log(`${path.basename(dir)}: load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
let t = performance.now();
let c = cpuNow();
await store.sealOpenSegment();
await store.refreshClientParentIndex();
const figures = store['clientParents'].lastBuildFigures();
console.log(`index build: ${(performance.now() - t).toFixed(0)} ms wall, ${(cpuNow() - c).toFixed(0)} ms CPU, ${figures.rows} rows over ${figures.covered} segments`);
if (process.argv.includes('--live')) {
  // Live data: client/server pairs committed to the open segment (not covered), spread over the
  // window, so the compiler adds the read-time parts for the uncovered data.
  const events: EventRecord[] = [];
  const startNs = BigInt(load.windowStart) * 1_000_000_000n;
  for (let i = 0; i < 1000; i += 1) {
    const at = startNs + BigInt(i) * 86_000_000_000n;
    const trace = 0x5eed0000000000000000n + BigInt(i);
    const common = { dataset: 'live', traceId: trace, statusCode: 'unset' as const, statusMessage: null, libraryName: null, libraryVersion: null, annotationType: null, sampleRate: 1, attributes: [] };
    events.push({ ...common, timestampNs: at, durationNs: 50_000_000n, spanId: BigInt(2 * i + 1), parentId: null, name: 'fetch', serviceName: 'live-web', kind: 'client' });
    events.push({ ...common, timestampNs: at + 5_000_000n, durationNs: 30_000_000n, spanId: BigInt(2 * i + 2), parentId: BigInt(2 * i + 1), name: 'handle', serviceName: 'live-api', kind: 'server' });
  }
  store.enqueue(events, (await store.committedWalPosition()) + 1n);
  await store.flush();
  console.log('live: 1 000 client/server pairs in the open segment (uncovered)');
}

const variants = [
  { name: 'P95(duration_ms) by http.route', store: store as SpanStore, column: 'duration_ms' },
  { name: 'P95(network.latency_ms), index', store: store as SpanStore, column: 'network.latency_ms' },
  { name: 'P95(network.latency_ms), read-time join', store: withoutIndex, column: 'network.latency_ms' },
];
const samples = variants.map(() => ({ wall: [] as number[], cpu: [] as number[], rows: '' }));
for (let i = 0; i <= runs; i += 1) {
  for (const [k, v] of variants.entries()) {
    const spec = prepareQuerySpec({ ...window, calculations: [{ op: 'P95', column: v.column }], breakdowns: ['http.route'] }, schema);
    const compiled = await new QueryRunner(v.store).compile({ kind: 'all' }, spec, { disableSeries: false });
    t = performance.now();
    c = cpuNow();
    const result = await store.runSql(compiled.sql, compiled.parameters, { timeoutMs: 600_000 });
    const wall = performance.now() - t;
    const cpu = cpuNow() - c;
    // The first run of each is cold: left out of the medians.
    if (i > 0) {
      samples[k]!.wall.push(wall);
      samples[k]!.cpu.push(cpu);
    }
    samples[k]!.rows = JSON.stringify(result.rows, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  }
}
for (const [k, v] of variants.entries()) {
  console.log(`${v.name}: median ${median(samples[k]!.wall).toFixed(0)} ms wall, ${median(samples[k]!.cpu).toFixed(0)} ms CPU (${runs} warm runs)`);
}
const ratio = (k: number): string => `${(median(samples[k]!.cpu) / median(samples[0]!.cpu)).toFixed(2)}× CPU, ${(median(samples[k]!.wall) / median(samples[0]!.wall)).toFixed(2)}× wall`;
console.log(`network over duration: index ${ratio(1)}; read-time join ${ratio(2)}`);
console.log(`index and read-time join answer identically: ${samples[1]!.rows === samples[2]!.rows}`);
console.log(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await store.close();
