import type { DuckDBConnection } from '@duckdb/node-api';
import type { ClientParentSource } from '../../query/compile/client-parent-source.js';
import type { RelationWindow } from '../../query/compile/compile-context.js';
import type { DatasetSelector } from '../span-store.js';
import { sqlStringLiteral } from '../sql-literal.js';
import { STORE_LIMITS } from '../../core/limits/store-limits.js';
import { segmentTableName } from './duckdb-physical-layout.js';
import type { DuckDbRetentionPolicy } from './duckdb-retention-policy.js';
import { segmentOverlaps, type SegmentState } from './duckdb-segment.js';

/** Tables of the index are named after their build: `waggle_client_parents_<n>`. */
const TABLE_PREFIX = 'waggle_client_parents_';
/** Rebuilt at most this often, and never more than a tenth of the time (a build scans every covered segment). */
const MIN_REBUILD_INTERVAL_MS = 60_000;
const REBUILD_TIME_SHARE = 10;

/**
 * A client no further from its server than this (start to start, end to end) is stored relative
 * to the server, as two small numbers: the values a query rebuilds from them cannot overflow.
 */
const MAX_RELATIVE_NS = 1n << 53n;

/**
 * How long after a build began the next may begin: at least a minute, and ten times what the last
 * took, so that building stays a small share of the store's time; after builds that failed in a
 * row (DuckDB's memory limit, a full disk), twice as long for each, up to
 * STORE_LIMITS.clientParentBuildRetryMaxMs. Queries are exact without the index (they keep the
 * read-time join), so a cause that lasts costs a retry every half hour, not the ~40 s of CPU of
 * a failing 30M-span build at every lifecycle pass.
 */
export function clientParentRebuildWaitMs(lastTookMs: number, failedInARow: number): number {
  const pace = Math.max(MIN_REBUILD_INTERVAL_MS, lastTookMs * REBUILD_TIME_SHARE);
  if (failedInARow === 0) return pace;
  return Math.max(pace, Math.min(STORE_LIMITS.clientParentBuildRetryMaxMs.value, pace * 2 ** failedInARow));
}

/**
 * `network.*` without joining every client span at read time (BENCHMARKS.md runs O, U and AF): a
 * table with, for each SERVER span of the sealed segments whose CLIENT parent is in those segments,
 * the server's position (segment and rowid: sealed segments are immutable, so a position names one
 * row until the segment is retired) and its client, as the difference of their starts and of their
 * ends when the client has one copy (mostly small and alike: a row takes ~2 bytes where the
 * client's random trace and span ids took ~30, Run AF), as is for the copies of a duplicated one.
 * It covers the set of segments it was built over; the query compiler joins it by position for
 * those and keeps the read-time join for the rest (segments sealed or written since, and covered
 * clients of uncovered servers), so an answer is exactly the read-time join's whatever order the
 * two spans arrived in (client-parent-source.ts, event-scan-sql.ts).
 *
 * Not persisted as state: built again after a start (tables of an earlier run are dropped at open),
 * and forgotten when the database is reopened; segment ids are not reused within a run, so a
 * position of a retired segment matches nothing. A replaced table lives on for the grace period,
 * since queries compiled before may still read it.
 */
export class DuckDbClientParentIndex {
  private current: { table: string; covered: ReadonlySet<number>; absolute: boolean } | null = null;
  private builds = 0;
  private lastBuild = { atMs: 0, tookMs: 0, rows: 0 };
  private readonly replaced: Array<{ table: string; atMs: number }> = [];
  /** Replaced tables were dropped and their blocks wait for a checkpoint that has not succeeded yet. */
  private checkpointDue = false;
  /** When the last build began, successful or not. */
  private lastAttemptMs = 0;
  /** How long the last build took, successful or not (a failing one can run long before it fails). */
  private lastAttemptTookMs = 0;
  /** Builds failed in a row since the last that succeeded: each doubles the wait before the next (clientParentRebuildWaitMs). */
  private failedAttempts = 0;
  /** The connection of a build in progress, to interrupt it at close. */
  private building: DuckDBConnection | null = null;
  private stopped = false;

  constructor(
    private readonly segments: readonly SegmentState[],
    private readonly retention: DuckDbRetentionPolicy,
    private readonly datasetNames: (selector: DatasetSelector) => string[],
    private readonly graceMs: number,
    /** Covered rows one pass of a build joins at most (STORE_LIMITS.clientParentBuildRowsPerPass). */
    private readonly rowsPerPass: number = STORE_LIMITS.clientParentBuildRowsPerPass.value,
  ) {}

