/** Times SQL statements (separated by lines of `;;`) over a store kept by bubbleup-probe: wall and process CPU. node dist/bench/sql-timer.js DIR FILE [RUNS] */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: process.argv[2]!, memoryLimit: '1GB', lifecycleIntervalMs: 0, log: () => undefined });
const runs = Number(process.argv[4] ?? 3);
const statements = fs.readFileSync(process.argv[3]!, 'utf8').split(/^;;.*$/m).map((s) => s.trim()).filter((s) => s !== '');
for (const [i, sql] of statements.entries()) {
  const walls: number[] = [];
  const cpus: number[] = [];
  let shape = '';
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const rows = await store.runSql(sql, [], { timeoutMs: 120_000 });
    walls.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpus.push((u.user + u.system) / 1000);
    shape = `${rows.rows.length} rows, first ${JSON.stringify(rows.rows.length <= 20 ? rows.rows : rows.rows[0], (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))?.slice(0, 600)}`;
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`#${i} ${sql.split('\n')[0]!.slice(0, 60)}: wall ${walls.map((w) => w.toFixed(0)).join('/')} ms, CPU median ${med(cpus).toFixed(0)} ms; load ${os.loadavg()[0]!.toFixed(1)}; ${shape}`);
}
await store.close();
