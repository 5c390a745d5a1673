/**
 * Where the ClickHouse store's time goes, in process (chdb), CPU ms per step so the figures hold on
 * a loaded machine: loading N spans (once per directory), a trace by id, the seven bench queries.
 *   node dist/bench/clickhouse-probe.js --dir /tmp/probe [--spans 1000000] [--runs 5] [--only load|trace|queries] [--batch events-per-insert]
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { prepareQuerySpec } from '../src/query/query-engine.js';
import { QueryRunner } from '../src/query/query-runner.js';
import { ClickHouseSpanStore, DEFAULT_CLICKHOUSE_STORE_OPTIONS } from '../src/store/clickhouse/clickhouse-span-store.js';
import { parseClickHouseUrl } from '../src/store/clickhouse/clickhouse-url.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';
import { benchQueries } from './query/bench-queries.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const dir = arg('--dir', '/tmp/waggle-ch-probe');
const spans = Number(arg('--spans', '1000000'));
const runs = Number(arg('--runs', '5'));
const only = arg('--only', 'load,trace,queries').split(',');
const batchEvents = Number(arg('--batch', String(DEFAULT_CLICKHOUSE_STORE_OPTIONS.batchEvents)));
const HOUR_NS = 3_600_000_000_000n;
const start = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
const end = start + 24n * HOUR_NS;
const clock = { now: end };
fs.mkdirSync(dir, { recursive: true });
const idsFile = path.join(dir, 'trace-ids.json');

const store = await ClickHouseSpanStore.open({
  ...DEFAULT_CLICKHOUSE_STORE_OPTIONS,
  writerId: 'bench',
  batchEvents,
  location: parseClickHouseUrl(`chdb:${path.join(dir, 'ch')}`),
  clock: () => clock.now,
  lifecycleIntervalMs: 0,
  log: () => undefined,
});
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;

if (only.includes('load') && !fs.existsSync(idsFile)) {
  const ids: string[] = [];
  let position = 0n;
  let encodeCpu = 0;
  const cpu0 = cpuMs();
  const t0 = performance.now();
  for (let hour = 0; hour < 24; hour++) {
    const generator = new SpanGenerator({ seed: hour + 1, windowStartNs: start + BigInt(hour) * HOUR_NS, windowNs: HOUR_NS });
    for (let n = 0; n < spans / 24; n += 500) {
      const c = cpuMs();
      const batch = decodeOtlpTraceProtobuf(encodeProtobufRequest(generator.nextBatch(500)).body, {});
      encodeCpu += cpuMs() - c;
      position += 1n;
      store.enqueue(batch.events, position);
      if (Number(position) % 37 === 0 && batch.events[0]?.traceId != null) ids.push(batch.events[0].traceId.toString());
    }
  }
  await store.flush();
  const wall = performance.now() - t0;
  const stored = spans;
  console.log(`load: ${stored} spans in ${(wall / 1000).toFixed(1)} s wall; store CPU ${(((cpuMs() - cpu0 - encodeCpu) * 1000) / stored).toFixed(1)} µs/span (generator+decode ${((encodeCpu * 1000) / stored).toFixed(1)} µs/span excluded)`);
  fs.writeFileSync(idsFile, JSON.stringify(ids));
}
const ids = (JSON.parse(fs.readFileSync(idsFile, 'utf8')) as string[]).map((s) => BigInt(s));

if (only.includes('trace')) {
  const wall: number[] = [];
  const cpu: number[] = [];
  let spansSeen = 0;
  for (const id of ids.slice(0, 40)) {
    const c = cpuMs();
    const t = performance.now();
    spansSeen += (await store.getTrace(id)).length;
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  console.log(`trace by id: median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU (${Math.min(40, ids.length)} traces, ${spansSeen} spans)`);
}

if (only.includes('queries')) {
  const runner = new QueryRunner(store);
  const schema = await store.querySchema({ kind: 'all' });
  for (const q of benchQueries(Number(start / 1_000_000_000n), Number(end / 1_000_000_000n))) {
    const spec = prepareQuerySpec(q.spec, schema);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const c = cpuMs();
      const t = performance.now();
      await runner.run({ kind: 'all' }, spec, { disableSeries: false, timeoutMs: 120_000 });
      if (i > 0) {
        wall.push(performance.now() - t);
        cpu.push(cpuMs() - c);
      }
    }
    console.log(`${q.name.padEnd(58)} median ${median(wall).toFixed(0).padStart(6)} ms wall ${median(cpu).toFixed(0).padStart(6)} ms CPU`);
  }
}
await store.close();