  /** Drops the index tables a previous run left (called at open, before anything reads them). */
  static async dropLeftovers(writer: DuckDBConnection): Promise<void> {
    const result = await writer.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = 'waggle' AND starts_with(table_name, '${TABLE_PREFIX}')`);
    for (const [name] of result.getRows()) if (typeof name === 'string') await writer.run(`DROP TABLE IF EXISTS ${name}`);
  }

  /** Live sealed segments with rows: what a build covers. */
  private sealedSegments(): SegmentState[] {
    return this.segments.filter((s) => s.sealed && s.rowCount > 0);
  }

  /** Whether a build would cover a different set of segments than the current one. */
  due(): boolean {
    const sealed = this.sealedSegments();
    if (sealed.length === 0) return this.current !== null && this.current.covered.size > 0;
    if (this.current === null) return true;
    const covered = this.current.covered;
    return sealed.length !== covered.size || sealed.some((s) => !covered.has(s.id));
  }

  /** Builds when due and not too soon after the last build (unless `force`); answers whether it did. */
  async refreshIfDue(connect: () => Promise<DuckDBConnection>, force = false): Promise<boolean> {
    this.dropReplaced(connect);
    if (!this.due()) return false;
    if (this.stopped) return false;
    const wait = clientParentRebuildWaitMs(this.lastAttemptTookMs, this.failedAttempts);
    if (!force && this.lastAttemptMs > 0 && Date.now() - this.lastAttemptMs < wait) return false;
    this.lastAttemptMs = Date.now();
    const covered = this.sealedSegments();
    if (covered.length === 0) {
      // Nothing sealed any more (all retired): every query goes back to the read-time join.
      if (this.current !== null) this.replaced.push({ table: this.current.table, atMs: Date.now() });
      this.current = null;
      return true;
    }
    const table = `${TABLE_PREFIX}${++this.builds}`;
    const started = Date.now();
    let absolute = true;
    const connection = await connect();
    this.building = connection;
    try {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
      await buildTable(connection, table, covered, this.rowsPerPass);
      const count = await connection.runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE off IS NULL) FROM ${table}`);
      const [rows, absoluteRows] = count.getRows()[0] ?? [];
      this.lastBuild = { atMs: Date.now(), tookMs: Date.now() - started, rows: Number(rows ?? 0) };
      this.lastAttemptTookMs = this.lastBuild.tookMs;
      this.failedAttempts = 0;
      absolute = Number(absoluteRows ?? 0) > 0;
    } catch (error) {
      this.lastAttemptTookMs = Date.now() - started;
      this.failedAttempts += 1;
      await connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await connection.run(`DROP TABLE IF EXISTS ${table}${PASSES_SUFFIX}`).catch(() => undefined);
      throw error;
    } finally {
      this.building = null;
      connection.closeSync();
    }
    if (this.current !== null) this.replaced.push({ table: this.current.table, atMs: Date.now() });
    this.current = { table, covered: new Set(covered.map((s) => s.id)), absolute };
    return true;
  }

  /**
   * Forgets the current index after the database was reopened: the segments it covered may differ
   * from what the reopened database holds (a seal that was not committed), so queries use the
   * read-time join until the next build. The table is dropped like a replaced one.
   */
  forget(): void {
    if (this.current !== null) this.replaced.push({ table: this.current.table, atMs: Date.now() });
    this.current = null;
    this.lastAttemptMs = 0;
  }

  /** Interrupts a build in progress and starts no other (store close): what it leaves, the next open drops. */
  stop(): void {
    this.stopped = true;
    this.building?.interrupt();
  }

  /** Figures of the last build (for the benchmark's report). */
  lastBuildFigures(): { builds: number; tookMs: number; rows: number; covered: number } {
    return { builds: this.builds, tookMs: this.lastBuild.tookMs, rows: this.lastBuild.rows, covered: this.current?.covered.size ?? 0 };
  }

  /**
   * Drops replaced tables past the grace period (what a close leaves, the next open drops), then
   * checkpoints: DuckDB frees a dropped table's blocks only at a checkpoint, and once compaction
   * has settled nothing else checkpoints, so each replaced copy (~7 bytes a span of the covered
   * segments when it held the clients' random ids, ~0.5 now) stayed in the database's used blocks. A checkpoint that fails (another
   * transaction active) is tried again at the next call.
   */
  private dropReplaced(connect: () => Promise<DuckDBConnection>): void {
    const due = this.replaced.filter((r) => Date.now() - r.atMs >= this.graceMs);
    if (due.length === 0 && !this.checkpointDue) return;
    for (const r of due) this.replaced.splice(this.replaced.indexOf(r), 1);
    this.checkpointDue = true;
    void (async () => {
      const connection = await connect();
      try {
        for (const r of due) await connection.run(`DROP TABLE IF EXISTS ${r.table}`);
        await connection.run('CHECKPOINT');
        this.checkpointDue = false;
      } finally {
        connection.closeSync();
      }
    })().catch(() => undefined);
  }

  /** A snapshot for one query of `selector`, or undefined before the first build. */
  source(selector: DatasetSelector): ClientParentSource | undefined {
    const current = this.current;
    if (current === null) return undefined;
    const live = this.segments.filter((s) => s.rowCount > 0);
    const covered = live.filter((s) => current.covered.has(s.id));
    const uncovered = live.filter((s) => !current.covered.has(s.id));
    const allNames = this.datasetNames({ kind: 'all' });
    const selected = this.datasetNames(selector);
    const now = this.retention.now();
    // Retention's filter only where some event in range may have expired (as the store's relations do it).
    const visibleAll = (window: RelationWindow): string => this.retention.visibleConditionFrom(allNames, window.startNs, now);
    const visibleSelected = (window: RelationWindow): string => this.retention.visibleConditionFrom(selected, window.startNs, now);
    const selectorFilter = selector.kind === 'one' ? ` AND dataset = ${sqlStringLiteral(selector.name)}` : '';
    const coveredIds = covered.map((s) => s.id);
    // Rows of covered segments retired since the build (compacted into an uncovered one, or deleted) must not be read.
    const allCoveredLive = coveredIds.length === current.covered.size;
    const union = (segments: readonly SegmentState[], columns: readonly string[], window: RelationWindow, filter: string): string => {
      const wanted = [...new Set(columns)];
      const branches = segments
        .filter((s) => segmentOverlaps(s, window.startNs, window.endNs))
        .map((s) => `SELECT ${wanted.join(', ')} FROM ${segmentTableName(s.id)} WHERE ts_ns >= ${window.startNs} AND ts_ns < ${window.endNs}${filter}`);
      return branches.length === 0 ? `(SELECT ${wanted.map((c) => `CAST(NULL AS ${coreType(c)}) AS ${c}`).join(', ')} WHERE false)` : `(${branches.join(' UNION ALL ')})`;
    };
    const and = (condition: string): string => (condition === '' ? '' : ` AND ${condition}`);
    return {
      positions: (window) => {
        // A client whose dataset may have expired in the window would need its retention filter: joined at read time then.
        if (visibleAll(window) !== '') return undefined;
        const servers = covered.filter((s) => segmentOverlaps(s, window.startNs, window.endNs)).map((s) => s.id);
        if (servers.length === 0) return { relation: `(SELECT ${POSITION_COLUMNS.map((c) => `CAST(NULL AS BIGINT) AS ${c}`).join(', ')} WHERE false)`, absolute: false };
        const clientFilter = allCoveredLive ? '' : ` AND cseg IN (${coveredIds.join(', ')})`;
        return { relation: `(SELECT ${POSITION_COLUMNS.join(', ')} FROM ${current.table} WHERE seg IN (${servers.join(', ')})${clientFilter})`, absolute: current.absolute };
      },
      uncoveredRelated: (columns, window) => union(uncovered, columns, window, and(visibleAll(window))),
      coveredRelated: (columns, window) => union(covered, columns, window, and(visibleAll(window))),
      uncoveredEvents: (columns, window) => union(uncovered, columns, window, selectorFilter + and(visibleSelected(window))),
      uncoveredIn: (window) => uncovered.some((s) => segmentOverlaps(s, window.startNs, window.endNs)),
    };
  }
}

