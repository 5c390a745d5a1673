import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * The prepared statements of trace lookups, per pooled read connection: each connection prepares
 * the index lookup once and each segment's read (or each part of a split read) once, then only
 * binds the trace's values. That saves the parse only: DuckDB 1.5 keeps no plan of a statement
 * with parameters that reads a table (PreparedStatement::CanCachePlan refuses any plan with a
 * LOGICAL_GET, so that the values can reach the optimizer), so every execution binds and plans
 * again (a uprobe on ClientContext::RebindPreparedStatement fires once per execution), about a
 * third of DuckDB's CPU in a warm ~55-column read (BENCHMARKS.md run AE).
 *
 * A segment's statement is kept under its SQL text (which names its columns): when the segment
 * gains a column, the text changes and the old statement goes. Statements of segments no longer
 * registered go at the next lookup on that connection, so a connection keeps at most one
 * statement per live segment. DuckDB rebinds a prepared statement by itself when the catalog
 * changed since it was prepared (a merge swapping the index tables, a dropped table).
 */
export class DuckDbTraceStatements {
  private readonly byConnection = new WeakMap<DuckDBConnection, ConnectionStatements>();

  /**
   * The statement for `sql` on `connection` (`segmentId`: the segment it reads, or -1 for the index
   * lookup; `part`: which of a split read's column groups, 0 for a whole read).
   */
  async statement(connection: DuckDBConnection, segmentId: number, sql: string, part = 0): Promise<DuckDBPreparedStatement> {
    let statements = this.byConnection.get(connection);
    if (statements === undefined) {
      statements = new Map();
      this.byConnection.set(connection, statements);
    }
    const key = `${segmentId}/${part}`;
    const kept = statements.get(key);
    if (kept !== undefined && kept.sql === sql) return kept.statement;
    kept?.statement.destroySync();
    statements.delete(key);
    const statement = await connection.prepare(sql);
    statements.set(key, { segmentId, sql, statement });
    return statement;
  }

  /** Drops the statements of segments other than `live` (and the index lookup's, never). */
  keepOnly(connection: DuckDBConnection, live: ReadonlySet<number>): void {
    const statements = this.byConnection.get(connection);
    if (statements === undefined) return;
    for (const [key, { segmentId, statement }] of statements) {
      if (segmentId === INDEX_LOOKUP_KEY || live.has(segmentId)) continue;
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

type ConnectionStatements = Map<string, { segmentId: number; sql: string; statement: DuckDBPreparedStatement }>;
