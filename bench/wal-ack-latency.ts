/**
 * Acknowledgement latency while heavy queries run: loads a data set (or reuses one), then for a
 * short while keeps `--queries` heavy queries running in a loop and sends small OTLP requests one
 * after another, reporting p50/p99/max of their acknowledgement. Before the WAL's fsync got a thread
 * of its own it waited in libuv's threadpool behind DuckDB's query work.
 *
 *   node dist/bench/wal-ack-latency.js --data-dir DIR [--spans 500000] [--queries 6] [--seconds 20] [--waggle-bin bin/waggle.js]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';
import { countEvents, runQuery } from './query/honeycomb-query-client.js';
import { summarizeLatencies } from './report/latency-summary.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const dataDir = option('data-dir', '');
if (dataDir === '') throw new Error('--data-dir is required');
const totalSpans = Number(option('spans', '500000'));
const queryCount = Number(option('queries', '6'));
const seconds = Number(option('seconds', '20'));
const waggleBin = path.resolve(option('waggle-bin', 'bin/waggle.js'));

async function startWaggle(): Promise<{ apiUrl: string; otlpUrl: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [waggleBin, 'serve', '--host', '127.0.0.1', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const ports = await new Promise<{ http: string; otlp: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const http = /web UI and API\s+http:\/\/[^:]+:(\d+)\//.exec(stdout);
      const otlp = /OTLP\/HTTP\s+http:\/\/[^:]+:(\d+)\//.exec(stdout);
      if (http && otlp) resolve({ http: http[1]!, otlp: otlp[1]! });
    });
    child.on('exit', (code) => reject(new Error(`waggle exited with ${code}`)));
  });
  return {
    apiUrl: `http://127.0.0.1:${ports.http}`,
    otlpUrl: `http://127.0.0.1:${ports.otlp}/v1/traces`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function send(otlpUrl: string, body: Uint8Array): Promise<number> {
  const started = performance.now();
  const response = await fetch(otlpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Blob([new Uint8Array(body)]) });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}`);
  return performance.now() - started;
}

const nowNs = BigInt(Date.now()) * 1_000_000n;
const windowNs = 3_600n * 1_000_000_000n;
const generator = new SpanGenerator({ seed: 7, windowStartNs: nowNs - windowNs, windowNs });
const waggle = await startWaggle();
try {
  const windowStart = Math.floor(Number((nowNs - windowNs) / 1_000_000_000n)) - 60;
  const windowEnd = Math.ceil(Date.now() / 1000) + 3600;
  let stored = await countEvents(waggle.apiUrl, windowStart, windowEnd);
  if (stored < totalSpans) {
    const loadStarted = performance.now();
    const senders = Array.from({ length: 4 }, async () => {
      while (stored < totalSpans) {
        stored += 1000;
        for (;;) {
          try {
            await send(waggle.otlpUrl, encodeProtobufRequest(generator.nextBatch(1000)).body);
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 200)); // 503 back-pressure: retry
          }
        }
      }
    });
    await Promise.all(senders);
    process.stdout.write(`loaded ${totalSpans} spans in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  const heavy = [
    { calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }], breakdowns: ['tenant.id'] },
    { calculations: [{ op: 'HEATMAP', column: 'duration_ms' }], granularity: 60 },
    { calculations: [{ op: 'COUNT' }], filters: [{ column: 'any.error', op: '=', value: true }], breakdowns: ['service.name'] },
    { calculations: [{ op: 'COUNT_DISTINCT', column: 'trace.trace_id' }], breakdowns: ['http.route'] },
    { calculations: [{ op: 'P99', column: 'duration_ms' }], breakdowns: ['user.id'], limit: 1000 },
    { calculations: [{ op: 'COUNT' }], filters: [{ column: 'any.http.route', op: 'exists' }], breakdowns: ['root.http.route'] },
  ];
  const deadline = performance.now() + seconds * 1000;
  let queriesRun = 0;
  const queries = Array.from({ length: queryCount }, async (_, i) => {
    const spec = { ...heavy[i % heavy.length]!, start_time: windowStart, end_time: windowEnd };
    while (performance.now() < deadline) {
      await runQuery(waggle.apiUrl, '__all__', spec, 120_000).catch(() => undefined);
      queriesRun += 1;
    }
  });
  const latencies: number[] = [];
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the queries get going
  while (performance.now() < deadline) latencies.push(await send(waggle.otlpUrl, encodeProtobufRequest(generator.nextBatch(50)).body));
  await Promise.all(queries);
  const summary = summarizeLatencies(latencies);
  process.stdout.write(
    `${queryCount} concurrent heavy queries (${queriesRun} completed) over >= ${totalSpans} spans, ${seconds} s: ` +
      `acknowledgement latency of ${latencies.length} requests of 50 spans: p50 ${summary?.median.toFixed(1)} ms, p99 ${summary?.p99.toFixed(1)} ms, max ${summary?.max.toFixed(1)} ms\n`,
  );
} finally {
  await waggle.stop();
}
