import type { ColumnType } from '../../query/query-schema.js';
import { CLICKHOUSE_ATTRIBUTE_TYPE, CLICKHOUSE_CORE_COLUMNS, CLICKHOUSE_INSERT_BATCH_COLUMN, type ClickHouseCoreColumn } from './clickhouse-physical-layout.js';

/**
 * Where the store's tables live. Without a cluster: plain MergeTree tables on one server (or in
 * chdb). With one: every table is created `ON CLUSTER` with a Replicated engine; the span table is
 * `waggle_spans_local` on each shard behind a `Distributed` table `waggle_spans` sharded by trace
 * id (a trace lives on one shard, so a trace lookup and root./parent. joins stay on it); the small
 * catalog tables are replicated whole to every node (one Keeper path for all shards).
 */
export interface ClickHouseTopology {
  readonly database: string;
  readonly cluster: string | null;
}

/** One versioned step of the schema; every statement is idempotent (IF NOT EXISTS), so two processes may both run it. */
export interface SchemaMigration {
  readonly version: number;
  readonly statements: readonly string[];
}

/** How long ClickHouse remembers an insert's deduplication token: far more inserts than a WAL replay can repeat. */
export const DEDUPLICATION_WINDOW = 10_000;

/** Nanoseconds per partition: one day, so retention drops whole days. */
export const PARTITION_NS = 86_400_000_000_000n;

export function qualified(topology: ClickHouseTopology, table: string): string {
  return `${topology.database}.${table}`;
}

/** The table reads and inserts name: the Distributed table on a cluster. */
export function spanTable(topology: ClickHouseTopology): string {
  return qualified(topology, 'waggle_spans');
}

/** The table holding the rows on each server (its parts, partitions and skip index). */
export function localSpanTable(topology: ClickHouseTopology): string {
  return qualified(topology, topology.cluster === null ? 'waggle_spans' : 'waggle_spans_local');
}

function onCluster(topology: ClickHouseTopology): string {
  return topology.cluster === null ? '' : ` ON CLUSTER ${topology.cluster}`;
}

/**
 * The engine of a table: `MergeTree` family on one server, its Replicated twin on a cluster.
 * `perShard`: the span rows (a Keeper path per shard); otherwise the catalog (one path, every node).
 */
function engine(topology: ClickHouseTopology, family: string, args: string, perShard: boolean): string {
  if (topology.cluster === null) return `${family}(${args})`;
  const keeperPath = perShard ? `'/clickhouse/tables/{shard}/{database}/{table}'` : `'/clickhouse/tables/all/{database}/{table}'`;
  const replica = perShard ? `'{replica}'` : `'{shard}-{replica}'`;
  return `Replicated${family}(${[keeperPath, replica, ...(args === '' ? [] : [args])].join(', ')})`;
}

