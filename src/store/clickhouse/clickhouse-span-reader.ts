import type { DuckDBValue } from '@duckdb/node-api';
import { ClickHouseError } from '@clickhouse/client';
import { QueryTimeoutError, StoreOutOfMemoryError } from '../../core/errors.js';
import { formatTraceId } from '../../core/trace-id.js';
import { formatRfc3339Nanos } from '../../core/unix-nanos.js';
import type { QueryAdmission } from '../../query/query-admission.js';
import type { QueryParameter } from '../../query/compile/compiled-query.js';
import type { QuerySchema } from '../../query/query-schema.js';
import { catalogQuerySchema, listColumnInfos, selectedDatasetNames } from '../catalog-views.js';
import type { ColumnInfo, DatasetSelector, SqlRows, StoredEvent, TimeWindow, TraceListOptions, TraceSummary } from '../span-store.js';
import type { DuckDbCatalog } from '../duckdb/duckdb-catalog.js';
import { formatStoredEvent } from '../duckdb/duckdb-event-formatter.js';
import type { DuckDbRetentionPolicy } from '../duckdb/duckdb-retention-policy.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { clickhouseParameterName } from '../../query/compile/clickhouse-dialect.js';
import {
  CLICKHOUSE_ATTRIBUTE_TYPE,
  CLICKHOUSE_CORE_NAMES,
  CLICKHOUSE_COLUMNS,
  clickhouseAttributeColumn,
  clickhouseStringLiteral,
} from './clickhouse-physical-layout.js';
import { spanTable, traceIndexTable, type ClickHouseTopology } from './clickhouse-schema-ddl.js';

/** A trace lookup reads one trace: anything slower than this is a fault, not a big answer. */
const TRACE_LOOKUP_TIMEOUT_MS = 30_000;
/**
 * A trace's rows parsed, converted and formatted this many at a time, a turn of the event loop
 * between: 32 000 events of ~30 columns parsed and formatted at once held the loop ~100–200 ms.
 */
const TRACE_ROWS_PER_TURN = 2_048;
/** Autocomplete looks at this many of the newest events holding the column. */
const TOP_VALUES_SAMPLE_ROWS = 100_000;
/** ClickHouse's error code for a query stopped by max_execution_time. */
const TIMEOUT_EXCEEDED = '159';
/** ClickHouse's error code for a query that would pass its memory limit (max_memory_usage, or the server's). */
const MEMORY_LIMIT_EXCEEDED = '241';

/**
 * The ClickHouse error code of a failed read, or null. chdb's errors are `ClickHouseError`s of its
 * own copy of @clickhouse/client-common (see ClickHouseConnection), not instances of the class
 * imported here: told apart by name, with the code as text.
 */
function clickHouseErrorCode(error: unknown): string | null {
  if (error instanceof ClickHouseError) return error.code;
  if (error instanceof Error && error.constructor.name === 'ClickHouseError' && 'code' in error) return String(error.code);
  return null;
}

/**
 * The read path of the ClickHouse store: traces, trace lists, columns, schemas, the relation the
 * query compiler reads, autocomplete. Never returns an event older than its dataset's retention.
 */
