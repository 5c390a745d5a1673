import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { LEGACY_TRACE_MERGED_TABLE, TRACE_MERGED_TABLE, floorSecondsSql, traceIndexRowsSql, traceKey32Of, traceKey32Sql, traceKeyOf } from './duckdb-physical-layout.js';
import { SortedChunkBuilder, TraceLocator, type LocatorRows } from './duckdb-trace-locator.js';

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
  /** The index in memory (TraceLocator): lookups read it instead of the tables while it is enabled. */
  readonly locator: TraceLocator;

  constructor(locatorMaxRows: number) {
    this.locator = new TraceLocator(locatorMaxRows);
  }

  /** Counts what the database holds and reads the index into memory (at open, and after a reopen). */
  async countFrom(connection: DuckDBConnection): Promise<void> {
    const result = await connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM waggle_trace_runs), (SELECT count(*) FROM ${LEGACY_TRACE_MERGED_TABLE})`,
    );
    const [runs, legacy] = result.getRows()[0] ?? [];
    this.runs = Number(runs ?? 1) > 0;
    this.legacy = Number(legacy ?? 1) > 0;
    await loadTraceLocator(connection, this.locator);
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

/** Every index row of registered segments as (segment_id, 32-bit key, first second, last second). */
function locatorRowsSql(): string {
  return `SELECT segment_id, CAST(trace_key AS UINTEGER) AS k, CAST(${floorSecondsSql('min_ts_ns')} AS DOUBLE) AS start_s, CAST(${floorSecondsSql('max_ts_ns')} AS DOUBLE) AS end_s
    FROM (${traceIndexRowsSql()}) WHERE segment_id IN (SELECT id FROM waggle_segments)`;
}

/**
 * Reads the index tables into the locator: each segment's count, first second and widest offset
 * or length first (so its arrays are allocated once at their final width, and a store past the
 * locator's bound is not read at all), then its rows in key order, streamed. At 10M spans: 1.17M
 * rows, 9.4 MB, read in ~1 s (BENCHMARKS.md run BF).
 */
export async function loadTraceLocator(connection: DuckDBConnection, locator: TraceLocator): Promise<void> {
  const shapes = new Map<number, { count: number; baseS: number; widest: number }>();
  let total = 0;
  const counted = await connection.runAndReadAll(
    `SELECT segment_id, count(*), min(start_s), greatest(max(start_s) - min(start_s), max(end_s - start_s)) FROM (${locatorRowsSql()}) GROUP BY segment_id`,
  );
  for (const [segmentId, count, baseS, widest] of counted.getRows()) {
    shapes.set(Number(segmentId), { count: Number(count), baseS: Number(baseS), widest: Number(widest) });
    total += Number(count);
  }
  const overflowed = total > locator.maxRows;
  // Not used by lookups until every row is in.
  locator.beginLoad(overflowed);
  try {
    if (!overflowed) await loadBatches(connection, locator, shapes);
  } catch (error) {
    // Part of the rows is no index: off until a load completes.
    locator.invalidate();
    throw error;
  } finally {
    locator.loaded();
  }
}

/** The rows of every counted segment, batch by batch. */
async function loadBatches(connection: DuckDBConnection, locator: TraceLocator, shapes: ReadonlyMap<number, { count: number; baseS: number; widest: number }>): Promise<void> {
  // Read in batches of segments, each sorted by DuckDB: sorting every row at once held ~70 MB
  // more of DuckDB's memory afterwards at 10M (BENCHMARKS.md run BF).
  const ids = [...shapes.keys()].sort((a, b) => a - b);
  for (let first = 0; first < ids.length; ) {
    let last = first;
    let rows = shapes.get(ids[first]!)!.count;
    while (last + 1 < ids.length && rows + shapes.get(ids[last + 1]!)!.count <= LOAD_BATCH_ROWS) rows += shapes.get(ids[++last]!)!.count;
    if (!(await loadSegments(connection, locator, ids.slice(first, last + 1), shapes))) return;
    first = last + 1;
  }
}

/** Rows one statement of a load sorts (a batch of segments; one segment may have more). */
const LOAD_BATCH_ROWS = 262_144;

/** One batch of a load; false (and the locator off) if the rows read differ from those counted. */
async function loadSegments(connection: DuckDBConnection, locator: TraceLocator, ids: readonly number[], shapes: ReadonlyMap<number, { count: number; baseS: number; widest: number }>): Promise<boolean> {
  const result = await connection.stream(`${locatorRowsSql()} AND segment_id IN (${ids.join(', ')}) ORDER BY segment_id, k`);
  let segment = -1;
  let builder: SortedChunkBuilder | null = null;
  // Nothing writes while the store opens, so the read finds what the count did; if not, lookups
  // read the tables until the next open.
  const mismatch = (): boolean => {
    locator.invalidate();
    return false;
  };
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const [segmentIds, keys, starts, ends] = chunk.getColumns();
    for (let i = 0; i < chunk.rowCount; i += 1) {
      const segmentId = Number(segmentIds![i]);
      if (segmentId !== segment) {
        const shape = shapes.get(segmentId);
        if (shape === undefined || (builder !== null && !builder.full)) return mismatch();
        if (builder !== null) locator.add(segment, builder.finish());
        segment = segmentId;
        builder = new SortedChunkBuilder(shape.count, shape.baseS, shape.widest);
      }
      const key = Number(keys![i]);
      const startS = Number(starts![i]);
      const endS = Number(ends![i]);
      if (!builder!.fits(key, startS, endS)) return mismatch();
      builder!.push(key, startS, endS);
    }
  }
  if (builder !== null && !builder.full) return mismatch();
  if (builder !== null) locator.add(segment, builder.finish());
  return true;
}

/** A compaction's run (its index table: 64-bit keys, ns start and length) as locator rows. */
export async function readCompactionRun(connection: DuckDBConnection, indexTable: string): Promise<LocatorRows> {
  const result = await connection.run(
    `SELECT CAST(${traceKey32Sql('trace_key')} AS UINTEGER), CAST(${floorSecondsSql('min_ts_ns')} AS DOUBLE), CAST(${floorSecondsSql('min_ts_ns + length_ns')} AS DOUBLE) FROM ${indexTable}`,
  );
  const chunks = Array.from({ length: result.chunkCount }, (_, i) => result.getChunk(i));
  const n = chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0);
  const rows = { keys: new Uint32Array(n), startS: new Float64Array(n), endS: new Float64Array(n) };
  let at = 0;
  for (const chunk of chunks) {
    const [keys, starts, ends] = chunk.getColumns();
    for (let i = 0; i < chunk.rowCount; i += 1, at += 1) {
      rows.keys[at] = Number(keys![i]);
      rows.startS[at] = Number(starts![i]);
      rows.endS[at] = Number(ends![i]);
    }
  }
  return rows;
}
