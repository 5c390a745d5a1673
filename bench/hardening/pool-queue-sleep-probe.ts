/**
 * Does the main thread sleep in the synchronous part of an asynchronous DuckDB call? Such a call
 * (`execute_prepared`, `query`, ...) only queues its work on libuv's pool (`uv_queue_work`), yet
 * under issue 9's probe at load 12-20 the main thread slept 216-267 ms inside `execute_prepared`
 * (BENCHMARKS.md run AL). Here the main thread runs a prepared statement in a loop and times the
 * call's synchronous part (and its own CPU and run-queue time from schedstat), while three other
 * connections keep the pool busy with short queries and `--hogs` processes burn CPU, for
 * `--seconds` (bounded: a shared machine). Traced with `perf record -e sched:sched_switch
 * --call-graph dwarf -t <pid>`, the sleeps were in `uv_queue_work`: glibc's pthread_cond_signal
 * waiting for woken pool threads to get a CPU (`__condvar_quiesce_and_switch_g1`) and the pool's
 * mutex held by a preempted pool thread (BENCHMARKS.md run AP).
 *
 *   node dist/bench/hardening/pool-queue-sleep-probe.js [--hogs 3] [--seconds 15]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const hogs = Number(option('hogs', '3'));
const seconds = Math.min(60, Number(option('seconds', '15')));

/** The main thread's time on a CPU and waiting for one, ms (Linux schedstat). */
function schedstat(): { cpuMs: number; queuedMs: number } {
  const [run, wait] = fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { cpuMs: (run ?? 0) / 1e6, queuedMs: (wait ?? 0) / 1e6 };
}

const BURN = `const until = Date.now() + ${seconds * 1000}; while (Date.now() < until) { for (let i = 0; i < 1e6; i++); }`;
const burners = Array.from({ length: hogs }, () => spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }));
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
const others = await Promise.all([1, 2, 3].map(() => instance.connect()));
let stopping = false;
const churn = others.map(async (other) => {
  while (!stopping) await other.run('SELECT count(*) FROM range(20000)');
});
const prepared = await connection.prepare('SELECT $1::INTEGER + 1');
const slow: Array<{ ms: number; cpuMs: number; queuedMs: number; asleepMs: number }> = [];
let calls = 0;
const until = Date.now() + seconds * 1000;
while (Date.now() < until) {
  prepared.bindInteger(1, calls);
  const before = schedstat();
  const started = performance.now();
  // An async method runs synchronously up to its first await: here, the binding's execute_prepared.
  const pending = prepared.run();
  const ms = performance.now() - started;
  calls += 1;
  if (ms > 5) {
    const after = schedstat();
    const cpuMs = after.cpuMs - before.cpuMs;
    const queuedMs = after.queuedMs - before.queuedMs;
    slow.push({ ms, cpuMs, queuedMs, asleepMs: Math.max(0, ms - cpuMs - queuedMs) });
  }
  await pending;
}
stopping = true;
await Promise.all(churn);
for (const burner of burners) burner.kill();
const asleep = slow.filter((s) => s.asleepMs > 5).sort((a, b) => b.asleepMs - a.asleepMs);
process.stdout.write(
  `${hogs} CPU burners, ${seconds} s: ${calls} calls; synchronous part over 5 ms: ${slow.length}, of which asleep over 5 ms: ${asleep.length}; ` +
    `longest ${Math.max(0, ...slow.map((s) => s.ms)).toFixed(1)} ms; asleep, longest first: ${asleep.slice(0, 8).map((s) => `${s.ms.toFixed(1)} ms (${s.asleepMs.toFixed(1)} asleep)`).join(', ') || 'none'}\n`,
);
connection.closeSync();
for (const other of others) other.closeSync();
instance.closeSync();
