/**
 * /healthz latency while clients store many large, distinct query specs (issue 9, item 6: each
 * used to rewrite and fsync the whole file on the main thread).
 *
 *   npm run build:server && node dist/bench/hardening/stored-spec-health.js [--repo DIR] [--specs N] [--spec-bytes B]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';
import { summarizeLatencies } from '../report/latency-summary.js';
import { findFreePorts } from '../server/free-ports.js';
import { startWaggleProcess } from '../server/waggle-server-process.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const repoRoot = path.resolve(option('--repo', packageRoot()));
const specs = Number(option('--specs', '200'));
const specBytes = Number(option('--spec-bytes', String(60 * 1024)));

async function main(): Promise<void> {
  const [main, otlpHttp, otlpGrpc] = await findFreePorts(3);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-spec-bench-'));
  const server = await startWaggleProcess({ repoRoot, dataDir, ports: { main: main!, otlpHttp: otlpHttp!, otlpGrpc: otlpGrpc! }, logFile: path.join(dataDir, 'server.log') });
  try {
    let done = false;
    const statuses = new Map<number, number>();
    const writer = async (worker: number): Promise<void> => {
      for (let i = worker; i < specs; i += 4) {
        const spec = { calculations: [{ op: 'COUNT' }], filters: [{ column: 'name', op: '=', value: `${i}-${'x'.repeat(specBytes)}` }], time_range: 3600 };
        const response = await fetch(`${server.apiUrl}/1/queries/__all__`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    const healthMs: number[] = [];
    const health = async (): Promise<void> => {
      while (!done) {
        const started = performance.now();
        await (await fetch(`${server.apiUrl}/healthz`)).arrayBuffer();
        healthMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const healthLoop = health();
    const started = performance.now();
    await Promise.all([0, 1, 2, 3].map(writer));
    const seconds = (performance.now() - started) / 1000;
    done = true;
    await healthLoop;
    const s = summarizeLatencies(healthMs);
    process.stdout.write(`${specs} specs of ${specBytes} bytes in ${seconds.toFixed(1)} s, answers ${JSON.stringify(Object.fromEntries(statuses))} (server ${repoRoot})\n`);
    if (s) process.stdout.write(`/healthz meanwhile: n=${s.runs} p50=${s.median.toFixed(0)} ms p99=${s.p99.toFixed(0)} ms max=${s.max.toFixed(0)} ms\n`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