function coreType(column: string): string {
  switch (column) {
    case 'trace_id':
      return 'UHUGEINT';
    case 'span_id':
    case 'parent_id':
      return 'UBIGINT';
    case 'ts_ns':
    case 'duration_ns':
      return 'BIGINT';
    default:
      return 'VARCHAR';
  }
}

/** The columns a `positions` relation answers (client-parent-source.ts). */
const POSITION_COLUMNS = ['seg', 'rid', 'off', 'rsp', 'cts', 'cdur'] as const;

/** The table a build in passes gathers its rows in before writing them in position order (dropped after, or at the next open: it has the prefix). */
const PASSES_SUFFIX = '_passes';

/**
 * Writes the index of `covered` into `table`: in one statement, or, when the covered segments hold
 * more than `rowsPerPass` rows, in passes over the trace ids by hash (a client and its server share
 * their trace), each joining only its share, then copied in position order. One statement over a
 * 30M-span store needed 409–460 MiB of DuckDB's memory and failed at every lifecycle pass below it
 * (BENCHMARKS run AR); a pass needs about a passes-th of that.
 */
async function buildTable(connection: DuckDBConnection, table: string, covered: readonly SegmentState[], rowsPerPass: number): Promise<void> {
  const rows = covered.reduce((sum, s) => sum + s.rowCount, 0);
  const passes = Math.max(1, Math.ceil(rows / Math.max(1, rowsPerPass)));
  if (passes === 1) {
    await connection.run(`CREATE TABLE ${table} AS ${buildSelectSql(covered, null)} ORDER BY s.seg, s.rid`);
    return;
  }
  const gathered = `${table}${PASSES_SUFFIX}`;
  await connection.run(`DROP TABLE IF EXISTS ${gathered}`);
  for (let pass = 0; pass < passes; pass++) {
    const select = buildSelectSql(covered, { pass, passes });
    await connection.run(pass === 0 ? `CREATE TABLE ${gathered} AS ${select}` : `INSERT INTO ${gathered} ${select}`);
  }
  await connection.run(`CREATE TABLE ${table} AS SELECT * FROM ${gathered} ORDER BY seg, rid`);
  await connection.run(`DROP TABLE ${gathered}`);
}