export class ClickHouseSpanReader {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly topology: ClickHouseTopology,
    private readonly catalog: DuckDbCatalog,
    private readonly retention: DuckDbRetentionPolicy,
    private readonly hasColumn: (physical: string) => boolean,
    private readonly queryAdmission: QueryAdmission,
  ) {}

  /** At most `maxSpans` events of the trace, the earliest (ORDER BY ts_ns LIMIT). */
  async getTrace(traceId: bigint, maxSpans: number): Promise<StoredEvent[]> {
    const trace = { trace: traceId.toString() };
    const result = await this.read(TRACE_LOOKUP_TIMEOUT_MS, async (signal) => {
      // The trace index (ordered by trace id) names the trace's datasets and time range; the span
      // table (ordered by dataset, time) is then read only there, and only the columns those
      // datasets have (a trace lookup's cost is mostly one granule per column read).
      const located = await this.connection.query(
        `SELECT dataset, min(min_ts), max(max_ts) FROM ${traceIndexTable(this.topology)} WHERE trace_id = {trace:UInt128} GROUP BY dataset ORDER BY dataset`,
        trace,
        {},
        signal,
      );
      // Per dataset its own range: the primary key then selects a granule or two in each.
      const ranges = located.rows.flatMap(([dataset, min, max]) =>
        typeof dataset === 'string' && this.catalog.dataset(dataset) !== undefined && typeof min === 'bigint' && typeof max === 'bigint' ? [{ dataset, min, max }] : [],
      );
      if (ranges.length === 0) return null;
      const datasets = ranges.map((r) => r.dataset);
      const where = ranges.map((r) => `(dataset = ${clickhouseStringLiteral(r.dataset)} AND ts_ns >= ${r.min} AND ts_ns <= ${r.max})`).join(' OR ');
      const attributes = this.catalog.columnsOf(datasets).map(({ column }) => clickhouseAttributeColumn(column.id)).filter((physical) => this.hasColumn(physical));
      const columns = [...CLICKHOUSE_CORE_NAMES, ...attributes];
      const visible = this.visible(datasets);
      const sql =
        `SELECT ${columns.join(', ')} FROM ${spanTable(this.topology)} ` +
        `WHERE trace_id = {trace:UInt128} AND (${where})` +
        `${visible === '' ? '' : ` AND ${visible}`} ORDER BY ts_ns LIMIT {limit:UInt64}`;
      return this.connection.queryInTurns(sql, { ...trace, limit: String(maxSpans) }, TRACE_ROWS_PER_TURN, signal);
    });
    if (result === null) return [];
    const events: StoredEvent[] = [];
    for (const row of result.rows) {
      events.push(formatStoredEvent(result.columns, row.map(storedValue), this.catalog));
      if (events.length % TRACE_ROWS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return events;
  }

  async listTraces(options: TraceListOptions): Promise<TraceSummary[]> {
    const window = options.window ?? { startNs: 0n, endNs: 2n ** 62n };
    const columns = ['dataset', 'ts_ns', 'duration_ns', 'trace_id', 'span_id', 'parent_id', 'name', 'service_name', 'status_code', 'annotation_type'];
    const source = this.relation({ kind: 'all' }, columns, window);
    const params: QueryParameter[] = [{ type: 'bigint', value: BigInt(options.limit) }];
    let serviceFilter = '';
    if (options.serviceName !== undefined) {
      params.push({ type: 'varchar', value: options.serviceName });
      serviceFilter += ` AND service_name = {p${params.length}:String}`;
    }
    if (options.traceIds !== undefined) {
      if (options.traceIds.length === 0) return [];
      // Each id a bound parameter (the caller bounds how many: the query's limit).
      const placeholders = options.traceIds.map((id) => {
        params.push({ type: 'varchar', value: id.toString() });
        return `toUInt128({p${params.length}:String})`;
      });
      serviceFilter += ` AND trace_id IN (${placeholders.join(', ')})`;
    }
    const isRoot = 's.parent_id IS NULL AND s.annotation_type IS NULL';
    // argMin over a tuple: a NULL name is kept rather than skipped for the next row's.
    const sql = `
      WITH recent AS (
        SELECT trace_id, max(ts_ns) AS last_ts FROM ${source} AS s
        WHERE trace_id IS NOT NULL${serviceFilter}
        GROUP BY trace_id ORDER BY last_ts DESC, trace_id LIMIT {p1:Int64}
      )
      SELECT r.trace_id, r.last_ts,
             argMin(tuple(s.name), if(${isRoot}, 0, 1)).1 AS root_name,
             argMin(tuple(s.service_name), if(${isRoot}, 0, 1)).1 AS root_service,
             max(${isRoot}) AS has_root,
             minIf(s.ts_ns, s.annotation_type IS NULL) AS start_ns,
             maxIf(s.ts_ns + coalesce(s.duration_ns, 0), s.annotation_type IS NULL) AS end_ns,
             countIf(s.annotation_type IS NULL) AS span_count,
             max(s.status_code = 'error') AS has_error
      FROM recent AS r INNER JOIN ${source} AS s ON s.trace_id = r.trace_id
      GROUP BY r.trace_id, r.last_ts
      ORDER BY r.last_ts DESC, r.trace_id`;
    const rows = await this.runSql(sql, params, { timeoutMs: 10_000 });
    return rows.rows.map((row) => {
      const [traceId, , rootName, rootService, hasRoot, startNs, endNs, spanCount, hasError] = row;
      const start = typeof startNs === 'bigint' ? startNs : 0n;
      const end = typeof endNs === 'bigint' ? endNs : start;
      const root = Number(hasRoot) === 1;
      return {
        trace_id: typeof traceId === 'bigint' ? formatTraceId(traceId) : String(traceId),
        root_name: root && typeof rootName === 'string' ? rootName : null,
        root_service: root && typeof rootService === 'string' ? rootService : null,
        start: formatRfc3339Nanos(start),
        duration_ms: Number(end - start) / 1e6,
        span_count: Number(spanCount ?? 0),
        error: Number(hasError) === 1,
      };
    });
  }

  datasetNames(selector: DatasetSelector): string[] {
    return selectedDatasetNames(this.catalog, selector);
  }

  async listColumns(selector: DatasetSelector): Promise<ColumnInfo[]> {
    return listColumnInfos(this.catalog, selector, CLICKHOUSE_COLUMNS);
  }

  async querySchema(selector: DatasetSelector): Promise<QuerySchema> {
    return catalogQuerySchema(this.catalog, selector, CLICKHOUSE_COLUMNS);
  }

  /** Events of the selection in the window, with only the wanted columns (a column not yet in the table reads NULL). */
  relation(selector: DatasetSelector, physicalColumns: readonly string[], window: TimeWindow): string {
    const wanted = [...new Set(physicalColumns)];
    const projection = wanted.length === 0 ? '1 AS __none' : wanted.map((name) => this.projectColumn(name)).join(', ');
    const visible = this.visible(this.datasetNames(selector));
    const filters = [`ts_ns >= ${window.startNs}`, `ts_ns < ${window.endNs}`];
    if (selector.kind === 'one') filters.push(`dataset = ${clickhouseStringLiteral(selector.name)}`);
    if (visible !== '') filters.push(visible);
    return `(SELECT ${projection} FROM ${spanTable(this.topology)} WHERE ${filters.join(' AND ')})`;
  }

  private projectColumn(name: string): string {
    if (CLICKHOUSE_CORE_NAMES.has(name)) return name;
    const column = /^c\d+$/.test(name) ? this.catalog.columnById(Number(name.slice(1))) : undefined;
    if (column === undefined) throw new Error(`unknown physical column ${name}`);
    return this.hasColumn(name) ? name : `CAST(NULL, '${CLICKHOUSE_ATTRIBUTE_TYPE[column.type]}') AS ${name}`;
  }

  /** Expired events are never returned (ClickHouse drops their partitions later, see the lifecycle). */
  private visible(datasetKeys: readonly string[]): string {
    return this.retention.visibleCondition(datasetKeys);
  }

  async runSql(sql: string, params: readonly QueryParameter[], options: { timeoutMs: number }): Promise<SqlRows> {
    const named = clickhouseQueryParams(params);
    const result = await this.read(options.timeoutMs, (signal, remainingMs) =>
      this.connection.query(sql, named, { max_execution_time: Math.max(1, Math.ceil(remainingMs / 1000)) }, signal),
    );
    return { columns: result.columns, rows: result.rows };
  }

  /** Admitted (QUERY_LIMITS) and bounded by `timeoutMs`, queueing included; a server-side timeout becomes QueryTimeoutError. */
  private read<T>(timeoutMs: number, run: (signal: AbortSignal, remainingMs: number) => Promise<T>): Promise<T> {
    return this.queryAdmission.admit(timeoutMs, async (remainingMs) => {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, remainingMs);
      try {
        return await run(controller.signal, remainingMs);
      } catch (error) {
        const code = clickHouseErrorCode(error);
        if (timedOut || code === TIMEOUT_EXCEEDED) {
          throw new QueryTimeoutError(`the query took longer than ${timeoutMs} ms and was stopped`);
        }
        // As DuckDB's out of memory (classifyDuckDbReadError): 503 + Retry-After rather than a
        // fault, and what the service map halves its traces on.
        if (code === MEMORY_LIMIT_EXCEEDED) {
          throw new StoreOutOfMemoryError(
            "the store ran out of memory running this query (ClickHouse's memory limit for a query or for the server, shared by every query running at the moment); retry shortly, or narrow the query's time range or breakdowns, or give ClickHouse more memory",
            { cause: error },
          );
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  hasSampledEvents(maxSampleRate: number): boolean {
    return maxSampleRate > 1;
  }

  async topValues(selector: DatasetSelector, column: string, limit: number): Promise<Array<{ value: string | number | boolean; count: number }>> {
    const schema = await this.querySchema(selector);
    const binding = schema.column(column);
    if (!binding || binding.derivation !== undefined) return [];
    if (!binding.physicalColumns.every((p) => CLICKHOUSE_CORE_NAMES.has(p) || this.hasColumn(p))) return [];
    const relation = this.relation(selector, [...binding.physicalColumns, 'ts_ns'], { startNs: -(2n ** 62n), endNs: 2n ** 62n });
    // The newest events holding the column: bounded work however large the store grows.
    const sql =
      `SELECT v, count() AS n FROM (SELECT ${binding.sql} AS v FROM ${relation} AS r WHERE v IS NOT NULL ORDER BY ts_ns DESC LIMIT ${TOP_VALUES_SAMPLE_ROWS}) ` +
      `GROUP BY v ORDER BY n DESC, v LIMIT {p1:Int64}`;
    const sampled = await this.runSql(sql, [{ type: 'bigint', value: BigInt(limit) }], { timeoutMs: 2_000 });
    const values: Array<{ value: string | number | boolean; count: number }> = [];
    for (const [value, count] of sampled.rows) {
      if (typeof value === 'bigint') values.push({ value: Number(value), count: Number(count) });
      else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values.push({ value, count: Number(count) });
    }
    return values;
  }
}

/** A compiled query's parameters as `query_params` for its `{pN:Type}` placeholders (int64 as exact decimal text). */
export function clickhouseQueryParams(params: readonly QueryParameter[]): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  params.forEach((p, i) => {
    named[clickhouseParameterName(i + 1)] = typeof p.value === 'bigint' ? p.value.toString() : p.value;
  });
  return named;
}

/** A converted ClickHouse value as the event formatter takes it. */
function storedValue(value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  return JSON.stringify(value);
}
