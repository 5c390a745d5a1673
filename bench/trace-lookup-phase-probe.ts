/**
 * Where a warm trace lookup's wall time goes, piece by piece, in process on a loaded data directory
 * (a copy: the store writes into it): getTrace over the kept load's sampled ids, with node-api's
 * prepared-statement execution, result reading and row conversion timed by wrapping their
 * prototypes; the rest is the store's JavaScript (index grouping, statement keys, formatting,
 * ordering) and the promise hops between them.
 *   node dist/bench/trace-lookup-phase-probe.js --dir COPY --load LOAD.json [--lookups 200] [--passes 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DuckDBPreparedStatement, DuckDBResultReader } from '@duckdb/node-api';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const load = JSON.parse(fs.readFileSync(arg('--load', ''), 'utf8')) as { load: { traceIdSample: string[] } };
const ids = load.load.traceIdSample.map((hex) => BigInt(`0x${hex}`)).slice(0, Number(arg('--lookups', '200')));
const passes = Number(arg('--passes', '3'));

const spent = new Map<string, number>();
const add = (name: string, ms: number): void => void spent.set(name, (spent.get(name) ?? 0) + ms);
let runIndex = 0;
function wrap<T extends object>(proto: T, method: string, label: (i: number) => string, counts: boolean): void {
  const record = proto as Record<string, unknown>;
  const original = record[method] as (...args: unknown[]) => unknown;
  record[method] = function (this: unknown, ...args: unknown[]): unknown {
    const name = label(runIndex);
    if (counts) runIndex += 1;
    const t = performance.now();
    const out = original.apply(this, args);
    if (out instanceof Promise) return out.finally(() => add(name, performance.now() - t));
    add(name, performance.now() - t);
    return out;
  };
}
wrap(DuckDBPreparedStatement.prototype, 'run', (i) => (i === 0 ? 'run: index lookup' : 'run: segment read'), true);
wrap(DuckDBResultReader.prototype, 'readAll', () => 'readAll (fetch_chunk hops)', false);
wrap(DuckDBResultReader.prototype, 'getRows', () => 'getRows', false);
wrap(DuckDBPreparedStatement.prototype, 'bindBigInt', () => 'bind', false);
wrap(DuckDBPreparedStatement.prototype, 'bindUHugeInt', () => 'bind', false);
wrap(DuckDBPreparedStatement.prototype, 'bindVarchar', () => 'bind', false);

const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: arg('--dir', ''), lifecycleIntervalMs: 0, log: () => undefined });
const prewarm = arg('--prewarm-sql', '');
if (prewarm !== '') {
  const t = performance.now();
  await store.runSql(prewarm, [], { timeoutMs: 120_000 });
  console.log(`--prewarm-sql in ${(performance.now() - t).toFixed(0)} ms`);
}
for (let pass = 1; pass <= passes; pass += 1) {
  spent.clear();
  const wall: number[] = [];
  const cpu0 = process.cpuUsage();
  for (const id of ids) {
    runIndex = 0;
    const t = performance.now();
    await store.getTrace(id);
    wall.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  const total = wall.reduce((a, b) => a + b, 0);
  const sorted = [...wall].sort((a, b) => a - b);
  const per = (ms: number): string => (ms / ids.length).toFixed(3);
  const parts = [...spent.entries()].map(([k, v]) => `${k} ${per(v)}`).join('; ');
  const known = [...spent.values()].reduce((a, b) => a + b, 0);
  console.log(
    `pass ${pass}: wall p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} mean ${per(total)} ms; CPU ${((cpu.user + cpu.system) / 1000 / ids.length).toFixed(2)} ms; ` +
      `${parts}; rest ${per(total - known)} (ms a lookup); load ${os.loadavg()[0]!.toFixed(1)}`,
  );
}
await store.close();
