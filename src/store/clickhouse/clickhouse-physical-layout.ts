import type { ColumnBinding, ColumnType, SchemaRoles } from '../../query/query-schema.js';
import { NETWORK_TIMING_BINDINGS } from '../../query/network-timing-bindings.js';
import type { BackendColumns } from '../catalog-views.js';

/**
 * The physical layout of the ClickHouse store: one span table, the core columns in every row and
 * one typed, Nullable column per attribute key (`c<id>` after its catalog id, so no user text is
 * ever an identifier), added with ALTER TABLE ADD COLUMN (metadata only: old parts read the
 * default). Ids are integers (UInt128 / UInt64) and times Int64 nanoseconds, as in DuckDB.
 */
export interface ClickHouseCoreColumn {
  readonly physical: string;
  readonly sqlType: string;
  /** Compression, chosen per column: sorted times delta well, ids and texts need ZSTD. */
  readonly codec?: string;
  /** The schema step that added it (a column of the first table has none): that step adds it to existing tables. */
  readonly sinceSchemaVersion?: number;
}

/** The physical column of the receive time (src/core/ingest-time.ts), as in DuckDB. */
export const CLICKHOUSE_INGEST_TIME_COLUMN = 'ingest_ms';

export const CLICKHOUSE_CORE_COLUMNS: readonly ClickHouseCoreColumn[] = [
  { physical: 'dataset', sqlType: 'LowCardinality(String)' },
  // Rows are sorted by (dataset, ts_ns) within a part: a delta of neighbours is small.
  { physical: 'ts_ns', sqlType: 'Int64', codec: 'CODEC(Delta, ZSTD(1))' },
  { physical: 'duration_ns', sqlType: 'Nullable(Int64)', codec: 'CODEC(T64, ZSTD(1))' },
  { physical: 'trace_id', sqlType: 'Nullable(UInt128)', codec: 'CODEC(ZSTD(1))' },
  { physical: 'span_id', sqlType: 'Nullable(UInt64)', codec: 'CODEC(ZSTD(1))' },
  { physical: 'parent_id', sqlType: 'Nullable(UInt64)', codec: 'CODEC(ZSTD(1))' },
  { physical: 'name', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'service_name', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'span_kind', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'status_code', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'status_message', sqlType: 'Nullable(String)', codec: 'CODEC(ZSTD(1))' },
  { physical: 'library_name', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'library_version', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'annotation_type', sqlType: 'LowCardinality(Nullable(String))' },
  { physical: 'sample_rate', sqlType: 'UInt32', codec: 'CODEC(T64, ZSTD(1))' },
  // When Waggle received the event's request, whole ms; NULL for rows stored before step 3 and
  // for WAL records that did not say. Read only by INGEST_TIMESTAMP(). In a part sorted by ts_ns
  // the values of interleaved requests scatter within the ingest delay: T64 (which drops the high
  // bits a block shares) then ZSTD measured 1.7 bytes a row on 4M rows arriving 0-5 s after their
  // time, against 2.2 with Delta and 2.8 with DoubleDelta.
  { physical: CLICKHOUSE_INGEST_TIME_COLUMN, sqlType: 'Nullable(Int64)', codec: 'CODEC(T64, ZSTD(1))', sinceSchemaVersion: 3 },
];

/**
 * The column naming the insert each span row came in (`<writer>:<first>-<last>`, its WAL range):
 * what recovery counts to learn which of an interrupted batch's partitions are stored. Not a
 * core column (never read by queries); constant within a part, so it costs next to nothing.
 */
export const CLICKHOUSE_INSERT_BATCH_COLUMN = 'insert_batch';

export const CLICKHOUSE_CORE_NAMES: ReadonlySet<string> = new Set(CLICKHOUSE_CORE_COLUMNS.map((c) => c.physical));

export const CLICKHOUSE_ATTRIBUTE_TYPE: Record<ColumnType, string> = {
  string: 'Nullable(String)',
  integer: 'Nullable(Int64)',
  float: 'Nullable(Float64)',
  boolean: 'Nullable(Bool)',
};

export function clickhouseAttributeColumn(columnId: number): string {
  return `c${columnId}`;
}

function binding(name: string, type: ColumnType, sql: string, physicalColumns: readonly string[]): ColumnBinding {
  return { name, type, sql, physicalColumns };
}

const hexId = (physical: string, digits: number): string => `leftPad(lower(hex(${physical})), ${digits}, '0')`;

/** The logical core columns, as ClickHouse expressions over the physical ones (the same names and types as DuckDB's). */
export const CLICKHOUSE_CORE_BINDINGS: readonly ColumnBinding[] = [
  { ...binding('duration_ms', 'float', '(duration_ns / 1e6)', ['duration_ns']), scaledInteger: { sql: 'duration_ns', divisor: 1e6 } },
  binding('trace.trace_id', 'string', hexId('trace_id', 32), ['trace_id']),
  binding('trace.span_id', 'string', hexId('span_id', 16), ['span_id']),
  binding('trace.parent_id', 'string', hexId('parent_id', 16), ['parent_id']),
  binding('name', 'string', 'name', ['name']),
  binding('service.name', 'string', 'service_name', ['service_name']),
  binding('span.kind', 'string', 'span_kind', ['span_kind']),
  binding('status_code', 'string', 'status_code', ['status_code']),
  binding('status_message', 'string', 'status_message', ['status_message']),
  // A comparison is a UInt8 in ClickHouse: cast, so results say true/false as on DuckDB.
  binding('error', 'boolean', "CAST(status_code = 'error', 'Nullable(Bool)')", ['status_code']),
  binding('library.name', 'string', 'library_name', ['library_name']),
  binding('library.version', 'string', 'library_version', ['library_version']),
  binding('meta.annotation_type', 'string', 'annotation_type', ['annotation_type']),
  // Derived at query time; the typed NULL a lone row reads is spelled the ClickHouse way.
  ...NETWORK_TIMING_BINDINGS.map((b) => ({ ...b, sql: b.type === 'boolean' ? 'CAST(NULL, \'Nullable(Bool)\')' : 'CAST(NULL, \'Nullable(Float64)\')' })),
];

export const CLICKHOUSE_CORE_ROLES: SchemaRoles = {
  timestampNs: binding('timestamp', 'integer', 'ts_ns', ['ts_ns']),
  durationNs: binding('duration_ns', 'integer', 'duration_ns', ['duration_ns']),
  traceId: binding('trace_id', 'string', 'trace_id', ['trace_id']),
  spanId: binding('span_id', 'string', 'span_id', ['span_id']),
  parentId: binding('parent_id', 'string', 'parent_id', ['parent_id']),
  sampleRate: binding('sample_rate', 'integer', 'sample_rate', ['sample_rate']),
  spanKind: binding('span_kind', 'string', 'span_kind', ['span_kind']),
  ingestTime: binding('ingest_time', 'integer', CLICKHOUSE_INGEST_TIME_COLUMN, [CLICKHOUSE_INGEST_TIME_COLUMN]),
};

/** How the API's catalog views spell ClickHouse's columns. */
export const CLICKHOUSE_COLUMNS: BackendColumns = {
  coreBindings: CLICKHOUSE_CORE_BINDINGS,
  roles: CLICKHOUSE_CORE_ROLES,
  attributeColumn: clickhouseAttributeColumn,
};

/**
 * A ClickHouse string literal. Backslash is an escape character in ClickHouse (not in DuckDB),
 * so both it and the quote are escaped. Only store-made text (dataset keys) passes here.
 */
export function clickhouseStringLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL character in SQL string literal');
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
