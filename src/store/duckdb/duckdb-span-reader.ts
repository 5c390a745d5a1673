import os from 'node:os';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { QueryTimeoutError } from '../../core/errors.js';
import { classifyDuckDbReadError } from './duckdb-error-kind.js';
import { formatTraceId } from '../../core/trace-id.js';
import { formatRfc3339Nanos } from '../../core/unix-nanos.js';
import type { QueryAdmission } from '../../query/query-admission.js';
import type { QuerySchema } from '../../query/query-schema.js';
import { catalogQuerySchema, listColumnInfos, selectedDatasetNames } from '../catalog-views.js';
import type { QueryParameter } from '../../query/compile/compiled-query.js';
import { duckdbDialect } from '../../query/compile/duckdb-dialect.js';
import { duckdbParameters } from '../../query/compile/duckdb-parameters.js';
import { ROW_POSITION_COLUMNS, blockSampleUnit, type BlockSample, type ColumnInfo, type DatasetSelector, type SqlRows, type StoredEvent, type TimeWindow, type TraceListOptions, type TraceSummary } from '../span-store.js';
import { sqlStringLiteral } from '../sql-literal.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';
import { formatStoredEvent } from './duckdb-event-formatter.js';
import { readMaterializedRows, readMaterializedRowsInTurns, readResultRows } from './duckdb-result-rows.js';
import {
  ATTRIBUTE_SQL_TYPE,
  CORE_PHYSICAL_COLUMNS,
  DUCKDB_COLUMNS,
  INGEST_TIME_COLUMN,
  JOINED_INGEST_TIME_SQL,
  attributePhysicalName,
  segmentTableName,
} from './duckdb-physical-layout.js';
import type { DuckDbRetentionPolicy } from './duckdb-retention-policy.js';
import type { SegmentSwapGate } from './duckdb-segment-swap-gate.js';
import { DuckDbTraceStatements, INDEX_LOOKUP_KEY } from './duckdb-trace-statements.js';
import { traceLocations, type TraceIndexTables, type TraceLocation } from './duckdb-trace-index-lookup.js';
import { traceColumnGroups, zipColumnGroups } from './duckdb-trace-column-groups.js';
import { SpareConnections } from './duckdb-spare-connections.js';
import { segmentOverlaps, type SegmentState } from './duckdb-segment.js';

/** Query connections kept open between queries. */
const MAX_IDLE_QUERY_CONNECTIONS = 4;
/** Events of a trace formatted between two turns of the event loop (a large trace's formatting would hold it for ~0.3 s). */
const TRACE_FORMAT_SLICE_EVENTS = 2_048;
/** Result chunks (2 048 rows each) of a trace read turned into rows between two turns of the event loop. */
const TRACE_READ_CHUNKS_PER_TURN = 2;

/**
 * A sealed segment's trace read runs in this many column groups at once, on as many connections:
 * two where there are two cores. DuckDB scans a row group on one thread, and a lookup's time is
 * mostly its ~9 blocks' reads (each into fresh memory the kernel faults in) and ~55 columns'
 * vectors, so two parts read half each at once. On a quiet 2-core VM at 10M (BENCHMARKS.md run BD,
 * in process, 200 ids, two runs each): the first lookups after opening 11.9 / 11.8 ms p50 against
 * 15.0 / 13.9 whole, in steady state 4.42 / 4.46 against 4.72 / 4.85, the same CPU a lookup. On a
 * loaded shared machine (load 5-11) two parts were no faster (run AE).
 */
export const DEFAULT_TRACE_READ_PARTS = Math.max(1, Math.min(2, os.availableParallelism()));
/** A trace lookup reads one trace: anything slower than this is a fault, not a big answer. */
const TRACE_LOOKUP_TIMEOUT_MS = 30_000;

const CORE_PHYSICAL_NAMES: ReadonlySet<string> = new Set(CORE_PHYSICAL_COLUMNS.map((c) => c.physical));

/**
 * The read path of the DuckDB store: traces, trace lists, columns, schemas, the relations the
 * query compiler reads, autocomplete, and the pool of read connections. It sees committed data
 * only, and never an event older than its dataset's retention.
 */
export class DuckDbSpanReader {
  private readonly idleQueryConnections: DuckDBConnection[] = [];
  private readonly traceStatements = new DuckDbTraceStatements();

