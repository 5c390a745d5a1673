import type { DuckDBConnection } from '@duckdb/node-api';
import {
  LEGACY_TRACE_MERGED_COLUMNS,
  LEGACY_TRACE_MERGED_TABLE,
  TRACE_MERGE_BUILD_TABLE,
  TRACE_MERGED_COLUMNS,
  TRACE_MERGED_TABLE,
  TRACE_RUN_COLUMNS,
  floorSecondsSql,
  traceKey32Sql,
} from './duckdb-physical-layout.js';

/**
 * Each compaction appends one run sorted by trace key to `waggle_trace_runs`; a lookup reads one
 * row group of every run (zone maps), so its cost grows with the number of runs, that is with the
 * size of the store. Merging folds the runs into `waggle_trace_merged32`, one table sorted by key
 * over every compacted segment, where a lookup reads one row group whatever the size: the lookup
 * then reads the merged table plus fewer than RUNS_MERGED_AT runs.
 */
/** This many runs waiting are merged even while compaction is still busy (a steady load). */
const RUNS_MERGED_AT = 4;
/**
 * Once compaction has nothing left to do, runs are merged when they hold at least this share of
 * the merged table's rows: a merge rewrites the whole merged table, so merging every single run of
 * a quiet store would rewrite a 60-day index each hour; with a share, each row is rewritten a
 * bounded number of times (geometric growth), and a quiet store still has few runs.
 */
const QUIET_MERGE_SHARE = 1 / 16;

export interface TraceRunCounts {
  /** Runs in waggle_trace_runs (one per compacted segment not yet merged). */
  readonly runs: number;
  readonly runRows: number;
  readonly mergedRows: number;
}

export async function traceRunCounts(connection: DuckDBConnection): Promise<TraceRunCounts> {
  const result = await connection.runAndReadAll(
    `SELECT (SELECT count(DISTINCT segment_id) FROM waggle_trace_runs), (SELECT count(*) FROM waggle_trace_runs), (SELECT count(*) FROM ${TRACE_MERGED_TABLE}) + (SELECT count(*) FROM ${LEGACY_TRACE_MERGED_TABLE})`,
  );
  const [runs, runRows, mergedRows] = result.getRows()[0] ?? [];
  return { runs: Number(runs ?? 0), runRows: Number(runRows ?? 0), mergedRows: Number(mergedRows ?? 0) };
}

/** Whether the runs should be merged now; `quiet`: compaction has nothing left to do. */
export function traceRunMergeDue(counts: TraceRunCounts, quiet: boolean): boolean {
  if (counts.runs >= RUNS_MERGED_AT) return true;
  return quiet && counts.runs > 0 && counts.runRows >= counts.mergedRows * QUIET_MERGE_SHARE;
}

/**
 * Builds the merged table on `connection` (nobody reads it yet): the merged rows and every run
 * (its times in whole seconds and its keys in 32 bits, TRACE_MERGED_COLUMNS), sorted by key, without the rows of segments
 * no longer registered (retirement leaves them in the merged table: lookups skip them).
 */
export async function buildMergedTraceRuns(connection: DuckDBConnection): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${TRACE_MERGE_BUILD_TABLE}`);
  await connection.run(`CREATE TABLE ${TRACE_MERGE_BUILD_TABLE} ${TRACE_MERGED_COLUMNS}`);
  const minS = floorSecondsSql('min_ts_ns');
  // The legacy table's 64-bit keys (a data directory from before the 32-bit keys) are folded here, once.
  await connection.run(
    `INSERT INTO ${TRACE_MERGE_BUILD_TABLE} SELECT trace_key, segment_id, min_s, length_s FROM (
       SELECT trace_key, segment_id, min_s, length_s FROM ${TRACE_MERGED_TABLE}
       UNION ALL SELECT ${traceKey32Sql('trace_key')}, segment_id, min_s, length_s FROM ${LEGACY_TRACE_MERGED_TABLE}
       UNION ALL SELECT ${traceKey32Sql('trace_key')}, segment_id, ${minS}, ${floorSecondsSql('min_ts_ns + length_ns')} - ${minS} FROM waggle_trace_runs)
     WHERE segment_id IN (SELECT id FROM waggle_segments) ORDER BY trace_key`,
  );
}

/**
 * On the writer, in one transaction: the built table becomes `waggle_trace_merged32` and the runs
 * it holds leave `waggle_trace_runs`. A crash before leaves only the build table, which the next
 * start drops; so the index is exact either way.
 */
export async function swapMergedTraceRuns(writer: DuckDBConnection): Promise<void> {
  await writer.run('BEGIN TRANSACTION');
  try {
    await writer.run(`DROP TABLE ${TRACE_MERGED_TABLE}`);
    await writer.run(`ALTER TABLE ${TRACE_MERGE_BUILD_TABLE} RENAME TO ${TRACE_MERGED_TABLE}`);
    // The legacy table's rows are in the built one now (usually it was empty already).
    await writer.run(`DROP TABLE ${LEGACY_TRACE_MERGED_TABLE}`);
    await writer.run(`CREATE TABLE ${LEGACY_TRACE_MERGED_TABLE} ${LEGACY_TRACE_MERGED_COLUMNS}`);
    // Dropped and made anew rather than deleted from: deleted rows would stay in its row groups.
    await writer.run('DROP TABLE waggle_trace_runs');
    await writer.run(`CREATE TABLE waggle_trace_runs ${TRACE_RUN_COLUMNS}`);
    await writer.run('COMMIT');
  } catch (error) {
    await writer.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