function createTable(topology: ClickHouseTopology, table: string, columns: string, family: string, args: string, tail: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(topology, table)}${onCluster(topology)} (${columns}) ENGINE = ${engine(topology, family, args, false)} ${tail}`;
}

function coreColumnDdl(c: ClickHouseCoreColumn): string {
  return `${c.physical} ${c.sqlType}${c.codec === undefined ? '' : ` ${c.codec}`}`;
}

/** The span table as step 1 made it: columns added by later steps come with those steps. */
function spanColumns(): string {
  const core = CLICKHOUSE_CORE_COLUMNS.filter((c) => c.sinceSchemaVersion === undefined).map(coreColumnDdl);
  // A trace lookup without a time range skips every granule whose bloom filter lacks the id.
  return [...core, 'INDEX trace_bloom trace_id TYPE bloom_filter(0.001) GRANULARITY 1'].join(', ');
}

/**
 * Granules of 1 024 rows (not 8 192) compressed in blocks from 16 KiB (not 64 KiB): a trace
 * lookup reads, for every column of the trace's datasets, the granule holding the trace, and
 * that read, not the search, is its cost. Measured on chdb, 240k generated spans, 47 columns:
 * 35 -> 19 ms of CPU per lookup, 4% more bytes on disk, a full scan within noise. ClickHouse
 * cannot change index_granularity of an existing table: a store created before keeps 8 192.
 */
const SPAN_GRANULE_SETTINGS = ['index_granularity = 1024', 'min_compress_block_size = 16384'];

function spanTableDdl(topology: ClickHouseTopology): string[] {
  const local = topology.cluster === null ? 'waggle_spans' : 'waggle_spans_local';
  // Sharded by trace id (a sharding key must not be Nullable; events without a trace go to one shard).
  // Plain MergeTree forgets insert tokens unless told to remember some; Replicated tables keep them in Keeper.
  const settings = [...SPAN_GRANULE_SETTINGS, ...(topology.cluster === null ? [`non_replicated_deduplication_window = ${DEDUPLICATION_WINDOW}`] : [])];
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${qualified(topology, local)}${onCluster(topology)} (${spanColumns()}) ENGINE = ${engine(topology, 'MergeTree', '', true)} ` +
      `PARTITION BY intDiv(ts_ns, ${PARTITION_NS}) ORDER BY (dataset, ts_ns) SETTINGS ${settings.join(', ')}`,
  ];
  if (topology.cluster !== null) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${spanTable(topology)}${onCluster(topology)} AS ${qualified(topology, local)} ` +
        `ENGINE = Distributed(${topology.cluster}, ${topology.database}, ${local}, cityHash64(ifNull(trace_id, 0)))`,
    );
  }
  return statements;
}

/** The trace index reads and inserts name: the Distributed table on a cluster. */
export function traceIndexTable(topology: ClickHouseTopology): string {
  return qualified(topology, 'waggle_trace_index');
}

/** The table holding the trace index rows on each server (its partitions). */
export function localTraceIndexTable(topology: ClickHouseTopology): string {
  return qualified(topology, topology.cluster === null ? 'waggle_trace_index' : 'waggle_trace_index_local');
}

/**
 * The trace index: per trace and dataset, the time range its spans cover, ordered by trace id, so
 * a trace lookup reads a few index rows and then only the span granules of those datasets in
 * that range (the span table is ordered by dataset and time), and only the columns those
 * datasets have. A materialized view fills it on every span insert (a row per trace per insert;
 * lookups take min and max over them); the existing spans are indexed once by the step itself.
 * Partitioned by the day of max_ts: retention drops an index partition with the span partition
 * of that day, when every span it points to is gone.
 */
function traceIndexDdl(topology: ClickHouseTopology): string[] {
  const local = topology.cluster === null ? 'waggle_trace_index' : 'waggle_trace_index_local';
  const spansLocal = topology.cluster === null ? 'waggle_spans' : 'waggle_spans_local';
  const perTrace = (spans: string): string =>
    `SELECT assumeNotNull(trace_id) AS trace_id, dataset, min(ts_ns) AS min_ts, max(ts_ns) AS max_ts FROM ${spans} WHERE trace_id IS NOT NULL GROUP BY trace_id, dataset`;
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${qualified(topology, local)}${onCluster(topology)} (trace_id UInt128, dataset LowCardinality(String), min_ts Int64, max_ts Int64) ENGINE = ${engine(topology, 'MergeTree', '', true)} ` +
      `PARTITION BY intDiv(max_ts, ${PARTITION_NS}) ORDER BY trace_id`,
  ];
  if (topology.cluster !== null) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${traceIndexTable(topology)}${onCluster(topology)} AS ${qualified(topology, local)} ` +
        `ENGINE = Distributed(${topology.cluster}, ${topology.database}, ${local}, cityHash64(trace_id))`,
    );
  }
  statements.push(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(topology, 'waggle_trace_index_mv')}${onCluster(topology)} TO ${qualified(topology, local)} AS ${perTrace(qualified(topology, spansLocal))}`);
  // Spans stored before this step (on a cluster through the Distributed tables: each trace lands on its shard).
  statements.push(`INSERT INTO ${traceIndexTable(topology)} ${perTrace(spanTable(topology))}`);
  return statements;
}