/**
 * The build's rows: for every server span (duration, parent and trace id set) of the covered
 * segments, each copy of its client parent (trace id and duration set) in the covered segments,
 * with the client's segment (to leave out the clients of segments retired since); relative to the
 * server when the client has one copy and lies within MAX_RELATIVE_NS of it. Written in position
 * order, so the positions delta-encode to a few bits and a query's segments are a range of the
 * table. The same conditions as the read-time join (event-scan-sql.ts). With `share`, only the
 * traces whose id hashes to that pass.
 */
function buildSelectSql(covered: readonly SegmentState[], share: { pass: number; passes: number } | null): string {
  const ofShare = share === null ? '' : ` AND hash(trace_id) % ${share.passes} = ${share.pass}`;
  const servers = covered
    .map(
      (s) =>
        `SELECT CAST(${s.id} AS BIGINT) AS seg, rowid AS rid, trace_id, parent_id, ts_ns, duration_ns FROM ${segmentTableName(s.id)} ` +
        `WHERE span_kind = 'server' AND duration_ns IS NOT NULL AND parent_id IS NOT NULL AND trace_id IS NOT NULL${ofShare}`,
    )
    .join(' UNION ALL ');
  const clients = covered
    .map(
      (s) =>
        `SELECT CAST(${s.id} AS BIGINT) AS cseg, trace_id, span_id, ts_ns, duration_ns FROM ${segmentTableName(s.id)} ` +
        `WHERE span_kind = 'client' AND trace_id IS NOT NULL AND duration_ns IS NOT NULL AND span_id IS NOT NULL${ofShare}`,
    )
    .join(' UNION ALL ');
  const off = 'CAST(s.ts_ns AS HUGEINT) - c.ts_ns';
  const rsp = 'CAST(c.ts_ns AS HUGEINT) + c.duration_ns - s.ts_ns - s.duration_ns';
  const relative = `c.copies = 1 AND abs(${off}) < ${MAX_RELATIVE_NS} AND abs(${rsp}) < ${MAX_RELATIVE_NS}`;
  return (
    `WITH __servers AS (${servers}), ` +
    `__clients AS (SELECT *, count(*) OVER (PARTITION BY trace_id, span_id) AS copies FROM (${clients}) AS c ` +
    `WHERE (trace_id, span_id) IN (SELECT trace_id, parent_id FROM __servers)) ` +
    `SELECT s.seg, s.rid, c.cseg, ` +
    `CASE WHEN ${relative} THEN CAST(${off} AS BIGINT) END AS off, CASE WHEN ${relative} THEN CAST(${rsp} AS BIGINT) END AS rsp, ` +
    `CASE WHEN NOT (${relative}) THEN c.ts_ns END AS cts, CASE WHEN NOT (${relative}) THEN c.duration_ns END AS cdur ` +
    `FROM __servers AS s JOIN __clients AS c ON c.trace_id = s.trace_id AND c.span_id = s.parent_id`
  );
}
