import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addAttributeColumnsDdl, schemaMigrations } from './clickhouse-schema-ddl.js';

// Golden DDL: the statements Waggle sends, compared as text. The single-server DDL also runs for
// real on chdb in every ClickHouse test; the cluster DDL (ON CLUSTER, Replicated, Distributed)
// cannot run here (chdb has no cluster) and is checked by these texts and the compose deployment.
describe('ClickHouse schema DDL', () => {
  it('creates Replicated tables ON CLUSTER and a Distributed span table sharded by trace id on a cluster', () => {
    const topology = { database: 'waggle', cluster: 'waggle_cluster' };
    const statements = [...schemaMigrations(topology)[0]!.statements, ...addAttributeColumnsDdl(topology, [{ physical: 'c7', type: 'string' }, { physical: 'c8', type: 'integer' }])];
    assert.deepEqual(statements, [
    'CREATE DATABASE IF NOT EXISTS waggle ON CLUSTER waggle_cluster',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_schema_migrations ON CLUSTER waggle_cluster (version UInt32, applied_ns Int64) ENGINE = ReplicatedReplacingMergeTree(\'/clickhouse/tables/all/{database}/{table}\', \'{shard}-{replica}\') ORDER BY version',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_columns ON CLUSTER waggle_cluster (id UInt32, key_name String, type LowCardinality(String), created_ns Int64) ENGINE = ReplicatedReplacingMergeTree(\'/clickhouse/tables/all/{database}/{table}\', \'{shard}-{replica}\') ORDER BY id',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_datasets ON CLUSTER waggle_cluster (name String, display_name String, created_ns Int64, last_written_ns Int64) ENGINE = ReplicatedReplacingMergeTree(\'/clickhouse/tables/all/{database}/{table}\', \'{shard}-{replica}\', last_written_ns) ORDER BY name',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_dataset_columns ON CLUSTER waggle_cluster (dataset String, column_id UInt32, created_ns Int64, last_written_ns Int64) ENGINE = ReplicatedReplacingMergeTree(\'/clickhouse/tables/all/{database}/{table}\', \'{shard}-{replica}\', last_written_ns) ORDER BY (dataset, column_id)',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_state ON CLUSTER waggle_cluster (writer String, version UInt64, wal_position UInt64, pending_first UInt64, pending_last UInt64) ENGINE = ReplicatedReplacingMergeTree(\'/clickhouse/tables/all/{database}/{table}\', \'{shard}-{replica}\', version) ORDER BY writer',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_dataset_retention ON CLUSTER waggle_cluster (dataset String, retention_ns Nullable(Int64), version UInt64) ENGINE = ReplicatedReplacingMergeTree(\'/clickhouse/tables/all/{database}/{table}\', \'{shard}-{replica}\', version) ORDER BY dataset',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_spans_local ON CLUSTER waggle_cluster (dataset LowCardinality(String), ts_ns Int64 CODEC(Delta, ZSTD(1)), duration_ns Nullable(Int64) CODEC(T64, ZSTD(1)), trace_id Nullable(UInt128) CODEC(ZSTD(1)), span_id Nullable(UInt64) CODEC(ZSTD(1)), parent_id Nullable(UInt64) CODEC(ZSTD(1)), name LowCardinality(Nullable(String)), service_name LowCardinality(Nullable(String)), span_kind LowCardinality(Nullable(String)), status_code LowCardinality(Nullable(String)), status_message Nullable(String) CODEC(ZSTD(1)), library_name LowCardinality(Nullable(String)), library_version LowCardinality(Nullable(String)), annotation_type LowCardinality(Nullable(String)), sample_rate UInt32 CODEC(T64, ZSTD(1)), INDEX trace_bloom trace_id TYPE bloom_filter(0.001) GRANULARITY 1) ENGINE = ReplicatedMergeTree(\'/clickhouse/tables/{shard}/{database}/{table}\', \'{replica}\') PARTITION BY intDiv(ts_ns, 86400000000000) ORDER BY (dataset, ts_ns) SETTINGS index_granularity = 1024, min_compress_block_size = 16384',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_spans ON CLUSTER waggle_cluster AS waggle.waggle_spans_local ENGINE = Distributed(waggle_cluster, waggle, waggle_spans_local, cityHash64(ifNull(trace_id, 0)))',
    'ALTER TABLE waggle.waggle_spans_local ON CLUSTER waggle_cluster ADD COLUMN IF NOT EXISTS c7 Nullable(String) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS c8 Nullable(Int64)',
    'ALTER TABLE waggle.waggle_spans ON CLUSTER waggle_cluster ADD COLUMN IF NOT EXISTS c7 Nullable(String) CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS c8 Nullable(Int64)',
    ]);
  });

  it('creates plain MergeTree tables that remember insert tokens on one server', () => {
    const topology = { database: 'waggle', cluster: null };
    const statements = [...schemaMigrations(topology)[0]!.statements, ...addAttributeColumnsDdl(topology, [{ physical: 'c7', type: 'boolean' }])];
    assert.deepEqual(statements, [
    'CREATE DATABASE IF NOT EXISTS waggle',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_schema_migrations (version UInt32, applied_ns Int64) ENGINE = ReplacingMergeTree() ORDER BY version',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_columns (id UInt32, key_name String, type LowCardinality(String), created_ns Int64) ENGINE = ReplacingMergeTree() ORDER BY id',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_datasets (name String, display_name String, created_ns Int64, last_written_ns Int64) ENGINE = ReplacingMergeTree(last_written_ns) ORDER BY name',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_dataset_columns (dataset String, column_id UInt32, created_ns Int64, last_written_ns Int64) ENGINE = ReplacingMergeTree(last_written_ns) ORDER BY (dataset, column_id)',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_state (writer String, version UInt64, wal_position UInt64, pending_first UInt64, pending_last UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY writer',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_dataset_retention (dataset String, retention_ns Nullable(Int64), version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY dataset',
    'CREATE TABLE IF NOT EXISTS waggle.waggle_spans (dataset LowCardinality(String), ts_ns Int64 CODEC(Delta, ZSTD(1)), duration_ns Nullable(Int64) CODEC(T64, ZSTD(1)), trace_id Nullable(UInt128) CODEC(ZSTD(1)), span_id Nullable(UInt64) CODEC(ZSTD(1)), parent_id Nullable(UInt64) CODEC(ZSTD(1)), name LowCardinality(Nullable(String)), service_name LowCardinality(Nullable(String)), span_kind LowCardinality(Nullable(String)), status_code LowCardinality(Nullable(String)), status_message Nullable(String) CODEC(ZSTD(1)), library_name LowCardinality(Nullable(String)), library_version LowCardinality(Nullable(String)), annotation_type LowCardinality(Nullable(String)), sample_rate UInt32 CODEC(T64, ZSTD(1)), INDEX trace_bloom trace_id TYPE bloom_filter(0.001) GRANULARITY 1) ENGINE = MergeTree() PARTITION BY intDiv(ts_ns, 86400000000000) ORDER BY (dataset, ts_ns) SETTINGS index_granularity = 1024, min_compress_block_size = 16384, non_replicated_deduplication_window = 10000',
    'ALTER TABLE waggle.waggle_spans ADD COLUMN IF NOT EXISTS c7 Nullable(Bool)',
    ]);
  });

  it('adds a trace index filled by a materialized view on every span insert, sharded like the spans on a cluster', () => {
    assert.deepEqual(schemaMigrations({ database: 'waggle', cluster: null })[1], {
      version: 2,
      statements: [
        'CREATE TABLE IF NOT EXISTS waggle.waggle_trace_index (trace_id UInt128, dataset LowCardinality(String), min_ts Int64, max_ts Int64) ENGINE = MergeTree() PARTITION BY intDiv(max_ts, 86400000000000) ORDER BY trace_id',
        'CREATE MATERIALIZED VIEW IF NOT EXISTS waggle.waggle_trace_index_mv TO waggle.waggle_trace_index AS SELECT assumeNotNull(trace_id) AS trace_id, dataset, min(ts_ns) AS min_ts, max(ts_ns) AS max_ts FROM waggle.waggle_spans WHERE trace_id IS NOT NULL GROUP BY trace_id, dataset',
        'INSERT INTO waggle.waggle_trace_index SELECT assumeNotNull(trace_id) AS trace_id, dataset, min(ts_ns) AS min_ts, max(ts_ns) AS max_ts FROM waggle.waggle_spans WHERE trace_id IS NOT NULL GROUP BY trace_id, dataset',
      ],
    });
    assert.deepEqual(schemaMigrations({ database: 'waggle', cluster: 'waggle_cluster' })[1]!.statements, [
      "CREATE TABLE IF NOT EXISTS waggle.waggle_trace_index_local ON CLUSTER waggle_cluster (trace_id UInt128, dataset LowCardinality(String), min_ts Int64, max_ts Int64) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') PARTITION BY intDiv(max_ts, 86400000000000) ORDER BY trace_id",
      'CREATE TABLE IF NOT EXISTS waggle.waggle_trace_index ON CLUSTER waggle_cluster AS waggle.waggle_trace_index_local ENGINE = Distributed(waggle_cluster, waggle, waggle_trace_index_local, cityHash64(trace_id))',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS waggle.waggle_trace_index_mv ON CLUSTER waggle_cluster TO waggle.waggle_trace_index_local AS SELECT assumeNotNull(trace_id) AS trace_id, dataset, min(ts_ns) AS min_ts, max(ts_ns) AS max_ts FROM waggle.waggle_spans_local WHERE trace_id IS NOT NULL GROUP BY trace_id, dataset',
      'INSERT INTO waggle.waggle_trace_index SELECT assumeNotNull(trace_id) AS trace_id, dataset, min(ts_ns) AS min_ts, max(ts_ns) AS max_ts FROM waggle.waggle_spans WHERE trace_id IS NOT NULL GROUP BY trace_id, dataset',
    ]);
  });

  it('adds the receive-time column to the span tables as step 3 (existing rows read NULL), never to step 1', () => {
    // A fresh database runs step 1 then this step, so every chdb test runs it on a table without the column.
    assert.deepEqual(schemaMigrations({ database: 'waggle', cluster: null })[2], {
      version: 3,
      statements: ['ALTER TABLE waggle.waggle_spans ADD COLUMN IF NOT EXISTS ingest_ms Nullable(Int64) CODEC(T64, ZSTD(1))'],
    });
    assert.deepEqual(schemaMigrations({ database: 'waggle', cluster: 'waggle_cluster' })[2]!.statements, [
      'ALTER TABLE waggle.waggle_spans_local ON CLUSTER waggle_cluster ADD COLUMN IF NOT EXISTS ingest_ms Nullable(Int64) CODEC(T64, ZSTD(1))',
      'ALTER TABLE waggle.waggle_spans ON CLUSTER waggle_cluster ADD COLUMN IF NOT EXISTS ingest_ms Nullable(Int64) CODEC(T64, ZSTD(1))',
    ]);
  });

  it('adds the insert-batch column (existing rows read an empty name) and the set-aside table as step 4', () => {
    assert.deepEqual(schemaMigrations({ database: 'waggle', cluster: null })[3], {
      version: 4,
      statements: [
        "ALTER TABLE waggle.waggle_spans ADD COLUMN IF NOT EXISTS insert_batch LowCardinality(String) DEFAULT ''",
        'CREATE TABLE IF NOT EXISTS waggle.waggle_quarantine (writer String, wal_position UInt64, quarantined_ns Int64, events UInt64, file String, error String) ENGINE = ReplacingMergeTree() ORDER BY (writer, wal_position)',
      ],
    });
    assert.deepEqual(schemaMigrations({ database: 'waggle', cluster: 'waggle_cluster' })[3]!.statements.slice(0, 2), [
      "ALTER TABLE waggle.waggle_spans_local ON CLUSTER waggle_cluster ADD COLUMN IF NOT EXISTS insert_batch LowCardinality(String) DEFAULT ''",
      "ALTER TABLE waggle.waggle_spans ON CLUSTER waggle_cluster ADD COLUMN IF NOT EXISTS insert_batch LowCardinality(String) DEFAULT ''",
    ]);
  });

  it('adds no statement when no column is new', () => {
    assert.deepEqual(addAttributeColumnsDdl({ database: 'waggle', cluster: 'waggle_cluster' }, []), []);
  });
});
