/**
 * Copies a kept data set's file with its segment tables in row groups of N rows (the internal
 * tables keep the store's 32 768), one thread and one row group in DuckDB's write buffer, in the
 * same row order: what a compaction writing smaller row groups would leave (BENCHMARKS.md run AT).
 *   node dist/bench/segment-row-group-rewrite.js SOURCE.duckdb TARGET.duckdb N
 * SOURCE is attached read-only; copy the set's `wal` and `saved` directories and its .load.json
 * beside TARGET yourself. Open the result with the same row group size
 * (`trace-lookup-cost-probe --row-group-size N`): DuckDB 1.5.6's checkpoint merges row groups
 * smaller than the ATTACH's ROW_GROUP_SIZE back into full ones (every table, changed or not).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DUCKDB_STORE_OPTIONS } from '../src/store/duckdb/duckdb-span-store.js';
import { sqlStringLiteral } from '../src/store/sql-literal.js';

const [source, target, sizeText] = process.argv.slice(2);
if (source === undefined || target === undefined || sizeText === undefined) throw new Error('usage: segment-row-group-rewrite SOURCE TARGET N');
const segmentRowGroupSize = Number(sizeText);
const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '3GB', write_buffer_row_group_count: '1' });
const connection = await instance.connect();
const rows = async (sql: string): Promise<unknown[][]> => (await connection.runAndReadAll(sql)).getRows();
await connection.run(`ATTACH ${sqlStringLiteral(source)} AS o (READ_ONLY)`);
const tables = (await rows("SELECT table_name, sql FROM duckdb_tables() WHERE database_name = 'o' ORDER BY table_name")).map(([name, ddl]) => ({ name: String(name), ddl: String(ddl) }));
const started = performance.now();
const passes: Array<[number, (name: string) => boolean]> = [
  [DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize, (name) => !name.startsWith('seg_')],
  [segmentRowGroupSize, (name) => name.startsWith('seg_')],
];
for (const [size, pick] of passes) {
  await connection.run(`ATTACH ${sqlStringLiteral(target)} AS d (ROW_GROUP_SIZE ${size})`);
  for (const table of tables.filter((t) => pick(t.name))) {
    await connection.run(table.ddl.replace(/^CREATE TABLE\s+/i, 'CREATE TABLE d.'));
    // One thread and preserve_insertion_order (the default): the rows keep the source's order.
    await connection.run(`INSERT INTO d.${table.name} SELECT * FROM o.${table.name}`);
    await connection.run('CHECKPOINT d');
  }
  await connection.run('DETACH d');
}
await connection.run(`ATTACH ${sqlStringLiteral(target)} AS d (READ_ONLY)`);
const [size] = await rows("SELECT used_blocks, block_size FROM pragma_database_size() WHERE database_name = 'd'");
console.log(`${tables.length} tables in ${((performance.now() - started) / 1000).toFixed(0)} s; used blocks ${String(size?.[0])} of ${String(size?.[1])} bytes`);
connection.closeSync();
instance.closeSync();
