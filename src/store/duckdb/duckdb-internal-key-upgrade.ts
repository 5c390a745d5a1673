/**
 * Rebuilds the internal tables that a database made before run AJ created with a PRIMARY KEY or
 * UNIQUE (UNKEYED_INTERNAL_TABLES): DuckDB cannot drop such a key in place, and each costs a whole
 * block of the file for as long as the table has rows. One transaction a table: a crash leaves
 * either the keyed table or the rebuilt one, never both or neither.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UNKEYED_INTERNAL_TABLES } from './duckdb-physical-layout.js';

/** Where a table is rebuilt, in the transaction that gives it the name back. */
const REBUILD_SUFFIX = '__unkeyed';

/** Tables of the attached database that still have a PRIMARY KEY or UNIQUE, among `names`. */
async function keyedTables(writer: DuckDBConnection, names: readonly string[]): Promise<Set<string>> {
  const result = await writer.runAndReadAll(
    "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE database_name = current_database() AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
  );
  const keyed = new Set(result.getRows().map(([name]) => String(name)));
  return new Set(names.filter((name) => keyed.has(name)));
}

/** Column names of a definition list such as `id INTEGER NOT NULL, key_name VARCHAR NOT NULL`. */
function columnNames(columns: string): string[] {
  return columns.split(',').map((part) => part.trim().split(/\s+/)[0]!);
}

/** Rebuilds each keyed internal table without its keys; returns the tables rebuilt. */
export async function dropInternalTableKeys(writer: DuckDBConnection): Promise<string[]> {
  const keyed = await keyedTables(writer, UNKEYED_INTERNAL_TABLES.map((t) => t.name));
  const rebuilt: string[] = [];
  for (const { name, columns } of UNKEYED_INTERNAL_TABLES) {
    if (!keyed.has(name)) continue;
    const build = `${name}${REBUILD_SUFFIX}`;
    const list = columnNames(columns).join(', ');
    await writer.run('BEGIN TRANSACTION');
    try {
      await writer.run(`CREATE TABLE ${build} (${columns})`);
      await writer.run(`INSERT INTO ${build} (${list}) SELECT ${list} FROM ${name}`);
      await writer.run(`DROP TABLE ${name}`);
      await writer.run(`ALTER TABLE ${build} RENAME TO ${name}`);
      await writer.run('COMMIT');
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    rebuilt.push(name);
  }
  return rebuilt;
}
