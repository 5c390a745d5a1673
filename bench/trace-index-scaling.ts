/**
 * How a trace-index lookup scales with the store, DuckDB alone (no Waggle): one merged table
 * sorted by trace key (waggle_trace_merged) against one sorted run per 1M-span segment
 * (waggle_trace_runs), at 117 000 traces per million spans, plus what deleting a tenth of the
 * segments' rows from the merged table would cost (why retirement leaves them to the next merge).
 *   node dist/bench/trace-index-scaling.js [--sizes 1,10,30]   (millions of spans)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { TRACE_MERGED_COLUMNS, TRACE_RUN_COLUMNS, floorSecondsSql, traceKey32Sql } from '../src/store/duckdb/duckdb-physical-layout.js';

const TRACES_PER_SEGMENT = 117_000;
const LOOKUPS = 200;
const sizesArg = process.argv.indexOf('--sizes');
const sizes = (sizesArg < 0 ? '1,10,30' : (process.argv[sizesArg + 1] ?? '1')).split(',').map(Number);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-index-scaling-'));
const instance = await DuckDBInstance.create(path.join(dir, 'index.duckdb'), { threads: '2', memory_limit: '512MB' });
const connection = await instance.connect();
const rows = async (sql: string): Promise<unknown[][]> => (await connection.runAndReadAll(sql)).getRows();
try {
  for (const millions of sizes) {
    const segments = Math.max(1, millions);
    await connection.run('DROP TABLE IF EXISTS runs');
    await connection.run('DROP TABLE IF EXISTS merged');
    await connection.run(`CREATE TABLE runs ${TRACE_RUN_COLUMNS}`);
    for (let s = 0; s < segments; s++) {
      await connection.run(
        `INSERT INTO runs SELECT k, ${s}, 1764000000000000000 + (random() * 86400e9)::BIGINT, (random() * 2e9)::BIGINT FROM (SELECT (random() * 1.8e19)::UBIGINT AS k FROM range(${TRACES_PER_SEGMENT})) ORDER BY k`,
      );
    }
    await connection.run(`CREATE TABLE merged ${TRACE_MERGED_COLUMNS}`);
    const minS = floorSecondsSql('min_ts_ns');
    await connection.run(`INSERT INTO merged SELECT ${traceKey32Sql('trace_key')} AS key32, segment_id, ${minS}, ${floorSecondsSql('min_ts_ns + length_ns')} - ${minS} FROM runs ORDER BY key32`);
    await connection.run('CHECKPOINT');
    const keys = (await rows(`SELECT trace_key FROM runs USING SAMPLE ${LOOKUPS} ROWS`)).map(([key]) => String(key));
    const merged: number[] = [];
    const runs: number[] = [];
    // Two rounds; the second (warm) is reported.
    for (let round = 0; round < 2; round++) {
      merged.length = 0;
      runs.length = 0;
      for (const key of keys) {
        let t = performance.now();
        await rows(`SELECT segment_id, min_s FROM merged WHERE trace_key = ${traceKey32Sql(`${key}::UBIGINT`)}`);
        merged.push(performance.now() - t);
        t = performance.now();
        await rows(`SELECT segment_id, min_ts_ns FROM runs WHERE trace_key = ${key}`);
        runs.push(performance.now() - t);
      }
    }
    const blocks = async (table: string): Promise<number> => Number((await rows(`SELECT count(DISTINCT block_id) FROM pragma_storage_info('${table}') WHERE persistent`))[0]?.[0]);
    const spans = millions * 1e6;
    const tenth = Array.from({ length: Math.max(1, Math.round(segments / 10)) }, (_, i) => i).join(', ');
    await connection.run('BEGIN TRANSACTION');
    const t = performance.now();
    await connection.run(`DELETE FROM merged WHERE segment_id IN (${tenth})`);
    const deleteMs = performance.now() - t;
    await connection.run('ROLLBACK');
    console.log(
      `${millions}M spans (${segments * TRACES_PER_SEGMENT} index rows, ${segments} runs): lookup merged ${median(merged).toFixed(2)} ms, runs ${median(runs).toFixed(2)} ms; ` +
        `bytes per span merged ${(((await blocks('merged')) * 262144) / spans).toFixed(2)}, runs ${(((await blocks('runs')) * 262144) / spans).toFixed(2)}; ` +
        `deleting a tenth of the segments' rows from merged ${deleteMs.toFixed(1)} ms (load ${os.loadavg()[0]!.toFixed(1)})`,
    );
  }
} finally {
  connection.closeSync();
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
}
