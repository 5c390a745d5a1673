/**
 * Trace lookups through a real server at stages of its life, on a loaded data directory (a copy:
 * the server writes into it). Passes of `GET /api/traces/:id` over the kept load's sampled ids,
 * each reported with the server's p50 and p90 (`Server-Timing`), the server process's CPU a
 * lookup (all threads, and the JavaScript thread alone), minor page faults a lookup and its RSS.
 * Between the passes, optional steps: the bench's seven queries (6 runs each), BubbleUp and the
 * service map (`analysis`, 1 + 5 runs), or `idle:S` (S seconds without requests; a lifecycle pass
 * runs every 15 s).
 *   node dist/bench/trace-lookup-server-probe.js --dir COPY --load LOAD.json [--steps queries,analysis,idle:20]
 *     [--pass-lookups 200]
 * Each stage runs three passes: two of ids not looked up before, then the first pass's ids again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePorts } from './server/free-ports.js';
import { startWaggleProcess, type WaggleProcess } from './server/waggle-server-process.js';
import { parseServerTiming, runQuery } from './query/honeycomb-query-client.js';
import { benchQueries } from './query/bench-queries.js';
import { timeAnalysis } from './query/analysis-bench.js';
import { clockTicks, parseTaskStat } from './server/thread-cpu-meter.js';
import { percentile } from './load/load-runner.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

interface KeptLoad {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly load: { readonly traceIdSample: readonly string[] };
}

interface ProcessSample {
  /** Clock ticks of CPU (user + system), all threads. */
  readonly cpuTicks: number;
  /** The same, the JavaScript thread (the task whose id is the process's). */
  readonly jsTicks: number;
  readonly minorFaults: number;
  readonly rssMiB: number;
}

function sampleProcess(pid: number): ProcessSample {
  const all = parseTaskStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const js = parseTaskStat(fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
  if (all === null || js === null) throw new Error(`cannot read /proc/${pid}/stat`);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '0');
  return { cpuTicks: all.ticks, jsTicks: js.ticks, minorFaults: all.minorFaults, rssMiB: rssKiB / 1024 };
}

async function lookUpPass(server: WaggleProcess, ids: readonly string[], label: string): Promise<void> {
  const before = sampleProcess(server.pid);
  const serverMs: number[] = [];
  let missing = 0;
  for (const id of ids) {
    const response = await fetch(`${server.apiUrl}/api/traces/${id}`);
    await response.arrayBuffer();
    const timing = parseServerTiming(response.headers.get('server-timing'));
    if (response.status !== 200 || timing === null) missing += 1;
    else serverMs.push(timing);
  }
  const after = sampleProcess(server.pid);
  serverMs.sort((a, b) => a - b);
  const perLookup = (ticks: number): string => (((ticks * 1000) / clockTicks()) / Math.max(1, ids.length)).toFixed(2);
  console.log(
    [
      label.padEnd(24),
      `p50 ${percentile(serverMs, 0.5).toFixed(2)} ms`,
      `p90 ${percentile(serverMs, 0.9).toFixed(2)} ms`,
      `CPU ${perLookup(after.cpuTicks - before.cpuTicks)} ms a lookup (JS ${perLookup(after.jsTicks - before.jsTicks)})`,
      `faults ${((after.minorFaults - before.minorFaults) / Math.max(1, ids.length)).toFixed(0)} a lookup`,
      `RSS ${after.rssMiB.toFixed(0)} MiB`,
      missing > 0 ? `${missing} not found` : '',
    ].join('  '),
  );
}

const dir = arg('--dir', '');
const loadFile = arg('--load', '');
if (dir === '' || loadFile === '') {
  console.error('usage: node dist/bench/trace-lookup-server-probe.js --dir COPY --load LOAD.json [--steps queries,analysis,idle:20] [--pass-lookups 200]');
  process.exit(2);
}
const kept = JSON.parse(fs.readFileSync(loadFile, 'utf8')) as KeptLoad;
const perPass = Number(arg('--pass-lookups', '200'));
const steps = arg('--steps', '').split(',').filter((s) => s !== '');
const ids = kept.load.traceIdSample;
if (ids.length < 2 * perPass) throw new Error(`the load kept ${ids.length} trace ids; a stage needs ${2 * perPass}`);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [main, otlpHttp, otlpGrpc] = await findFreePorts(3);
const server = await startWaggleProcess({
  repoRoot,
  dataDir: dir,
  ports: { main: main!, otlpHttp: otlpHttp!, otlpGrpc: otlpGrpc! },
  logFile: path.join(os.tmpdir(), `trace-lookup-server-probe-${process.pid}.log`),
});
console.log(`load average ${os.loadavg()[0]!.toFixed(1)}; ${ids.length} sampled ids, ${perPass} a pass`);
let next = 0;
/** The next `perPass` ids, wrapping around the sample. */
const fresh = (): string[] => {
  const pass = Array.from({ length: perPass }, (_, i) => ids[(next + i) % ids.length]!);
  next = (next + perPass) % ids.length;
  return pass;
};
try {
  for (const stage of ['start', ...steps]) {
    if (stage === 'queries') {
      for (const query of benchQueries(kept.windowStart, kept.windowEnd)) for (let i = 0; i < 6; i += 1) await runQuery(server.apiUrl, '__all__', query.spec);
    } else if (stage === 'analysis') {
      const problems: string[] = [];
      await timeAnalysis(server.apiUrl, kept.windowStart, kept.windowEnd, 5, problems, 'probe');
      for (const problem of problems) console.log(`analysis: ${problem}`);
    } else if (stage.startsWith('idle:')) {
      await new Promise((resolve) => setTimeout(resolve, Number(stage.slice('idle:'.length)) * 1000));
    } else if (stage !== 'start') {
      throw new Error(`unknown step '${stage}': queries, analysis or idle:S`);
    }
    const first = fresh();
    await lookUpPass(server, first, `after ${stage}`);
    await lookUpPass(server, fresh(), `after ${stage}, new ids`);
    await lookUpPass(server, first, `after ${stage}, again`);
  }
} finally {
  await server.stop();
}
