/**
 * How BubbleUp and the service map scale with the data, in-process (no HTTP, no WAL): the bench's
 * span generator fills a store with N spans over 24 h, then each analysis runs through its real
 * runner (compile, one admitted read, shaping), 1 cold + warm runs.
 * `node dist/bench/bubbleup-probe.js --spans 1000000 [--keep DIR] [--reuse DIR] [--warm-runs N] [--threads N] [--window START,END] [--only bubbleup]`
 * (`--window`: the query's range in unix seconds, such as a data set `npm run bench -- --data-dir` kept).
 * `--reuse DIR --window START,END --top-up N [--seed S] [--extra-attributes E]` first adds N generated
 * spans over that window to the kept store (when a bench load stopped short of its size).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { BubbleUpRunner } from '../src/query/bubbleup/bubbleup-runner.js';
import { validateBubbleUpSelection } from '../src/query/bubbleup/bubbleup-request.js';
import { validateQuerySpec } from '../src/query/query-spec-validator.js';
import { ServiceMapRunner, serviceMapJoinedSpans } from '../src/query/service-map/service-map-runner.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';

const DAY_NS = 86_400_000_000_000n;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const spans = Number(arg('--spans') ?? 200_000);
const warmRuns = Number(arg('--warm-runs') ?? 3);
const reuse = arg('--reuse');
const dir = reuse ?? arg('--keep') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-bubbleup-probe-'));
fs.mkdirSync(dir, { recursive: true });
// Yesterday, so the data sits inside the default retention.
const windowStartNs = ((BigInt(Date.now()) * 1_000_000n) / DAY_NS - 1n) * DAY_NS;
const threads = Number(arg('--threads') ?? DEFAULT_DUCKDB_STORE_OPTIONS.threads);
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit: '1GB', threads, lifecycleIntervalMs: 0, log: () => undefined });
const window = arg('--window')?.split(',').map(Number);
const topUp = Number(arg('--top-up') ?? 0);
if (reuse === undefined || topUp > 0) {
  const loadStarted = performance.now();
  const count = reuse === undefined ? spans : topUp;
  const start = window === undefined ? windowStartNs : BigInt(window[0]!) * 1_000_000_000n;
  const windowNs = window === undefined ? DAY_NS : BigInt(window[1]! - window[0]!) * 1_000_000_000n;
  const generator = new SpanGenerator({ seed: Number(arg('--seed') ?? 1), windowStartNs: start, windowNs, extraAttributes: Number(arg('--extra-attributes') ?? 0) });
  // After what the store holds: it records the highest position committed.
  let position = await store.committedWalPosition();
  for (let n = 0; n < count; n += 1000) {
    const batch = decodeOtlpTraceProtobuf(encodeProtobufRequest(generator.nextBatch(1000)).body, {});
    position += 1n;
    store.admit(batch.events, 'span');
    store.enqueue(batch.events, position);
    if (store.pendingEvents() > 100_000) await store.flush();
  }
  await store.flush();
  console.log(`loaded ${count} spans in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
}

const startSec = window?.[0] ?? Number(windowStartNs / 1_000_000_000n);
const endSec = window?.[1] ?? startSec + 86_400;
const query = validateQuerySpec({ start_time: startSec, end_time: endSec, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] }, { disableSeries: true });
const bubbleUp = new BubbleUpRunner(store);
const serviceMap = new ServiceMapRunner(store, { maxJoinedSpans: serviceMapJoinedSpans(1e9) }) // the store's 1GB;
const cases: Array<[string, () => Promise<string>]> = [
  ['BubbleUp: box (last 2 h × duration_ms >= 200)', async () => {
    const answer = await bubbleUp.run({ kind: 'all' }, query, validateBubbleUpSelection({ start_time: endSec - 7200, end_time: endSec, column: 'duration_ms', min: 200, max: 1e9 }), 120_000);
    return `${answer.dimensions.length} columns, ${answer.selected_count} vs ${answer.baseline_count}; top ${answer.dimensions.slice(0, 3).map((d) => `${d.column} ${d.score.toFixed(2)}`).join(', ')}`;
  }],
  ['BubbleUp: error = true', async () => {
    const answer = await bubbleUp.run({ kind: 'all' }, query, validateBubbleUpSelection({ filters: [{ column: 'error', op: '=', value: true }] }), 120_000);
    return `${answer.dimensions.length} columns, ${answer.selected_count} vs ${answer.baseline_count}; top ${answer.dimensions.slice(0, 3).map((d) => `${d.column} ${d.score.toFixed(2)}`).join(', ')}`;
  }],
  ['service map, 24 h', async () => {
    const map = await serviceMap.run({ kind: 'all' }, { startNs: BigInt(startSec) * 1_000_000_000n, endNs: BigInt(endSec) * 1_000_000_000n }, 120_000);
    return `${map.nodes.length} services, ${map.edges.length} edges`;
  }],
];
for (const [name, run] of cases.filter(([name]) => arg('--only') !== 'bubbleup' || name.startsWith('BubbleUp'))) {
  const times: number[] = [];
  const cpus: number[] = [];
  let shape = '';
  for (let i = 0; i <= warmRuns; i++) {
    const started = performance.now();
    // DuckDB runs in this process, so the process's CPU time is the analysis's (the machine is shared: wall time is not).
    const cpuStarted = process.cpuUsage();
    shape = await run();
    times.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(
    `${name}: cold ${times[0]!.toFixed(0)} ms (CPU ${cpus[0]!.toFixed(0)} ms), warm median ${median(times.slice(1)).toFixed(0)} ms (CPU ${median(cpus.slice(1)).toFixed(0)} ms); load ${os.loadavg()[0]!.toFixed(1)}; ${shape}`,
  );
}
await store.close();
if (reuse === undefined && arg('--keep') === undefined) fs.rmSync(dir, { recursive: true, force: true });
