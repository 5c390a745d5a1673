import { NETWORK_TIMING_BINDINGS } from '../../query/network-timing-bindings.js';
import type { ColumnBinding, ColumnType, SchemaRoles } from '../../query/query-schema.js';
import type { BackendColumns } from '../catalog-views.js';

/** The physical column of the receive time (last of the core columns: older segments end before it). */
export const INGEST_TIME_COLUMN = 'ingest_ms';

/**
 * The physical layout of a segment table. Core columns exist in every segment; attribute columns
 * are named `c<id>` after their catalog id and exist only in segments that hold a value for them.
 * Ids are binary (UHUGEINT / UBIGINT): hex text would cost ~30% more on disk.
 */
export interface CoreColumnDef {
  readonly physical: string;
  readonly sqlType: string;
}

export const CORE_PHYSICAL_COLUMNS: readonly CoreColumnDef[] = [
  { physical: 'dataset', sqlType: 'VARCHAR NOT NULL' },
  { physical: 'ts_ns', sqlType: 'BIGINT NOT NULL' },
  { physical: 'duration_ns', sqlType: 'BIGINT' },
  { physical: 'trace_id', sqlType: 'UHUGEINT' },
  { physical: 'span_id', sqlType: 'UBIGINT' },
  { physical: 'parent_id', sqlType: 'UBIGINT' },
  { physical: 'name', sqlType: 'VARCHAR' },
  { physical: 'service_name', sqlType: 'VARCHAR' },
  { physical: 'span_kind', sqlType: 'VARCHAR' },
  { physical: 'status_code', sqlType: 'VARCHAR' },
  { physical: 'status_message', sqlType: 'VARCHAR' },
  { physical: 'library_name', sqlType: 'VARCHAR' },
  { physical: 'library_version', sqlType: 'VARCHAR' },
  { physical: 'annotation_type', sqlType: 'VARCHAR' },
  { physical: 'sample_rate', sqlType: 'UINTEGER NOT NULL' },
  // When Waggle received the event's request, whole ms (src/core/ingest-time.ts); NULL when
  // unknown. Only INGEST_TIMESTAMP() reads it: no user column. Segments made before it lack it
  // (SegmentState.hasIngestTime) and read NULL.
  { physical: INGEST_TIME_COLUMN, sqlType: 'BIGINT' },
];

/**
 * Compacted segments keep the receive time in two columns instead of INGEST_TIME_COLUMN: whole
 * seconds and the milliseconds left over. Compaction sorts rows by event time, which scatters the
 * receive times of interleaved requests: as one BIGINT of milliseconds they took 2.16 bytes a row
 * (neither bit-packing nor runs of 8-byte values fit), as seconds plus a SMALLINT remainder 0.43 +
 * 0.75 (runs of narrow values), measured on the bench's compacted 1M segment. Exact both ways:
 * ms = s * 1000 + rem, with rem = ms % 1000 (its sign follows ms) and s = (ms - rem) / 1000.
 */
export const INGEST_SECONDS_COLUMN = 'ingest_s';
export const INGEST_REMAINDER_COLUMN = 'ingest_ms_rem';

/** The split columns' definitions, in table order (they take INGEST_TIME_COLUMN's place, last of the core columns). */
export const SPLIT_INGEST_TIME_DEFS: readonly string[] = [`${INGEST_SECONDS_COLUMN} BIGINT`, `${INGEST_REMAINDER_COLUMN} SMALLINT`];

/** The two split values of a receive time in milliseconds (an SQL expression), in SPLIT_INGEST_TIME_DEFS order. */
export function splitIngestTimeSql(msSql: string): readonly [string, string] {
  return [`((${msSql}) - (${msSql}) % 1000) // 1000`, `CAST((${msSql}) % 1000 AS SMALLINT)`];
}

/** The receive time in milliseconds of a segment that keeps it split. */
export const JOINED_INGEST_TIME_SQL = `(${INGEST_SECONDS_COLUMN} * 1000 + ${INGEST_REMAINDER_COLUMN})`;

