import { nowNs } from '../../core/unix-nanos.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { qualified, schemaMigrations, type ClickHouseTopology } from './clickhouse-schema-ddl.js';

/**
 * Brings the schema to the latest version: runs each step not yet recorded in
 * waggle_schema_migrations, then records it. Every statement is idempotent (IF NOT EXISTS), so two
 * Waggle processes starting at once may both run a step: the second finds it done and changes
 * nothing, and the version row written twice is read once (ReplacingMergeTree).
 */
export async function runSchemaMigrations(connection: ClickHouseConnection, topology: ClickHouseTopology): Promise<number> {
  const migrations = schemaMigrations(topology);
  // The database and the version table come first: the version table is read before any step.
  const [first] = migrations;
  if (first === undefined) return 0;
  for (const ddl of first.statements.slice(0, 2)) await connection.command(ddl);
  const applied = await connection.query(`SELECT max(version) FROM ${qualified(topology, 'waggle_schema_migrations')}`);
  let version = Number(applied.rows[0]?.[0] ?? 0);
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    for (const ddl of migration.statements) await connection.command(ddl);
    await connection.insertJsonRows(qualified(topology, 'waggle_schema_migrations'), [{ version: migration.version, applied_ns: nowNs() }]);
    version = migration.version;
  }
  return version;
}
