/**
 * A minimal reproduction, on DuckDB alone (@duckdb/node-api, no Waggle code), of a COMMIT that
 * fails and is not fully undone (DuckDB 1.5.6): a table of 16 columns gets 10 rows, then a
 * transaction appends 31 696 rows and its COMMIT fails under a 12 MB memory limit ("Failed to
 * commit: could not allocate block" / "failed to pin block") while it merges them into the table.
 * Part of them stays in the table's column data: 10 rows appended afterwards read back as the
 * failed transaction's first rows (their own values are not readable), and the next CHECKPOINT
 * fails with "Corrupted in-memory column - column with index 0 has misaligned count" and
 * invalidates the database. With the database closed and opened again after the failed COMMIT
 * (`--reopen`), the same COMMIT fails the same way, the later rows read as written and the
 * checkpoint succeeds: the file and DuckDB's log hold only what was committed.
 *
 *   node dist/bench/hardening/duckdb-failed-commit-repro.js [--reopen] [--memory-limit 12MB] [--rows 31696]
 *
 * Waggle reopens its database after every commit that fails at COMMIT with room on disk
 * (DuckDbSpanWriter.reopenAfterFailedCommit; test duckdb-failed-commit.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const memoryLimit = option('memory-limit', '12MB');
const failingRows = Number(option('rows', '31696'));
const reopen = process.argv.includes('--reopen');
const COLUMNS = 16;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckdb-failed-commit-'));
const file = path.join(dir, 'repro.duckdb');
const open = async (): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> => {
  const instance = await DuckDBInstance.create(file, { memory_limit: memoryLimit, threads: '2' });
  return { instance, connection: await instance.connect() };
};
let { instance, connection } = await open();

/** Rows `from` .. `from + count - 1`: even columns VARCHAR `<row>-<column>-ppp…`, odd ones BIGINT row * 7919 + column. */
async function appendRows(from: number, count: number): Promise<void> {
  const appender = await connection.createAppender('t');
  for (let row = from; row < from + count; row++) {
    for (let column = 0; column < COLUMNS; column++) {
      if (column % 2 === 1) appender.appendBigInt(BigInt(row * 7919 + column));
      else appender.appendVarchar(`${row}-${column}-${'p'.repeat(30)}`);
    }
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
}

try {
  await connection.run(`CREATE TABLE t (${Array.from({ length: COLUMNS }, (_, i) => `c${i} ${i % 2 === 1 ? 'BIGINT' : 'VARCHAR'}`).join(', ')})`);
  await appendRows(0, 10);
  await connection.run('BEGIN TRANSACTION');
  try {
    await appendRows(10, failingRows);
    await connection.run('COMMIT');
    console.log(`the COMMIT of ${failingRows} rows succeeded: raise --rows or lower --memory-limit to reproduce`);
  } catch (error) {
    console.log(`COMMIT failed: ${(error as Error).message.split('\n')[0]}`);
    await connection.run('ROLLBACK').catch(() => undefined);
  }
  if (reopen) {
    connection.closeSync();
    instance.closeSync();
    ({ instance, connection } = await open());
    console.log('closed and opened the database again');
  }
  await appendRows(100_000, 10);
  const rows = (await connection.runAndReadAll('SELECT c0, c1 FROM t ORDER BY rowid LIMIT 3 OFFSET 10')).getRows();
  console.log(`rows 10-12 (appended after the failed COMMIT as rows 100000-100002): ${JSON.stringify(rows.map(([c0, c1]) => [String(c0).split('-').slice(0, 2).join('-'), String(c1)]))}`);
  try {
    await connection.run('CHECKPOINT');
    console.log('CHECKPOINT succeeded');
  } catch (error) {
    console.log(`CHECKPOINT failed: ${(error as Error).message.split('\n')[0]}`);
  }
} finally {
  connection.closeSync();
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
}