export const ATTRIBUTE_SQL_TYPE: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  float: 'DOUBLE',
  boolean: 'BOOLEAN',
};

export function attributePhysicalName(columnId: number): string {
  return `c${columnId}`;
}

function binding(name: string, type: ColumnType, sql: string, physicalColumns: readonly string[]): ColumnBinding {
  return { name, type, sql, physicalColumns };
}

const hexId = (physical: string, digits: number): string => `lpad(lower(hex(${physical})), ${digits}, '0')`;

/** The logical core columns users query, as expressions over the physical ones. */
export const CORE_BINDINGS: readonly ColumnBinding[] = [
  // Aggregates that commute with the scale run on the integer (see ColumnBinding.scaledInteger).
  { ...binding('duration_ms', 'float', '(duration_ns / 1e6)', ['duration_ns']), scaledInteger: { sql: 'duration_ns', divisor: 1e6 } },
  binding('trace.trace_id', 'string', hexId('trace_id', 32), ['trace_id']),
  binding('trace.span_id', 'string', hexId('span_id', 16), ['span_id']),
  binding('trace.parent_id', 'string', hexId('parent_id', 16), ['parent_id']),
  binding('name', 'string', 'name', ['name']),
  binding('service.name', 'string', 'service_name', ['service_name']),
  binding('span.kind', 'string', 'span_kind', ['span_kind']),
  binding('status_code', 'string', 'status_code', ['status_code']),
  binding('status_message', 'string', 'status_message', ['status_message']),
  binding('error', 'boolean', "(status_code = 'error')", ['status_code']),
  binding('library.name', 'string', 'library_name', ['library_name']),
  binding('library.version', 'string', 'library_version', ['library_version']),
  binding('meta.annotation_type', 'string', 'annotation_type', ['annotation_type']),
  // Not stored: derived at query time from a server span and its client parent.
  ...NETWORK_TIMING_BINDINGS,
];

export const CORE_ROLES: SchemaRoles = {
  timestampNs: binding('timestamp', 'integer', 'ts_ns', ['ts_ns']),
  durationNs: binding('duration_ns', 'integer', 'duration_ns', ['duration_ns']),
  traceId: binding('trace_id', 'string', 'trace_id', ['trace_id']),
  spanId: binding('span_id', 'string', 'span_id', ['span_id']),
  parentId: binding('parent_id', 'string', 'parent_id', ['parent_id']),
  sampleRate: binding('sample_rate', 'integer', 'sample_rate', ['sample_rate']),
  spanKind: binding('span_kind', 'string', 'span_kind', ['span_kind']),
  ingestTime: binding('ingest_time', 'integer', INGEST_TIME_COLUMN, [INGEST_TIME_COLUMN]),
};

/** How the API's catalog views spell DuckDB's columns. */
export const DUCKDB_COLUMNS: BackendColumns = { coreBindings: CORE_BINDINGS, roles: CORE_ROLES, attributeColumn: attributePhysicalName };

/** The columns of a compacted trace-index run (waggle_trace_runs, waggle_trace_merged). */
export const TRACE_RUN_COLUMNS = '(trace_key UBIGINT NOT NULL, segment_id INTEGER NOT NULL, min_ts_ns BIGINT NOT NULL, length_ns BIGINT NOT NULL)';

/**
 * The columns of the merged trace index: times in whole seconds (the trace's first second and how
 * many seconds on its last one starts), which pack into ~3 bytes a row where nanoseconds took ~10
 * (1.3 bytes a span less at ~8 spans a trace). The segment read filters by the full trace id, so a
 * wider time range costs nothing but a few more rows of one row group looked at.
 *
 * The key is the 32-bit fold of the trace key (traceKey32Sql) in a BIGINT: sorted, DuckDB
 * bit-packs its steps (2.8 bytes a row on the bench's 1M index) where the sorted 64-bit keys
 * stayed uncompressed (7.8; their steps overflow its bit-packing). More traces share a key (at
 * 3.5M traces a lookup meets another trace's key about once in 1 200): the segment read filters
 * by the full id, so a shared key costs a read that finds nothing, never a wrong span.
 */
