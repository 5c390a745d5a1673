import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { LEGACY_TRACE_MERGED_TABLE, TRACE_MERGED_TABLE, traceKey32Of, traceKeyOf } from './duckdb-physical-layout.js';

/** Where one trace's spans are: a segment and the trace's time range in it (nanoseconds, inclusive). */
export interface TraceLocation {
  readonly segmentId: number;
  readonly minTsNs: bigint;
  readonly maxTsNs: bigint;
}

/**
 * Which of the sorted trace-index tables may hold rows, so that a lookup reads only those. The
 * live table (`waggle_trace_index`, every commit appends to it) and the merged table are always
 * read; `waggle_trace_runs` only holds rows between a compaction and the next merge, and the
 * legacy 64-bit merged table only in a data directory from before the 32-bit keys, until its
 * first merge. Reading an empty table still cost a lookup a branch of a UNION, and the union a
 * GROUP BY: measured (DuckDB alone, warm, 1M set, load 8) 2.1-2.4 ms for the four branches
 * grouped, 0.56 for the merged and live tables alone, 0.44 for the merged one.
 *
 * May only err on the side of "may hold rows": the flag of the runs is raised inside the
 * compaction swap, before its commit (the swap passes the SegmentSwapGate, so a lookup that
 * overlapped it runs again and sees the flag), and lowered only after a merge committed, which
 * leaves both the runs and the legacy table empty (only the lifecycle writes either, one pass at
 * a time). A reopened database is counted again.
 */
export class TraceIndexTables {
  private runs = true;
  private legacy = true;

  /** Counts what the database holds (at open, and after a reopen). */
  async countFrom(connection: DuckDBConnection): Promise<void> {
    const result = await connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM waggle_trace_runs), (SELECT count(*) FROM ${LEGACY_TRACE_MERGED_TABLE})`,
    );
    const [runs, legacy] = result.getRows()[0] ?? [];
    this.runs = Number(runs ?? 1) > 0;
    this.legacy = Number(legacy ?? 1) > 0;
  }

  /** A compaction is about to append a run (called before its transaction commits). */
  runAppended(): void {
    this.runs = true;
  }

  /** A merge committed: the runs and the legacy table are empty. */
  merged(): void {
    this.runs = false;
    this.legacy = false;
  }

  /** The lookup for the tables that may hold rows (its text changes only when that does). */
  lookup(): TraceIndexLookup {
    const variant = (this.runs ? 1 : 0) + (this.legacy ? 2 : 0);
    return LOOKUPS[variant]!;
  }
}

/** One lookup statement's text and how to bind a trace to it. */
export interface TraceIndexLookup {
  readonly sql: string;
  bind(statement: DuckDBPreparedStatement, traceId: bigint): void;
}

const LOOKUPS: readonly TraceIndexLookup[] = [0, 1, 2, 3].map((variant) => lookupFor((variant & 1) !== 0, (variant & 2) !== 0));

/**
 * Each branch filtered on what its table stores (the live table by trace id, the runs and the
 * legacy table by the 64-bit key, the merged table by the 32-bit one), so zone maps prune each
 * sorted table to one row group; no grouping in SQL (traceLocations does it).
 */
function lookupFor(runs: boolean, legacy: boolean): TraceIndexLookup {
  const seconds = 'segment_id, min_s * 1000000000, (min_s + length_s) * 1000000000 + 999999999';
  const branches = [
    `SELECT segment_id, min_ts_ns, max_ts_ns FROM waggle_trace_index WHERE trace_id = $1::UHUGEINT`,
    `SELECT ${seconds} FROM ${TRACE_MERGED_TABLE} WHERE trace_key = $2::BIGINT`,
  ];
  if (runs) branches.push('SELECT segment_id, min_ts_ns, min_ts_ns + length_ns FROM waggle_trace_runs WHERE trace_key = $3::UBIGINT');
  if (legacy) branches.push(`SELECT ${seconds} FROM ${LEGACY_TRACE_MERGED_TABLE} WHERE trace_key = $3::UBIGINT`);
  const key64 = runs || legacy;
  return {
    sql: branches.join(' UNION ALL '),
    bind(statement, traceId) {
      statement.bindVarchar(1, traceId.toString());
      statement.bindBigInt(2, traceKey32Of(traceId));
      if (key64) statement.bindVarchar(3, traceKeyOf(traceId).toString());
    },
  };
}

/** The index rows of one trace as one time range per segment, by segment id. */
export function traceLocations(rows: readonly (readonly DuckDBValue[])[]): TraceLocation[] {
  const bySegment = new Map<number, { min: bigint; max: bigint }>();
  for (const [segmentId, minTs, maxTs] of rows) {
    if (typeof segmentId !== 'number' || typeof minTs !== 'bigint' || typeof maxTs !== 'bigint') continue;
    const range = bySegment.get(segmentId);
    if (range === undefined) bySegment.set(segmentId, { min: minTs, max: maxTs });
    else {
      if (minTs < range.min) range.min = minTs;
      if (maxTs > range.max) range.max = maxTs;
    }
  }
  return [...bySegment.entries()].sort(([a], [b]) => a - b).map(([segmentId, { min, max }]) => ({ segmentId, minTsNs: min, maxTsNs: max }));
}
