/**
 * Where a query's time goes after the engine, stage by stage, on a data directory kept by
 * query-overhead-probe (--keep DIR): compile, the engine (runAndReadAll), node-api's conversion of
 * the result (getRowsJS, and readResultRows as runSql now reads it), shaping into Honeycomb's result, and JSON.stringify of the answer.
 * `node dist/bench/query-stage-probe.js DIR [runs] [name prefix,...] [--explain]` (process CPU is reported too;
 * --explain prints each statement and DuckDB's EXPLAIN ANALYZE of it instead).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { duckdbParameters } from '../src/query/compile/duckdb-parameters.js';
import { prepareQuerySpec, shapeCompiledResult } from '../src/query/query-engine.js';
import { QueryRunner } from '../src/query/query-runner.js';
import { readResultRows } from '../src/store/duckdb/duckdb-result-rows.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { benchQueries } from './query/bench-queries.js';

const dir = process.argv[2]!;
const runs = Number(process.argv[3] ?? 5);
const only = process.argv[4]?.split(',');
const { windowStartNs } = JSON.parse(fs.readFileSync(path.join(dir, 'probe-window.json'), 'utf8')) as { windowStartNs: string };
const startSec = Number(BigInt(windowStartNs) / 1_000_000_000n);
const endSec = startSec + 86_400;
const window = { start_time: startSec, end_time: endSec };
const queries = [
  ...benchQueries(startSec, endSec),
  { name: 'P95(duration_ms) by http.route', spec: { ...window, calculations: [{ op: 'P95', column: 'duration_ms' }], breakdowns: ['http.route'] } },
  { name: 'P95(network.latency_ms) by http.route', spec: { ...window, calculations: [{ op: 'P95', column: 'network.latency_ms' }], breakdowns: ['http.route'] } },
].filter((q) => only === undefined || only.some((o) => q.name.startsWith(o)));

const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit: '512MB', lifecycleIntervalMs: 0, log: () => undefined });
// The reader's pooled, admitted connection, as runSql uses it (private: a probe may look inside).
const reader = store['reader'];
const runner = new QueryRunner(store);
const schema = await store.querySchema({ kind: 'all' });
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const cpu = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
console.log(`load ${os.loadavg()[0]!.toFixed(1)}; medians of ${runs} runs, ms wall (CPU)`);
console.log('query | compile | engine | getRowsJS | readResultRows | shape | stringify | rows | bytes');
for (const query of queries) {
  const spec = prepareQuerySpec(query.spec, schema);
  if (process.argv.includes('--explain')) {
    const compiled = await runner.compile({ kind: 'all' }, spec, { disableSeries: false });
    const { values, types } = duckdbParameters(compiled.parameters);
    const plan = await reader.withQueryConnection(120_000, (connection) => connection.runAndReadAll(`EXPLAIN ANALYZE ${compiled.sql}`, values, types));
    console.log(`## ${query.name}\n${compiled.sql}\n-- parameters: ${compiled.parameters.map((p) => String(p.value)).join(", ")}\n${plan.getRowsJS().map((row) => String(row[1])).join('\n')}`);
    continue;
  }
  const stages: Record<string, number[]> = { compile: [], engine: [], engineCpu: [], rows: [], direct: [], shape: [], json: [] };
  let rowCount = 0;
  let bytes = 0;
  for (let i = 0; i <= runs; i += 1) {
    let t = performance.now();
    const compiled = await runner.compile({ kind: 'all' }, spec, { disableSeries: false });
    const compileMs = performance.now() - t;
    const { values, types } = duckdbParameters(compiled.parameters);
    const c = process.cpuUsage();
    t = performance.now();
    const result = await reader.withQueryConnection(120_000, (connection) => connection.runAndReadAll(compiled.sql, values, types));
    const engineMs = performance.now() - t;
    const engineCpu = cpu(c);
    t = performance.now();
    const rows = result.getRowsJS();
    const rowsMs = performance.now() - t;
    // The same statement again, its rows read as runSql reads them (timed apart from the engine).
    const again = await reader.withQueryConnection(120_000, (connection) => connection.run(compiled.sql, values, types));
    t = performance.now();
    readResultRows(again);
    const directMs = performance.now() - t;
    t = performance.now();
    const shaped = shapeCompiledResult(compiled, rows);
    const shapeMs = performance.now() - t;
    t = performance.now();
    const text = JSON.stringify({ data: shaped });
    const jsonMs = performance.now() - t;
    rowCount = rows.length;
    bytes = text.length;
    if (i === 0) continue;
    stages['compile']!.push(compileMs);
    stages['engine']!.push(engineMs);
    stages['engineCpu']!.push(engineCpu);
    stages['rows']!.push(rowsMs);
    stages['direct']!.push(directMs);
    stages['shape']!.push(shapeMs);
    stages['json']!.push(jsonMs);
  }
  const m = (k: string): string => median(stages[k]!).toFixed(1);
  console.log(`${query.name} | ${m('compile')} | ${m('engine')} (${m('engineCpu')}) | ${m('rows')} | ${m('direct')} | ${m('shape')} | ${m('json')} | ${rowCount} | ${bytes}`);
}
await store.close();