export const TRACE_MERGED_COLUMNS = '(trace_key BIGINT NOT NULL, segment_id INTEGER NOT NULL, min_s BIGINT NOT NULL, length_s BIGINT NOT NULL)';

/** The merged trace index (TRACE_MERGED_COLUMNS). */
export const TRACE_MERGED_TABLE = 'waggle_trace_merged32';

/**
 * The merged index as data directories from before the 32-bit keys hold it: 64-bit keys. A lookup
 * reads it too (by the 64-bit key: exact types keep its zone maps); the next merge folds its rows
 * into TRACE_MERGED_TABLE and leaves it empty. New directories have it empty from the start.
 */
export const LEGACY_TRACE_MERGED_TABLE = 'waggle_trace_merged';
export const LEGACY_TRACE_MERGED_COLUMNS = '(trace_key UBIGINT NOT NULL, segment_id INTEGER NOT NULL, min_s BIGINT NOT NULL, length_s BIGINT NOT NULL)';

/** A 64-bit trace key (traceKeySql) folded to 32 bits: its halves XORed, as a BIGINT. */
export function traceKey32Sql(traceKeySql: string): string {
  return `CAST(xor(CAST((${traceKeySql}) >> 32 AS UBIGINT), CAST((${traceKeySql}) & CAST(4294967295 AS UBIGINT) AS UBIGINT)) AS BIGINT)`;
}

export function traceKey32Of(traceId: bigint): bigint {
  const key = traceKeyOf(traceId);
  return (key >> 32n) ^ (key & 0xffff_ffffn);
}

/** Nanoseconds to whole seconds, rounded down (also before 1970). */
export function floorSecondsSql(nanosSql: string): string {
  return `((${nanosSql}) - (((${nanosSql}) % 1000000000 + 1000000000) % 1000000000)) // 1000000000`;
}

/** Where a merge of the trace runs is built before it replaces waggle_trace_merged (dropped at start if a crash left it). */
export const TRACE_MERGE_BUILD_TABLE = 'waggle_trace_merge_build';

/**
 * The internal tables that every store holds rows in, with no PRIMARY KEY or UNIQUE: DuckDB keeps
 * each such key as an ART index of at least one whole block (256 KiB) of the file, seven blocks in
 * all for these tables and waggle_segment_columns (dropped since), 1.8 bytes a span of a 1M store (BENCHMARKS run AJ). The store is their one
 * writer and inserts a key once (MERGE or NOT EXISTS where a row may already be there), so the keys
 * guarded nothing. Full definitions (columns added after the first release included): a database
 * made before has its keyed tables rebuilt from these at open (duckdb-internal-key-upgrade.ts).
 */
export const UNKEYED_INTERNAL_TABLES: ReadonlyArray<{ readonly name: string; readonly columns: string }> = [
  { name: 'waggle_columns', columns: 'id INTEGER NOT NULL, key_name VARCHAR NOT NULL, type VARCHAR NOT NULL, created_ns BIGINT NOT NULL' },
  { name: 'waggle_datasets', columns: 'name VARCHAR NOT NULL, created_ns BIGINT NOT NULL, last_written_ns BIGINT NOT NULL, display_name VARCHAR' },
  { name: 'waggle_dataset_columns', columns: 'dataset VARCHAR NOT NULL, column_id INTEGER NOT NULL, created_ns BIGINT NOT NULL, last_written_ns BIGINT NOT NULL' },
  { name: 'waggle_segments', columns: 'id INTEGER NOT NULL, row_count BIGINT NOT NULL, min_ts_ns BIGINT, max_ts_ns BIGINT, sealed BOOLEAN NOT NULL, compacted BOOLEAN DEFAULT false, datasets_json VARCHAR, max_sample_rate UBIGINT' },
  { name: 'waggle_state', columns: 'id INTEGER NOT NULL, wal_position BIGINT NOT NULL, partial_events BIGINT DEFAULT 0, partial_total BIGINT DEFAULT 0' },
];

