/**
 * Acknowledgement latency of small ingest requests while 6 heavy queries run at once over 500 000+
 * spans (issue 9, item 4), plus /healthz latency and the server's peak RSS.
 *
 *   npm run build:server && node dist/bench/hardening/ack-latency-under-queries.js [--repo DIR] [--spans N] [--seconds S]
 *
 * --repo runs the server of another checkout (its dist/ built), to compare before and after.
 * Bounded: loading takes ~10-30 s, measuring `--seconds` (default 20); loopback only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';
import { encodeProtobufRequest } from '../generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from '../generator/span-generator.js';
import { summarizeLatencies } from '../report/latency-summary.js';
import { findFreePorts } from '../server/free-ports.js';
import { startWaggleProcess } from '../server/waggle-server-process.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const repoRoot = path.resolve(option('--repo', packageRoot()));
const totalSpans = Number(option('--spans', '500000'));
const measureSeconds = Number(option('--seconds', '20'));
const HEAVY_QUERIES = 6;

const nowNs = BigInt(Date.now()) * 1_000_000n;
const windowNs = 3_600_000_000_000n;
const generator = new SpanGenerator({ seed: 9, windowStartNs: nowNs - windowNs, windowNs });
const endSeconds = Math.ceil(Date.now() / 1000) + 60;
const startSeconds = endSeconds - 7200;

/** Heavy on purpose: relational filters, COUNT_DISTINCT and HEATMAP over the whole window. */
const heavySpecs: Array<Record<string, unknown>> = [
  { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT' }, { op: 'P99', column: 'duration_ms' }], filters: [{ column: 'root.http.route', op: 'exists' }, { column: 'parent.service.name', op: 'exists' }], breakdowns: ['root.http.route'] },
  { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }, { op: 'COUNT_DISTINCT', column: 'trace.trace_id' }], breakdowns: ['tenant.id'] },
  { start_time: startSeconds, end_time: endSeconds, granularity: 60, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }], breakdowns: ['service.name'] },
  { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT' }], filters: [{ column: 'any.error', op: '=', value: true }], breakdowns: ['service.name', 'name'] },
  { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }], filters: [{ column: 'root.service.name', op: 'exists' }], breakdowns: ['http.route'] },
  { start_time: startSeconds, end_time: endSeconds, granularity: 30, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }, { op: 'COUNT_DISTINCT', column: 'trace.trace_id' }] },
];

async function post(url: string, body: Uint8Array | string, contentType: string): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : Buffer.from(body) });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, text };
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

async function main(): Promise<void> {
  const [main, otlpHttp, otlpGrpc] = await findFreePorts(3);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ack-bench-'));
  const server = await startWaggleProcess({
    repoRoot,
    dataDir,
    ports: { main: main!, otlpHttp: otlpHttp!, otlpGrpc: otlpGrpc! },
    logFile: path.join(dataDir, 'server.log'),
  });
  try {
    // Load: 5000-span requests, two in flight, retrying on back-pressure (503).
    const loadStarted = performance.now();
    let sent = 0;
    const loader = async (): Promise<void> => {
      while (sent < totalSpans) {
        const request = encodeProtobufRequest(generator.nextBatch(5000));
        sent += request.spanCount;
        for (;;) {
          const answer = await post(server.otlpHttpUrl, request.body, 'application/x-protobuf');
          if (answer.status === 200) break;
          if (answer.status !== 503) throw new Error(`load request answered ${answer.status}: ${answer.text}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    await Promise.all([loader(), loader()]);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    process.stdout.write(`loaded ${sent} spans in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (server ${repoRoot})\n`);

    const deadline = performance.now() + measureSeconds * 1000;
    const queryOutcomes = new Map<number, number>();
    const queryMs: number[] = [];
    const heavy = async (spec: Record<string, unknown>): Promise<void> => {
      const created = await post(`${server.apiUrl}/1/queries/__all__`, JSON.stringify(spec), 'application/json');
      if (created.status !== 200) throw new Error(`query spec refused (${created.status}): ${created.text}`);
      const id = (JSON.parse(created.text) as { id: string }).id;
      while (performance.now() < deadline) {
        const answer = await post(`${server.apiUrl}/1/query_results/__all__`, JSON.stringify({ query_id: id }), 'application/json');
        queryOutcomes.set(answer.status, (queryOutcomes.get(answer.status) ?? 0) + 1);
        // Honeycomb (and Waggle since issue 10) answer 201 to a created query result.
        if (answer.status === 201) queryMs.push(answer.ms);
        else await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    // Acknowledgements of 200-span requests, one every 50 ms, while the queries run.
    const ackMs: number[] = [];
    const acks = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const request = encodeProtobufRequest(generator.nextBatch(200));
        const answer = await post(server.otlpHttpUrl, request.body, 'application/x-protobuf');
        if (answer.status === 200) ackMs.push(answer.ms);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const healthMs: number[] = [];
    const health = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await (await fetch(`${server.apiUrl}/healthz`)).arrayBuffer();
        healthMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await Promise.all([...heavySpecs.slice(0, HEAVY_QUERIES).map(heavy), acks(), health()]);

    const format = (values: number[]): string => {
      const s = summarizeLatencies(values);
      return s === null ? 'none' : `n=${s.runs} p50=${s.median.toFixed(0)} ms p99=${s.p99.toFixed(0)} ms max=${s.max.toFixed(0)} ms`;
    };
    process.stdout.write(`ack latency under ${HEAVY_QUERIES} heavy queries: ${format(ackMs)}\n`);
    process.stdout.write(`/healthz latency: ${format(healthMs)}\n`);
    process.stdout.write(`heavy query latency (201s): ${format(queryMs)}\n`);
    process.stdout.write(`query answers by status: ${JSON.stringify(Object.fromEntries(queryOutcomes))}\n`);
    process.stdout.write(`server peak RSS: ${peakRssMb(server.pid)} MB\n`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
