/**
 * /healthz latency, sampled every 20 ms, while one large OTLP/JSON request (44.5 MB, then 64 MB,
 * the default body limit) is sent and decoded (issue 9, item 9: target < 100 ms); also the
 * request's own time and the server's peak RSS. Loopback only, a child `waggle serve`; ~1 min.
 * The body is sent by curl, a process of its own, so that building and writing 64 MB does not
 * delay this process's /healthz samples (it did: a sender in the same process added ~0.5 s), and
 * the samples are taken on a worker thread (health-sampler-thread.ts), away from this thread's own
 * synchronous work (spawning curl, deleting the body file).
 *
 *   npm run build:server && node dist/bench/hardening/health-during-large-bodies.js [--sizes 44500000,64000000] [--format json|protobuf]
 *     [--server-node-options "--trace-gc ..."] [--server-log FILE]
 *
 * --server-node-options passes NODE_OPTIONS to the server alone (e.g. V8 flags to compare, or
 * `--trace-gc`), and --server-log writes the server's output to FILE once it stops, to line its
 * GC pauses up with the slow samples.
 *
 * --format protobuf sends OTLP protobuf instead (generated spans; requests concatenated, which
 * protobuf reads as one request with all their resourceSpans).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { summarizeLatencies } from '../report/latency-summary.js';
import { largeOtlpJsonBody } from '../../test/support/large-otlp-body.js';
import { encodeProtobufRequest } from '../generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from '../generator/span-generator.js';
import { spawnWaggle, waitForExit } from '../../test/support/waggle-process.js';
import type { HealthSample } from './health-sampler-thread.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

const MAX_BODY = 64 * 1024 * 1024;
const format = option('--format', 'json');
if (format !== 'json' && format !== 'protobuf') throw new Error('--format is json or protobuf');

/** An OTLP protobuf body of about `targetBytes` (at most that): generated spans, requests of 2 000 concatenated. */
function largeOtlpProtobufBody(targetBytes: number): Buffer {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const generator = new SpanGenerator({ seed: 7, windowStartNs: nowNs - 600_000_000_000n, windowNs: 600_000_000_000n });
  const parts: Buffer[] = [];
  let size = 0;
  for (;;) {
    const part = Buffer.from(encodeProtobufRequest(generator.nextBatch(2000)).body);
    if (size + part.length > targetBytes) break;
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat(parts);
}
const sizes = option('--sizes', '44500000,64000000')
  .split(',')
  .map(Number)
  // Just under the 64 MiB limit, so the request is decoded rather than refused.
  .map((size) => Math.min(size, MAX_BODY - 100_000));

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-large-body-'));
  const nodeOptions = option('--server-node-options', '');
  const serverLog = option('--server-log', '');
  const waggle = await spawnWaggle(['--data-dir', dataDir], nodeOptions === '' ? {} : { NODE_OPTIONS: nodeOptions });
  const api = `http://127.0.0.1:${waggle.ports.http}`;
  try {
    for (const size of sizes) {
      const body = format === 'json' ? largeOtlpJsonBody(size) : largeOtlpProtobufBody(size);
      // Written before sampling starts: a 64 MB synchronous write here would delay this process's samples.
      const bodyFile = path.join(dataDir, format === 'json' ? 'body.json' : 'body.pb');
      fs.writeFileSync(bodyFile, body);
      // Sampled on a thread of its own (health-sampler-thread.ts), away from this thread's spawn and file work.
      const sampler = new Worker(new URL('./health-sampler-thread.js', import.meta.url), { workerData: { url: `${api}/healthz` } });
      const samples = new Promise<HealthSample[]>((resolve, reject) => {
        sampler.on('message', (message: 'sampling' | HealthSample[]) => {
          if (message !== 'sampling') resolve(message);
        });
        sampler.once('error', reject);
      });
      await new Promise<void>((resolve, reject) => {
        sampler.once('message', () => resolve());
        sampler.once('error', reject);
      });
      // On the monotonic clock (CLOCK_MONOTONIC, µs), which the sampler and the server's own traces share.
      const requestStartedMonoUs = Number(process.hrtime.bigint() / 1000n);
      const started = performance.now();
      const curlArgs = ['-s', '-o', '-', '-w', '\n%{http_code}', '--max-time', '120', '-H', `content-type: ${format === 'json' ? 'application/json' : 'application/x-protobuf'}`, '--data-binary', `@${bodyFile}`, `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`];
      const output = await new Promise<string>((resolve, reject) => execFile('curl', curlArgs, (error, stdout) => (error ? reject(error) : resolve(stdout))));
      const requestMs = performance.now() - started;
      const answer = output.slice(0, output.lastIndexOf('\n'));
      const response = { status: Number(output.slice(output.lastIndexOf('\n') + 1)) };
      // Keep sampling while the commit of what was just acknowledged runs.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      sampler.postMessage('stop');
      const taken = await samples;
      await sampler.terminate();
      fs.rmSync(bodyFile);
      const healthMs = taken.map((sample) => sample.ms);
      const statuses = new Map<number, number>();
      for (const sample of taken) statuses.set(sample.status, (statuses.get(sample.status) ?? 0) + 1);
      /** Samples over 50 ms, with when they started relative to the request's start. */
      const slow = taken.filter((sample) => sample.ms > 50).map((sample) => `${sample.ms.toFixed(0)} ms at +${((sample.startedMonoUs - requestStartedMonoUs) / 1000).toFixed(0)} ms`);
      const s = summarizeLatencies(healthMs);
      process.stdout.write(
        `${(body.length / 1e6).toFixed(1)} MB OTLP/${format === 'json' ? 'JSON' : 'protobuf'}: ${response.status} ${answer.slice(0, 100)} in ${requestMs.toFixed(0)} ms; ` +
          `/healthz every 20 ms: n=${s?.runs} p50=${s?.median.toFixed(0)} ms p99=${s?.p99.toFixed(0)} ms max=${s?.max.toFixed(0)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `server peak RSS ${peakRssMb(waggle.child.pid!)} MB; answered at +${requestMs.toFixed(0)} ms (request started at ${requestStartedMonoUs} µs monotonic); samples over 50 ms: ${slow.join(', ') || 'none'}\n`,
      );
    }
  } finally {
    waggle.child.kill('SIGTERM');
    await waitForExit(waggle.child);
    if (serverLog !== '') fs.writeFileSync(serverLog, waggle.output());
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