/** Internal tables: the catalog, segment registry, trace index and WAL position. */
export const INTERNAL_DDL: readonly string[] = [
  ...UNKEYED_INTERNAL_TABLES.map(({ name, columns }) => `CREATE TABLE IF NOT EXISTS ${name} (${columns})`),
  `CREATE TABLE IF NOT EXISTS waggle_trace_index (trace_id UHUGEINT NOT NULL, segment_id INTEGER NOT NULL, min_ts_ns BIGINT NOT NULL, max_ts_ns BIGINT NOT NULL)`,
  `INSERT INTO waggle_state (id, wal_position) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM waggle_state)`,
  // Each segment's attribute columns were also listed in waggle_segment_columns, which nothing
  // read (a segment's columns are its table's: loadSegments reads duckdb_columns()); its data and
  // its key took two blocks of the file (BENCHMARKS run AJ).
  `DROP TABLE IF EXISTS waggle_segment_columns`,
  // A row-group commit may end inside a request: this many of the next entry's events (of
  // partial_total) are committed, so replay skips them. Added after the first release.
  `ALTER TABLE waggle_state ADD COLUMN IF NOT EXISTS partial_events BIGINT DEFAULT 0`,
  `ALTER TABLE waggle_state ADD COLUMN IF NOT EXISTS partial_total BIGINT DEFAULT 0`,
  // A dataset's name as first sent (case and spaces kept); `name` is its storage key, the value of
  // every segment's dataset column. Data dirs from before have NULL here: their key, a lowercased
  // name, is then the name too. Added after the first release.
  `ALTER TABLE waggle_datasets ADD COLUMN IF NOT EXISTS display_name VARCHAR`,
  // Requests set aside because their content could not be committed (the file under quarantine/
  // holds their events); recorded in the transaction that moves wal_position past them.
  // Segments rewritten by compaction (rows in time order to the second, then by trace). Added after the first release.
  `ALTER TABLE waggle_segments ADD COLUMN IF NOT EXISTS compacted BOOLEAN DEFAULT false`,
  // What the store keeps in memory about each segment's rows (its datasets as a JSON array of
  // names, its largest sample rate), so that opening the store reads them here instead of
  // scanning every segment (at 30M spans that scan took 1.45 s and left 248 MiB of blocks in the
  // pool: BENCHMARKS run AN). NULL in rows written before: the store scans those once and fills
  // them in. Added after the first release.
  `ALTER TABLE waggle_segments ADD COLUMN IF NOT EXISTS datasets_json VARCHAR`,
  `ALTER TABLE waggle_segments ADD COLUMN IF NOT EXISTS max_sample_rate UBIGINT`,
  // Segments taken out of the registry (expired, over the disk budget, or replaced by compaction)
  // whose tables are dropped a little later, so a query planned just before still finds them.
  `CREATE TABLE IF NOT EXISTS waggle_retired_segments (id INTEGER PRIMARY KEY, retired_ns BIGINT NOT NULL)`,
  // Per-dataset retention overrides (the store-wide WAGGLE_RETENTION applies to the others).
  `CREATE TABLE IF NOT EXISTS waggle_dataset_retention (dataset VARCHAR PRIMARY KEY, retention_ns BIGINT NOT NULL)`,
  // Trace-index rows of compacted segments, by 64-bit trace key (traceKeySql), appended by each
  // compaction as one run sorted by key, so DuckDB's zone maps prune a lookup to one row group a
  // run. Segments not compacted yet keep their rows in waggle_trace_index. Added after the first
  // release (older compacted segments keep theirs in waggle_trace_index).
  `CREATE TABLE IF NOT EXISTS waggle_trace_runs ${TRACE_RUN_COLUMNS}`,
  // The runs merged into one table sorted by key (duckdb-trace-run-merge.ts), so a lookup reads
  // one row group of it whatever the store's size. Added after the first release; its 64-bit
  // form (LEGACY_TRACE_MERGED_TABLE) before the 32-bit one.
  `CREATE TABLE IF NOT EXISTS ${LEGACY_TRACE_MERGED_TABLE} ${LEGACY_TRACE_MERGED_COLUMNS}`,
  `CREATE TABLE IF NOT EXISTS ${TRACE_MERGED_TABLE} ${TRACE_MERGED_COLUMNS}`,
  `CREATE TABLE IF NOT EXISTS waggle_quarantine (wal_position BIGINT PRIMARY KEY, quarantined_ns BIGINT NOT NULL, events BIGINT NOT NULL, file VARCHAR NOT NULL, error VARCHAR NOT NULL)`,
];

