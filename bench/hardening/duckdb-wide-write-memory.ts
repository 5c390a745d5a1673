/**
 * What DuckDB takes to write wide rows, in-process (issue 9: peak RSS ≤ 1 GiB; BENCHMARKS.md run
 * AS): K tables of ROWS rows × COLUMNS columns (the store's 16 core columns, then attribute
 * columns mostly NULL, as the hostile mix's wide requests make them) committed one by one, then
 * one CHECKPOINT writes them all (or, with --checkpoint-each, one after each commit). Prints the
 * process's peak anonymous memory over each phase (VmHWM reset through /proc/self/clear_refs, less
 * the file-backed pages) and DuckDB's pool by tag after it. The store's DuckDB settings (512 MB,
 * 2 threads, 256 KiB blocks, row groups of 32 768).
 *
 *   npm run build:server && node dist/bench/hardening/duckdb-wide-write-memory.js [--tables K] [--rows N] [--columns C] [--type mix|BIGINT|VARCHAR] [--nulls] [--checkpoint-each]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CORE_PHYSICAL_COLUMNS } from '../../src/store/duckdb/duckdb-physical-layout.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const tables = Number(option('--tables', '1'));
const rows = Number(option('--rows', '1085'));
const columns = Number(option('--columns', '400'));
const type = option('--type', 'mix');
const onlyNulls = process.argv.includes('--nulls');
const checkpointEach = process.argv.includes('--checkpoint-each');
/** Attribute columns every row fills (the mix's app.field_*); the others hold one value in 500 rows' 150. */
const FILLED = 15;

function statusMb(): { anon: number; hwm: number; file: number } {
  const text = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { anon: Math.round(kb('RssAnon') / 1024), hwm: Math.round(kb('VmHWM') / 1024), file: Math.round(kb('RssFile') / 1024) };
}

async function poolMb(connection: DuckDBConnection): Promise<string> {
  const result = await connection.runAndReadAll('SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0');
  return result
    .getRows()
    .map(([tag, bytes]) => `${String(tag)} ${Math.round(Number(bytes) / 1048576)}`)
    .join(', ');
}

async function phase(connection: DuckDBConnection, name: string, run: () => Promise<void>): Promise<void> {
  // Writing 5 resets VmHWM to the current RSS, so the phase's own peak shows.
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = statusMb();
  const started = performance.now();
  await run();
  const after = statusMb();
  const peakAnon = after.hwm - after.file;
  process.stdout.write(
    `${name}: anonymous ${before.anon} MB before, peak ~${peakAnon} (+${peakAnon - before.anon}), ${after.anon} after; ${Math.round(performance.now() - started)} ms; DuckDB pool after: ${await poolMb(connection)}\n`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-wide-write-'));
const instance = await DuckDBInstance.create(':memory:', {
  memory_limit: '512MB',
  threads: '2',
  temp_directory: path.join(dir, 'tmp'),
  allocator_flush_threshold: '16MB',
  allocator_bulk_deallocation_flush_threshold: '32MB',
  allocator_background_threads: 'true',
  write_buffer_row_group_count: '1',
  // No automatic checkpoint: the phases decide when DuckDB writes.
  checkpoint_threshold: '10GB',
});
const connection = await instance.connect();
try {
  await connection.run(`ATTACH '${path.join(dir, 'wide.duckdb')}' AS wide (ROW_GROUP_SIZE 32768)`);
  await connection.run('USE wide');
  const core = CORE_PHYSICAL_COLUMNS.map((c) => `${c.physical} ${c.sqlType.replace(' NOT NULL', '')}`);
  const coreValues = CORE_PHYSICAL_COLUMNS.map((c) => (c.sqlType.startsWith('VARCHAR') ? `'v' || (i % 4)` : c.sqlType.startsWith('UHUGEINT') ? 'i::UHUGEINT' : 'i'));
  const attributes = columns - core.length;
  const typeOf = (j: number): string => (type === 'mix' ? (j % 2 === 1 ? 'VARCHAR' : 'BIGINT') : type);
  process.stdout.write(`${tables} table(s) of ${rows} rows x ${columns} columns (${attributes} attribute columns, ${type}${onlyNulls ? ', only NULLs' : ''})\n`);
  await phase(connection, `create and commit ${tables} table(s)${checkpointEach ? ', a checkpoint after each' : ''}`, async () => {
    for (let t = 0; t < tables; t += 1) {
      const defs = Array.from({ length: attributes }, (_, j) => `a${t}_${j} ${typeOf(j)}`);
      const values = Array.from({ length: attributes }, (_, j) => {
        const value = onlyNulls ? 'NULL' : typeOf(j) === 'VARCHAR' ? `'v' || (i % 50)` : `i + ${j}`;
        return j < FILLED ? value : `CASE WHEN i % 500 < 150 AND (i * 7 + 3) % ${Math.max(1, attributes - FILLED)} = ${j - FILLED} THEN ${value} END`;
      });
      await connection.run('BEGIN TRANSACTION');
      await connection.run(`CREATE TABLE t${t} (${[...core, ...defs].join(', ')})`);
      await connection.run(`INSERT INTO t${t} SELECT ${[...coreValues, ...values].join(', ')} FROM range(${rows}) r(i)`);
      await connection.run('COMMIT');
      if (checkpointEach) await connection.run('CHECKPOINT');
    }
  });
  await phase(connection, 'checkpoint', () => connection.run('CHECKPOINT').then(() => undefined));
  await phase(connection, 'idle 1 s', () => new Promise((resolve) => setTimeout(resolve, 1000)));
} finally {
  connection.closeSync();
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
}
