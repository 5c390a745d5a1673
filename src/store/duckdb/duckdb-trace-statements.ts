import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * The prepared statements of trace lookups, per pooled read connection: parsing, binding and
 * planning a `SELECT` of some fifty columns cost about as much as running it (a lookup reads a
 * handful of rows), so each connection prepares the index lookup once and each segment's read
 * once, then only binds the trace's values.
 *
 * A segment's statement is kept under its SQL text (which names its columns): when the segment
 * gains a column, the text changes and the old statement goes. Statements of segments no longer
 * registered go at the next lookup on that connection, so a connection keeps at most one
 * statement per live segment. DuckDB rebinds a prepared statement by itself when the catalog
 * changed since it was prepared (a merge swapping the index tables, a dropped table).
 */
export class DuckDbTraceStatements {
  private readonly byConnection = new WeakMap<DuckDBConnection, ConnectionStatements>();

  /** The statement for `sql` on `connection` (`key`: the segment it reads, or -1 for the index lookup). */
  async statement(connection: DuckDBConnection, key: number, sql: string): Promise<DuckDBPreparedStatement> {
    let statements = this.byConnection.get(connection);
    if (statements === undefined) {
      statements = new Map();
      this.byConnection.set(connection, statements);
    }
    const kept = statements.get(key);
    if (kept !== undefined && kept.sql === sql) return kept.statement;
    kept?.statement.destroySync();
    statements.delete(key);
    const statement = await connection.prepare(sql);
    statements.set(key, { sql, statement });
    return statement;
  }

  /** Drops the statements of segments other than `live` (and the index lookup's, never). */
  keepOnly(connection: DuckDBConnection, live: ReadonlySet<number>): void {
    const statements = this.byConnection.get(connection);
    if (statements === undefined) return;
    for (const [key, { statement }] of statements) {
      if (key === INDEX_LOOKUP_KEY || live.has(key)) continue;
      statement.destroySync();
      statements.delete(key);
    }
  }

  /** Before a connection is closed: its statements go with it. */
  forget(connection: DuckDBConnection): void {
    const statements = this.byConnection.get(connection);
    if (statements === undefined) return;
    for (const { statement } of statements.values()) statement.destroySync();
    this.byConnection.delete(connection);
  }
}

/** The key of the trace-index lookup among a connection's statements (segment ids are positive). */
export const INDEX_LOOKUP_KEY = -1;

type ConnectionStatements = Map<number, { sql: string; statement: DuckDBPreparedStatement }>;