export function segmentTableName(segmentId: number): string {
  return `seg_${segmentId}`;
}

/** A compaction's trace-index run, built sorted before the transaction that appends it to waggle_trace_runs. */
export function compactionIndexTableName(segmentId: number): string {
  return `waggle_compaction_${segmentId}`;
}

/**
 * The 64-bit key a compacted segment's trace table is sorted by: the two halves of the trace id
 * XORed, so 64-bit trace ids (high half zero) spread as well as 128-bit ones. Two traces may share
 * a key; the segment read then filters by the full id. 8 bytes a trace instead of 16.
 */
export function traceKeySql(traceIdSql: string): string {
  return `xor(CAST(${traceIdSql} >> 64 AS UBIGINT), CAST(${traceIdSql} & CAST(18446744073709551615 AS UHUGEINT) AS UBIGINT))`;
}

export function traceKeyOf(traceId: bigint): bigint {
  return (traceId >> 64n) ^ (traceId & 0xffff_ffff_ffff_ffffn);
}

/**
 * Every trace-index row as (trace_key, segment_id, min_ts_ns, max_ts_ns), trace_key being the
 * 32-bit key (traceKey32Sql): the live table's and the compacted runs' and the merged runs'. With
 * `lookup`, only one trace's rows: `$1` is its id (UHUGEINT text), `$2` its 64-bit key and `$3`
 * its 32-bit key, each branch filtered on what it stores (the runs by the 64-bit key, the merged
 * table by the 32-bit one, its legacy table by the 64-bit one, each pruned by its zone maps).
 */
export function traceIndexRowsSql(lookup = false): string {
  const key64 = traceKeySql('trace_id');
  const live = `SELECT ${traceKey32Sql(key64)} AS trace_key, segment_id, min_ts_ns, max_ts_ns FROM waggle_trace_index${lookup ? ' WHERE trace_id = $1::UHUGEINT' : ''}`;
  const runs = `SELECT ${traceKey32Sql('trace_key')} AS trace_key, segment_id, min_ts_ns, min_ts_ns + length_ns AS max_ts_ns FROM waggle_trace_runs${lookup ? ' WHERE trace_key = $2::UBIGINT' : ''}`;
  const times = 'segment_id, min_s * 1000000000 AS min_ts_ns, (min_s + length_s) * 1000000000 + 999999999 AS max_ts_ns';
  const merged = `SELECT trace_key, ${times} FROM ${TRACE_MERGED_TABLE}${lookup ? ' WHERE trace_key = $3::BIGINT' : ''}`;
  const legacy = `SELECT ${traceKey32Sql('trace_key')} AS trace_key, ${times} FROM ${LEGACY_TRACE_MERGED_TABLE}${lookup ? ' WHERE trace_key = $2::UBIGINT' : ''}`;
  return `${live} UNION ALL ${runs} UNION ALL ${merged} UNION ALL ${legacy}`;
}
