/**
 * Times the parts of a trace lookup as plain SQL on a store built by trace-lookup-probe
 * (node dist/bench/trace-lookup-sql-probe.js DIR): the live index, each compacted segment's trace
 * table, and the segment read with all columns or a few.
 */
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { traceKeyOf } from '../src/store/duckdb/duckdb-physical-layout.js';

const dir = process.argv[2]!;
const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
const c = await instance.connect();
await c.run(`ATTACH '${dir}/waggle.duckdb' AS waggle (READ_ONLY)`);
await c.run('USE waggle');
const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
async function time(label: string, conn: DuckDBConnection, sqls: string[]): Promise<void> {
  const t: number[] = [];
  for (const sql of sqls) {
    const s = performance.now();
    await conn.runAndReadAll(sql);
    t.push(performance.now() - s);
  }
  console.log(`${label}: median ${med(t).toFixed(2)} ms (load ${os.loadavg()[0]!.toFixed(1)})`);
}
const seg = (await c.runAndReadAll('SELECT id, compacted, trace_table FROM waggle_segments ORDER BY id')).getRows();
console.log('segments', seg.length, 'live index rows', (await c.runAndReadAll('SELECT count(*) FROM waggle_trace_index')).getRows()[0]);
const ids = (await c.runAndReadAll(`SELECT trace_id FROM seg_${seg[0]![0]} USING SAMPLE 100 ROWS`)).getRows().map(([t]) => t as bigint);
const withTables = seg.filter((r) => r[2] === true).map((r) => Number(r[0]));
await time('live index only', c, ids.map((id) => `SELECT segment_id FROM waggle_trace_index WHERE trace_id = ${id}::UHUGEINT`));
await time('one trace table', c, ids.map((id) => `SELECT min_ts_ns FROM waggle_traces_${withTables[0]} WHERE trace_key = ${traceKeyOf(id)}::UBIGINT`));
await time('all trace tables (union)', c, ids.map((id) => withTables.map((t) => `SELECT ${t}, min_ts_ns FROM waggle_traces_${t} WHERE trace_key = ${traceKeyOf(id)}::UBIGINT`).join(' UNION ALL ')));
await time('select 1', c, ids.map(() => 'SELECT 1'));
const ranges = [];
for (const id of ids) {
  const r = (await c.runAndReadAll(`SELECT min_ts_ns, max_ts_ns FROM waggle_traces_${withTables[0]} WHERE trace_key = ${traceKeyOf(id)}::UBIGINT`)).getRows()[0];
  if (r) ranges.push({ id, min: r[0], max: r[1] });
}
const t0 = withTables[0];
console.log('columns in segment', (await c.runAndReadAll(`SELECT count(*) FROM duckdb_columns() WHERE table_name = 'seg_${t0}'`)).getRows()[0]);
for (let round = 0; round < 2; round++) await time('segment read *', c, ranges.map((r) => `SELECT * FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max} AND trace_id = ${r.id}::UHUGEINT`));
for (let round = 0; round < 2; round++) await time('segment read span_id', c, ranges.map((r) => `SELECT span_id FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max} AND trace_id = ${r.id}::UHUGEINT`));
for (let round = 0; round < 2; round++) await time('segment read count ts only', c, ranges.map((r) => `SELECT count(*) FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max}`));
console.log('trace span (ms) median', med(ranges.map((r) => Number((r.max as bigint) - (r.min as bigint)) / 1e6)));
await time('rows in range', c, ranges.slice(0, 1).map((r) => `SELECT count(*) FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max}`));
console.log((await c.runAndReadAll(`SELECT count(*) FROM seg_${t0} WHERE ts_ns BETWEEN ${ranges[0]!.min} AND ${ranges[0]!.max}`)).getRows());
const rowids: string[] = [];
for (const r of ranges) {
  const rows = (await c.runAndReadAll(`SELECT rowid FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max} AND trace_id = ${r.id}::UHUGEINT`)).getRows();
  rowids.push(rows.map(([x]) => String(x)).join(', '));
}
for (let round = 0; round < 2; round++) await time('rowid lookup of span rows', c, ranges.map((r) => `SELECT rowid FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max} AND trace_id = ${r.id}::UHUGEINT`));
for (let round = 0; round < 2; round++) await time('select * by rowid IN', c, rowids.map((list) => `SELECT * FROM seg_${t0} WHERE rowid IN (${list})`));
for (let round = 0; round < 2; round++) await time('segment read * again', c, ranges.map((r) => `SELECT * FROM seg_${t0} WHERE ts_ns BETWEEN ${r.min} AND ${r.max} AND trace_id = ${r.id}::UHUGEINT`));
console.log((await c.runAndReadAll(`EXPLAIN ANALYZE SELECT * FROM seg_${t0} WHERE rowid IN (${rowids[0]})`)).getRows()[0]?.[1]);