  constructor(
    private readonly connectTo: () => Promise<DuckDBConnection>,
    private readonly catalog: DuckDbCatalog,
    /** The store's live segment list (the writer and the lifecycle change it). */
    private readonly segments: readonly SegmentState[],
    private readonly retention: DuckDbRetentionPolicy,
    private readonly isClosed: () => boolean,
    /** Every read passes here first: heavy queries queue behind each other, not in front of ingest. */
    private readonly queryAdmission: QueryAdmission,
    /** Compaction swaps: a trace lookup that straddles one runs again. */
    private readonly segmentSwaps: SegmentSwapGate,
    /** Which sorted trace-index tables a lookup reads. */
    private readonly traceIndexTables: TraceIndexTables,
    /** Connections a sealed segment's trace read is split over (1: not split). */
    private readonly traceReadParts: number = DEFAULT_TRACE_READ_PARTS,
  ) {}

  private get closed(): boolean {
    return this.isClosed();
  }

  private connect(): Promise<DuckDBConnection> {
    return this.connectTo();
  }

  /** Closes the pooled connections (at store close). */
  closeIdleConnections(): void {
    for (const connection of this.idleQueryConnections.splice(0)) this.closeConnection(connection);
  }

  async getTrace(traceId: bigint, maxSpans: number): Promise<StoredEvent[]> {
    return this.withQueryConnection(TRACE_LOOKUP_TIMEOUT_MS, async (reader) => {
      const spares = new SpareConnections(this.traceReadParts - 1, () => this.idleQueryConnections.pop() ?? this.connect());
      try {
        return await this.segmentSwaps.consistent(() => this.readTrace(reader, spares, traceId, maxSpans));
      } finally {
        for (const connection of spares.release()) {
          if (!this.closed && this.idleQueryConnections.length < MAX_IDLE_QUERY_CONNECTIONS) this.idleQueryConnections.push(connection);
          else this.closeConnection(connection);
        }
      }
    });
  }

