/**
 * Waggle's own cost on top of the engine, per query, measured in ONE process and one run, so the
 * engine's buffers are alike for every side: the bench's span generator fills a data directory
 * (or --reuse one), the real server starts on it (in this process, ephemeral loopback ports), and
 * each query runs, interleaved, as (1) the Query Data API exchange over HTTP (POST /1/queries,
 * POST /1/query_results; the body read as text, not parsed, so the client's parse is not counted),
 * (2) QueryRunner.run on the server's store (schema, compile, SQL, shaping), and (3) the statement
 * the runner compiles, through store.runSql alone (the engine and node-api's conversion of its
 * rows), as the bench's direct DuckDB figure. Wall and process CPU (DuckDB runs in this process) are reported per side.
 *
 * `node dist/bench/query-overhead-probe.js --spans 1000000 [--keep DIR | --reuse DIR] [--warm-runs N] [--only a,b]`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { prepareQuerySpec } from '../src/query/query-engine.js';
import { QueryRunner } from '../src/query/query-runner.js';
import { startWaggleServer } from '../src/server/waggle-server.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';
import { benchQueries, type BenchQuery } from './query/bench-queries.js';

const DAY_NS = 86_400_000_000_000n;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const spans = Number(arg('--spans') ?? 200_000);
const warmRuns = Number(arg('--warm-runs') ?? 5);
const only = arg('--only')?.split(',');
const reuse = arg('--reuse');
const dir = reuse ?? arg('--keep') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-overhead-probe-'));
fs.mkdirSync(dir, { recursive: true });
const windowFile = path.join(dir, 'probe-window.json');

async function load(): Promise<bigint> {
  // Yesterday, so the data sits inside the default retention.
  const windowStartNs = ((BigInt(Date.now()) * 1_000_000n) / DAY_NS - 1n) * DAY_NS;
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit: '1GB', lifecycleIntervalMs: 0, log: () => undefined });
  const started = performance.now();
  const generator = new SpanGenerator({ seed: 1, windowStartNs, windowNs: DAY_NS });
  let position = 0n;
  for (let n = 0; n < spans; n += 1000) {
    const batch = decodeOtlpTraceProtobuf(encodeProtobufRequest(generator.nextBatch(1000)).body, {});
    position += 1n;
    store.admit(batch.events, 'span');
    store.enqueue(batch.events, position);
    if (store.pendingEvents() > 100_000) await store.flush();
  }
  await store.flush();
  // The bench queries after compaction; so does this probe.
  await store.sealOpenSegment();
  const compactions = await store.compactAll();
  await store.close();
  console.log(`compacted ${compactions} groups`);
  fs.writeFileSync(windowFile, JSON.stringify({ windowStartNs: windowStartNs.toString(), spans }));
  console.log(`loaded ${spans} spans in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return windowStartNs;
}

const windowStartNs = reuse === undefined ? await load() : BigInt((JSON.parse(fs.readFileSync(windowFile, 'utf8')) as { windowStartNs: string }).windowStartNs);
const startSec = Number(windowStartNs / 1_000_000_000n);
const endSec = startSec + 86_400;
const window = { start_time: startSec, end_time: endSec };
const queries: BenchQuery[] = [
  ...benchQueries(startSec, endSec),
  { name: 'P95(duration_ms) by http.route', spec: { ...window, calculations: [{ op: 'P95', column: 'duration_ms' }], breakdowns: ['http.route'] } },
  { name: 'P95(network.latency_ms) by http.route', spec: { ...window, calculations: [{ op: 'P95', column: 'network.latency_ms' }], breakdowns: ['http.route'] } },
].filter((q) => only === undefined || only.some((o) => q.name.startsWith(o)));

const quiet = (): void => undefined;
const running = await startWaggleServer({ host: '127.0.0.1', port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, dataDir: dir }, { logger: { info: quiet, warn: quiet, error: quiet } });
const apiUrl = `http://127.0.0.1:${running.ports.http}`;

const runner = new QueryRunner(running.store);

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} → ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function overHttp(spec: unknown): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const created = await post(`${apiUrl}/1/queries/__all__`, spec);
  const id = (JSON.parse(created) as { id: string }).id;
  const answer = await post(`${apiUrl}/1/query_results/__all__`, { query_id: id });
  return { ms: performance.now() - t, bytes: answer.length };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const schema = await running.store.querySchema({ kind: 'all' });
console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${warmRuns} warm runs; ms as median wall (CPU)`);
console.log('query | HTTP | runner | runSql | overhead HTTP/runSql wall (CPU) | runner/runSql wall (CPU) | answer bytes');
for (const query of queries) {
  const spec = prepareQuerySpec(query.spec, schema);
  const options = { disableSeries: false, timeoutMs: 120_000 };
  await overHttp(query.spec);
  await runner.run({ kind: 'all' }, spec, options);
  const sides = { http: [] as number[], httpCpu: [] as number[], run: [] as number[], runCpu: [] as number[], sql: [] as number[], sqlCpu: [] as number[] };
  let bytes = 0;
  for (let i = 0; i < warmRuns; i += 1) {
    // The three sides in turn, so that the machine's load weighs on each alike.
    let c = process.cpuUsage();
    const h = await overHttp(query.spec);
    sides.http.push(h.ms);
    sides.httpCpu.push(cpuMs(c));
    bytes = h.bytes;
    c = process.cpuUsage();
    let t = performance.now();
    await runner.run({ kind: 'all' }, spec, options);
    sides.run.push(performance.now() - t);
    sides.runCpu.push(cpuMs(c));
    // The statement alone, compiled as the runner does (the bench's "DuckDB" figure).
    const compiled = await runner.compile({ kind: 'all' }, spec, options);
    c = process.cpuUsage();
    t = performance.now();
    await running.store.runSql(compiled.sql, compiled.parameters, options);
    sides.sql.push(performance.now() - t);
    sides.sqlCpu.push(cpuMs(c));
  }
  const m = (xs: readonly number[]): number => median(xs);
  const pct = (a: number, b: number): string => `${(100 * (a / b - 1)).toFixed(0)} %`;
  console.log(
    `${query.name} | ${m(sides.http).toFixed(1)} (${m(sides.httpCpu).toFixed(0)}) | ${m(sides.run).toFixed(1)} (${m(sides.runCpu).toFixed(0)}) | ${m(sides.sql).toFixed(1)} (${m(sides.sqlCpu).toFixed(0)}) | ` +
      `${pct(m(sides.http), m(sides.sql))} (${pct(m(sides.httpCpu), m(sides.sqlCpu))}) | ${pct(m(sides.run), m(sides.sql))} (${pct(m(sides.runCpu), m(sides.sqlCpu))}) | ${bytes}`,
  );
}
console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await running.stop();
if (reuse === undefined && arg('--keep') === undefined) fs.rmSync(dir, { recursive: true, force: true });