/** The schema, step by step. A new step is appended, never edited: servers that ran the old ones run only the new. */
export function schemaMigrations(topology: ClickHouseTopology): SchemaMigration[] {
  return [
    {
      version: 1,
      statements: [
        `CREATE DATABASE IF NOT EXISTS ${topology.database}${onCluster(topology)}`,
        createTable(topology, 'waggle_schema_migrations', 'version UInt32, applied_ns Int64', 'ReplacingMergeTree', '', 'ORDER BY version'),
        createTable(topology, 'waggle_columns', 'id UInt32, key_name String, type LowCardinality(String), created_ns Int64', 'ReplacingMergeTree', '', 'ORDER BY id'),
        createTable(topology, 'waggle_datasets', 'name String, display_name String, created_ns Int64, last_written_ns Int64', 'ReplacingMergeTree', 'last_written_ns', 'ORDER BY name'),
        createTable(topology, 'waggle_dataset_columns', 'dataset String, column_id UInt32, created_ns Int64, last_written_ns Int64', 'ReplacingMergeTree', 'last_written_ns', 'ORDER BY (dataset, column_id)'),
        // Per writer (a Waggle process and its WAL): the committed WAL position and the batch being inserted.
        createTable(topology, 'waggle_state', 'writer String, version UInt64, wal_position UInt64, pending_first UInt64, pending_last UInt64', 'ReplacingMergeTree', 'version', 'ORDER BY writer'),
        createTable(topology, 'waggle_dataset_retention', 'dataset String, retention_ns Nullable(Int64), version UInt64', 'ReplacingMergeTree', 'version', 'ORDER BY dataset'),
        ...spanTableDdl(topology),
      ],
    },
    { version: 2, statements: traceIndexDdl(topology) },
    // The receive time of each event (INGEST_TIMESTAMP()): metadata only, existing parts read NULL.
    { version: 3, statements: addCoreColumnsDdl(topology, CLICKHOUSE_CORE_COLUMNS.filter((c) => c.sinceSchemaVersion === 3)) },
    // Each row's insert batch (see ClickHouseSpanWriter): rows stored before read '' (no batch).
    {
      version: 4,
      statements: [
        ...addSpanColumnsDdl(topology, `ADD COLUMN IF NOT EXISTS ${CLICKHOUSE_INSERT_BATCH_COLUMN} LowCardinality(String) DEFAULT ''`),
        // Requests set aside as poison (their events in the file under the data directory's quarantine/), per writer.
        createTable(topology, 'waggle_quarantine', 'writer String, wal_position UInt64, quarantined_ns Int64, events UInt64, file String, error String', 'ReplacingMergeTree', '', 'ORDER BY (writer, wal_position)'),
      ],
    },
  ];
}

/** Core columns a later step adds, on the local tables and (on a cluster) the Distributed one. */
function addCoreColumnsDdl(topology: ClickHouseTopology, columns: readonly ClickHouseCoreColumn[]): string[] {
  return addSpanColumnsDdl(topology, columns.map((c) => `ADD COLUMN IF NOT EXISTS ${coreColumnDdl(c)}`).join(', '));
}

/** An ALTER of the span table: the local tables and (on a cluster) the Distributed one. */
function addSpanColumnsDdl(topology: ClickHouseTopology, clauses: string): string[] {
  const tables = topology.cluster === null ? [spanTable(topology)] : [localSpanTable(topology), spanTable(topology)];
  return tables.map((table) => `ALTER TABLE ${table}${onCluster(topology)} ${clauses}`);
}

/**
 * Adds attribute columns (one ALTER, metadata only: existing parts are not rewritten). On a
 * cluster, the local tables and the Distributed table both get them.
 */
export function addAttributeColumnsDdl(topology: ClickHouseTopology, columns: ReadonlyArray<{ readonly physical: string; readonly type: ColumnType }>): string[] {
  if (columns.length === 0) return [];
  const clauses = columns.map((c) => `ADD COLUMN IF NOT EXISTS ${c.physical} ${CLICKHOUSE_ATTRIBUTE_TYPE[c.type]}${c.type === 'string' ? ' CODEC(ZSTD(1))' : ''}`).join(', ');
  const tables = topology.cluster === null ? [spanTable(topology)] : [localSpanTable(topology), spanTable(topology)];
  return tables.map((table) => `ALTER TABLE ${table}${onCluster(topology)} ${clauses}`);
}