  /**
   * The index names the segments holding the trace and its time range in each; each segment's
   * read is a prepared statement of its own (DuckDbTraceStatements) projecting the columns a
   * stored event shows, and the retention test runs on the rows read, so the statement's text
   * never changes with the clock. Segments are read earliest first, each for at most the events
   * still wanted (its statement's LIMIT), so a trace of millions of spans costs `maxSpans`.
   */
  private async readTrace(reader: DuckDBConnection, spares: SpareConnections, traceId: bigint, maxSpans: number): Promise<StoredEvent[]> {
    const index = (await this.readTraceIndex(reader, traceId)).sort((a, b) => (a.minTsNs < b.minTsNs ? -1 : a.minTsNs > b.minTsNs ? 1 : 0));
    const events: StoredEvent[] = [];
    const order: bigint[] = [];
    // Expired events are never returned, even before their segment is dropped.
    const visible = this.retention.visibleTest(this.catalog.datasetNames());
    const registered = new Map(this.segments.map((s) => [s.id, s]));
    this.traceStatements.keepOnly(reader, new Set(registered.keys()));
    for (const { segmentId, minTsNs, maxTsNs } of index) {
      const wanted = maxSpans - events.length;
      if (wanted <= 0) break;
      // The merged trace index keeps rows of retired segments until its next merge. The columns
      // are the segment's as the reader knows them (as for every relation): a commit adding one
      // shows it from the next lookup on.
      const segment = registered.get(segmentId);
      if (segment === undefined) continue;
      const names = traceReadColumns(segment);
      const location = { segmentId, minTsNs, maxTsNs };
      const rows = segment.sealed ? await this.readSealedSegmentRows(reader, spares, location, names, traceId, wanted) : null;
      for (const row of rows ?? (await this.readSegmentRows(reader, location, names, traceId, 0, wanted))) {
        const dataset = row[TRACE_READ_DATASET];
        const ts = row[TRACE_READ_TS];
        if (typeof ts !== 'bigint' || typeof dataset !== 'string' || !visible(dataset, ts)) continue;
        events.push(formatStoredEvent(names, row, this.catalog));
        order.push(ts);
        // A turn of the event loop every so many events: 32 000 of them take ~0.3 s to format.
        if (events.length % TRACE_FORMAT_SLICE_EVENTS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    const indices = events.map((_, i) => i).sort((a, b) => (order[a]! < order[b]! ? -1 : order[a]! > order[b]! ? 1 : 0));
    return indices.slice(0, maxSpans).map((i) => events[i]!);
  }

  /**
   * One segment's rows of a trace, `columns` then (for a part of a split read, `part` > 0) the rowid,
   * by the connection's prepared statement for that segment and part; at most `limit` of them, in
   * the segment's order, taken from DuckDB's materialized result (which its memory limit bounds).
   * Not a LIMIT in the statement: that made every lookup 0.2 ms slower (p50, 1M, run AU), and
   * only a trace of tens of thousands of spans needs it.
   */
  private async readSegmentRows(connection: DuckDBConnection, location: TraceLocation, columns: readonly string[], traceId: bigint, part: number, limit: number): Promise<DuckDBValue[][]> {
    const projection = part === 0 ? columns.join(', ') : `${columns.join(', ')}, rowid`;
    const statement = await this.traceStatements.statement(
      connection,
      location.segmentId,
      `SELECT ${projection} FROM ${segmentTableName(location.segmentId)} WHERE ts_ns BETWEEN $1 AND $2 AND trace_id = $3`,
      part,
    );
    statement.bindBigInt(1, location.minTsNs);
    statement.bindBigInt(2, location.maxTsNs);
    statement.bindUHugeInt(3, traceId);
    return readMaterializedRowsInTurns(await statement.run(), TRACE_READ_CHUNKS_PER_TURN, limit);
  }

  /**
   * A sealed segment's rows of a trace read in column groups at once, one per connection
   * (DuckDbTraceColumnGroups), put back together by rowid. Only sealed segments: their rows no
   * longer change, so every part reads the same rows whatever its snapshot (the open segment gains
   * rows between two snapshots); a sealed segment retired meanwhile is the swap gate's (the lookup
   * runs again). Null when there is no spare connection: the caller reads the segment whole.
   */
  private async readSealedSegmentRows(
    reader: DuckDBConnection,
    spares: SpareConnections,
    location: TraceLocation,
    names: readonly string[],
    traceId: bigint,
    limit: number,
  ): Promise<DuckDBValue[][] | null> {
    const connections = [reader, ...(await spares.take())];
    if (connections.length < 2) return null;
    const groups = traceColumnGroups(names, connections.length);
    // Every part settles before any error is thrown, so no connection goes back to the pool busy.
    const settled = await Promise.allSettled(groups.map((columns, i) => this.readSegmentRows(connections[i]!, location, columns, traceId, i + 1, limit)));
    const parts: DuckDBValue[][][] = [];
    for (const outcome of settled) {
      if (outcome.status === 'rejected') throw outcome.reason;
      parts.push(outcome.value);
    }
    return zipColumnGroups(parts);
  }

  /**
   * The segments holding a trace and its time range in each: from the index in memory while it is
   * enabled (TraceLocator), or else in one prepared statement over the
   * index tables that may hold rows (TraceIndexTables): the live index by trace id, the merged
   * index by the 32-bit key, the runs and the legacy table by the 64-bit one (each sorted table
   * pruned to one row group by its zone maps). One statement, so it reads one snapshot of them.
   */
  private async readTraceIndex(reader: DuckDBConnection, traceId: bigint): Promise<TraceLocation[]> {
    // The same rows in memory (TraceLocator), changed in the same turn as the segment list.
    const locator = this.traceIndexTables.locator;
    if (locator.enabled) return locator.locate(traceId);
    const lookup = this.traceIndexTables.lookup();
    const statement = await this.traceStatements.statement(reader, INDEX_LOOKUP_KEY, lookup.sql);
    lookup.bind(statement, traceId);
    return traceLocations(readMaterializedRows(await statement.run()));
  }

  async listTraces(options: TraceListOptions): Promise<TraceSummary[]> {
    const window = options.window ?? { startNs: 0n, endNs: 2n ** 62n };
    const columns = ['dataset', 'ts_ns', 'duration_ns', 'trace_id', 'span_id', 'parent_id', 'name', 'service_name', 'status_code', 'annotation_type'];
    const source = this.relation({ kind: 'all' }, columns, window);
    const params: QueryParameter[] = [{ type: 'bigint', value: BigInt(options.limit) }];
    let filters = '';
    if (options.serviceName !== undefined) {
      params.push({ type: 'varchar', value: options.serviceName });
      filters += ` AND service_name = $${params.length}`;
    }
    if (options.traceIds !== undefined) {
      if (options.traceIds.length === 0) return [];
      // Each id a bound parameter (the caller bounds how many: the query's limit).
      const placeholders = options.traceIds.map((id) => {
        params.push({ type: 'varchar', value: id.toString() });
        return `$${params.length}::UHUGEINT`;
      });
      filters += ` AND trace_id IN (${placeholders.join(', ')})`;
    }
    const sql = `
      WITH recent AS (
        SELECT trace_id, max(ts_ns) AS last_ts FROM ${source} AS s
        WHERE trace_id IS NOT NULL${filters}
        GROUP BY trace_id ORDER BY last_ts DESC, trace_id LIMIT $1
      )
      SELECT r.trace_id, r.last_ts,
             arg_min(s.name, CASE WHEN s.parent_id IS NULL AND s.annotation_type IS NULL THEN 0 ELSE 1 END) AS root_name,
             arg_min(s.service_name, CASE WHEN s.parent_id IS NULL AND s.annotation_type IS NULL THEN 0 ELSE 1 END) AS root_service,
             bool_or(s.parent_id IS NULL AND s.annotation_type IS NULL) AS has_root,
             min(s.ts_ns) FILTER (WHERE s.annotation_type IS NULL) AS start_ns,
             max(s.ts_ns + coalesce(s.duration_ns, 0)) FILTER (WHERE s.annotation_type IS NULL) AS end_ns,
             count(*) FILTER (WHERE s.annotation_type IS NULL) AS span_count,
             bool_or(s.status_code = 'error') AS has_error
      FROM recent r JOIN ${source} AS s ON s.trace_id = r.trace_id
      GROUP BY r.trace_id, r.last_ts
      ORDER BY r.last_ts DESC, r.trace_id`;
    const rows = await this.runSql(sql, params, { timeoutMs: 10_000 });
    return rows.rows.map((row) => {
      const [traceId, , rootName, rootService, hasRoot, startNs, endNs, spanCount, hasError] = row;
      const start = typeof startNs === 'bigint' ? startNs : 0n;
      const end = typeof endNs === 'bigint' ? endNs : start;
      return {
        trace_id: typeof traceId === 'bigint' ? formatTraceId(traceId) : String(traceId),
        root_name: hasRoot === true && typeof rootName === 'string' ? rootName : null,
        root_service: hasRoot === true && typeof rootService === 'string' ? rootService : null,
        start: formatRfc3339Nanos(start),
        duration_ms: Number(end - start) / 1e6,
        span_count: Number(spanCount ?? 0),
        error: hasError === true,
      };
    });
  }

  datasetNames(selector: DatasetSelector): string[] {
    return selectedDatasetNames(this.catalog, selector);
  }

  async listColumns(selector: DatasetSelector): Promise<ColumnInfo[]> {
    return listColumnInfos(this.catalog, selector, DUCKDB_COLUMNS);
  }

  async querySchema(selector: DatasetSelector): Promise<QuerySchema> {
    return catalogQuerySchema(this.catalog, selector, DUCKDB_COLUMNS);
  }

  relation(selector: DatasetSelector, physicalColumns: readonly string[], window: TimeWindow, blockSample?: BlockSample): string {
    const wanted = [...new Set(physicalColumns)];
    const names = this.datasetNames(selector);
    const now = this.retention.now();
    const datasetOnly = selector.kind === 'one' ? ` AND dataset = ${sqlStringLiteral(selector.name)}` : '';
    const branches: string[] = [];
    for (const segment of this.segments) {
      if (!segmentOverlaps(segment, window.startNs, window.endNs)) continue;
      const projection = wanted.map((name) => projectColumn(name, segment, this.catalog)).join(', ');
      for (const piece of samplePieces(window, blockSample)) {
        if (!segmentOverlaps(segment, piece.startNs, piece.endNs)) continue;
        // Retention's filter only where some event of the branch may have expired.
        const from = segment.minTsNs !== null && segment.minTsNs > piece.startNs ? segment.minTsNs : piece.startNs;
        const visible = this.retention.visibleConditionFrom(names, from, now);
        const datasetFilter = datasetOnly + (visible === '' ? '' : ` AND ${visible}`);
        branches.push(
          `SELECT ${projection} FROM ${segmentTableName(segment.id)} WHERE ts_ns >= ${piece.startNs} AND ts_ns < ${piece.endNs}${datasetFilter}${piece.rate >= 1 ? '' : ` AND ${blockSampleSql(segment.id, piece.rate)}`}`,
        );
      }
    }
    if (branches.length === 0) {
      const projection = wanted.map((name) => projectColumn(name, null, this.catalog)).join(', ');
      return `(SELECT ${projection} WHERE false)`;
    }
    return `(${branches.join(' UNION ALL ')})`;
  }

  async runSql(sql: string, params: readonly QueryParameter[], options: { timeoutMs: number }): Promise<SqlRows> {
    const { values, types } = duckdbParameters(params);
    return this.withQueryConnection(options.timeoutMs, async (connection) => {
      return readResultRows(await connection.run(sql, values, types));
    });
  }

  /**
   * Runs reads on a connection of the pool once admitted (QUERY_LIMITS), interrupting them after
   * `timeoutMs` counted from the call, queueing included. Idle connections are reused: opening
   * one (and its USE) costs more than a small query.
   */
  async withQueryConnection<T>(timeoutMs: number, read: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.queryAdmission.admit(timeoutMs, (remainingMs) => this.readOnPooledConnection(timeoutMs, remainingMs, read));
  }

  /** `remainingMs` is what the admission queue left of the read's `timeoutMs`. */
  private async readOnPooledConnection<T>(timeoutMs: number, remainingMs: number, read: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.idleQueryConnections.pop() ?? (await this.connect());
    let timedOut = false;
    let reusable = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, remainingMs);
    try {
      const result = await read(connection);
      reusable = true;
      return result;
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(`the query took longer than ${timeoutMs} ms and was stopped`);
      throw classifyDuckDbReadError(error);
    } finally {
      clearTimeout(timer);
      if (reusable && !timedOut && !this.closed && this.idleQueryConnections.length < MAX_IDLE_QUERY_CONNECTIONS) this.idleQueryConnections.push(connection);
      else this.closeConnection(connection);
    }
  }

  private closeConnection(connection: DuckDBConnection): void {
    this.traceStatements.forget(connection);
    connection.closeSync();
  }

  hasSampledEvents(window: TimeWindow): boolean {
    return this.segments.some((s) => s.maxSampleRate > 1 && segmentOverlaps(s, window.startNs, window.endNs));
  }

  async topValues(
    selector: DatasetSelector,
    column: string,
    limit: number,
  ): Promise<Array<{ value: string | number | boolean; count: number }>> {
    const schema = await this.querySchema(selector);
    const binding = schema.column(column);
    if (!binding) return [];
    // The newest segments that hold the column (up to ~1M rows), sampled: bounded work however
    // large the store grows.
    const holds = (s: SegmentState): boolean => binding.physicalColumns.every((p) => CORE_PHYSICAL_NAMES.has(p) || s.positions.has(Number(p.slice(1))));
    const chosen: SegmentState[] = [];
    let rows = 0;
    for (const segment of [...this.segments].reverse()) {
      if (rows >= 1_000_000 || chosen.length >= 8) break;
      if (!holds(segment)) continue;
      chosen.push(segment);
      rows += segment.rowCount;
    }
    if (chosen.length === 0) return [];
    const visible = this.retention.visibleCondition(this.datasetNames(selector));
    const datasetFilter = (selector.kind === 'one' ? `dataset = ${sqlStringLiteral(selector.name)} AND ` : '') + (visible === '' ? '' : `${visible} AND `);
    // Whole vectors are sampled (system sampling) so the work stays near 100 000 rows however
    // large the segments are; a reservoir sample would still read every row.
    const percent = Math.min(100, Math.max(0.01, (100 * 100_000) / Math.max(1, rows)));
    const source = chosen
      .map((segment) => `SELECT ${binding.sql} AS v FROM ${segmentTableName(segment.id)} TABLESAMPLE ${percent.toFixed(4)}% (system) WHERE ${datasetFilter}${binding.sql} IS NOT NULL`)
      .join(' UNION ALL ');
    const sql = `SELECT v, count(*) AS n FROM (${source}) GROUP BY v ORDER BY n DESC, v LIMIT $1`;
    const sampled = await this.runSql(sql, [{ type: 'bigint', value: BigInt(limit) }], { timeoutMs: 2_000 });
    const values: Array<{ value: string | number | boolean; count: number }> = [];
    for (const [value, count] of sampled.rows) {
      if (typeof value === 'bigint') values.push({ value: Number(value), count: Number(count) });
      else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values.push({ value, count: Number(count) });
    }
    return values;
  }
}

/**
 * A block of DuckDB's: one vector (STANDARD_VECTOR_SIZE rows). Reading one row of a column decodes
 * the vector holding it, so a sample of single rows spread everywhere decodes every vector (and
 * costs as much as reading everything); a sample of whole vectors decodes only those.
 */
export const DUCKDB_BLOCK_ROWS = 2048;

/**
 * The filter keeping a segment's sampled blocks. It reads nothing but the row's position (rowid),
 * so DuckDB applies it in the scan and skips the other blocks' columns entirely. The rate is a
 * number the store computes, written as a literal (like the window) so the scan sees a constant.
 */
function blockSampleSql(segmentId: number, rate: number): string {
  return `${blockSampleUnit(duckdbDialect.sampleUnit, 'rowid', String(Math.trunc(segmentId)), DUCKDB_BLOCK_ROWS)} < ${rate}`;
}

const rateOf = (rate: number): number => (Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 1);

/** The window's time pieces and the block rate of each: `within` (clipped to the window) and what lies either side. */
function samplePieces(window: TimeWindow, sample: BlockSample | undefined): Array<{ startNs: bigint; endNs: bigint; rate: number }> {
  if (sample === undefined) return [{ ...window, rate: 1 }];
  const within = sample.within;
  if (within === undefined) return [{ ...window, rate: rateOf(sample.rate) }];
  const start = within.startNs > window.startNs ? within.startNs : window.startNs;
  const end = within.endNs < window.endNs ? within.endNs : window.endNs;
  if (start >= end) return [{ ...window, rate: rateOf(sample.rate) }];
  return [
    { startNs: window.startNs, endNs: start, rate: rateOf(sample.rate) },
    { startNs: start, endNs: end, rate: rateOf(within.rate) },
    { startNs: end, endNs: window.endNs, rate: rateOf(sample.rate) },
  ].filter((p) => p.startNs < p.endNs);
}

/**
 * What a trace read takes of a segment: every column a stored event shows, `dataset` and `ts_ns`
 * first (the retention test and the order need them), not the receive time (no event shows it).
 */
function traceReadColumns(segment: SegmentState): string[] {
  const core = CORE_PHYSICAL_COLUMNS.map((c) => c.physical).filter((name) => name !== INGEST_TIME_COLUMN && name !== 'dataset' && name !== 'ts_ns');
  return ['dataset', 'ts_ns', ...core, ...segment.attributeColumns.map(attributePhysicalName)];
}
const TRACE_READ_DATASET = 0;
const TRACE_READ_TS = 1;

function projectColumn(name: string, segment: SegmentState | null, catalog: DuckDbCatalog): string {
  if (name === ROW_POSITION_COLUMNS.segment) return segment ? `CAST(${Math.trunc(segment.id)} AS BIGINT) AS ${name}` : `CAST(NULL AS BIGINT) AS ${name}`;
  if (name === ROW_POSITION_COLUMNS.row) return segment ? `rowid AS ${name}` : `CAST(NULL AS BIGINT) AS ${name}`;
  if (CORE_PHYSICAL_NAMES.has(name)) {
    if (segment && name === INGEST_TIME_COLUMN && segment.ingestTimeSplit) return `${JOINED_INGEST_TIME_SQL} AS ${name}`;
    if (segment && (name !== INGEST_TIME_COLUMN || segment.hasIngestTime)) return name;
    const def = CORE_PHYSICAL_COLUMNS.find((c) => c.physical === name)!;
    return `CAST(NULL AS ${def.sqlType.replace(' NOT NULL', '')}) AS ${name}`;
  }
  const id = Number(name.slice(1));
  const column = catalog.columnById(id);
  if (!/^c\d+$/.test(name) || !column) throw new Error(`unknown physical column ${name}`);
  if (segment && segment.positions.has(id)) return name;
  return `CAST(NULL AS ${ATTRIBUTE_SQL_TYPE[column.type]}) AS ${name}`;
}
