import type { EventRecord } from '../../core/event-record.js';
import { BadRequestError, UnavailableError } from '../../core/errors.js';
import { QUERY_LIMITS } from '../../core/limits/query-limits.js';
import { nowNs } from '../../core/unix-nanos.js';
import type { QueryParameter } from '../../query/compile/compiled-query.js';
import { QueryAdmission, type QueryAdmissionObserver } from '../../query/query-admission.js';
import type { QuerySchema } from '../../query/query-schema.js';
import type { DuckDbCatalog } from '../duckdb/duckdb-catalog.js';
import { DEFAULT_COLUMN_ADMISSION_LIMITS, DuckDbColumnAdmission, type ColumnAdmissionLimits } from '../duckdb/duckdb-column-admission.js';
import { ColumnRoutes } from '../duckdb/duckdb-layer-resolver.js';
import { DuckDbRetentionPolicy } from '../duckdb/duckdb-retention-policy.js';
import { refuseExpiredEvents } from '../expired-event-refusal.js';
import type {
  AdmissionUnit,
  ColumnAdmission,
  ColumnInfo,
  DatasetInfo,
  DatasetSelector,
  SpanStore,
  SqlRows,
  StoreCapabilities,
  StoredEvent,
  StoreHealth,
  StoreLifecycleStats,
  TimeWindow,
  TraceListOptions,
  TraceReadOptions,
  TraceSummary,
} from '../span-store.js';
import { datasetInfo, findDatasetInfo, listDatasetInfos } from '../catalog-views.js';
import { ClickHouseCatalogStore } from './clickhouse-catalog-store.js';
import { ClickHouseConnection } from './clickhouse-connection.js';
import { ClickHouseSpanReader } from './clickhouse-span-reader.js';
import { ClickHouseSpanWriter, loadWriterState, readAttributeColumns } from './clickhouse-span-writer.js';
import { ClickHouseStoreLifecycle } from './clickhouse-store-lifecycle.js';
import { runSchemaMigrations } from './clickhouse-schema-migration.js';
import { qualified, type ClickHouseTopology } from './clickhouse-schema-ddl.js';
import { dataDirWriterId, LEGACY_WRITER_ID, WRITER_ID_PATTERN } from './clickhouse-writer-id.js';
import type { ClickHouseLocation } from './clickhouse-url.js';

export interface ClickHouseStoreOptions {
  location: ClickHouseLocation;
  /** The cluster (remote_servers) to create tables on; null: one server (or chdb). */
  cluster: string | null;
  /**
   * Names this process's WAL in ClickHouse (state row, insert tokens); unique per Waggle process
   * writing to one ClickHouse. Omitted: the id kept in the data directory (clickhouse-writer-id.ts).
   */
  writerId?: string;
  /** Events per insert; whenever this many are queued they are committed at once. */
  batchEvents: number;
  /** The data directory: requests whose commit fails because of their content are set aside in its quarantine/; null: never set aside. */
  dataDir?: string | null;
  columnLimits?: ColumnAdmissionLimits;
  log?: (message: string) => void;
  queryAdmissionObserver?: QueryAdmissionObserver;
  retentionNs?: bigint | null;
  /** WAGGLE_MAX_DISK_BYTES: the span table's bytes beyond which the oldest day partitions are dropped; null: no budget. */
  maxDiskBytes?: number | null;
  clock?: () => bigint;
  /** Between lifecycle passes (retention partition drops, disk figures); 0 runs none. */
  lifecycleIntervalMs?: number;
  /** Between catalog refreshes (what other writers added); 0 runs none. Default: every second on a server, none on chdb. */
  catalogRefreshIntervalMs?: number;
}

export const DEFAULT_CLICKHOUSE_STORE_OPTIONS = {
  cluster: null,
  // 100k-row inserts cost ClickHouse about half the CPU per row of 10k-row ones (shared notes); below the ingest back-pressure bound.
  batchEvents: 65_536,
} as const;

const DEFAULT_LIFECYCLE_INTERVAL_MS = 60_000;
/**
 * How often the catalog learns the columns and datasets other Waggle processes writing to this
 * ClickHouse added (their spans are readable at once; a new key is queryable by name after this).
 */
const DEFAULT_CATALOG_REFRESH_INTERVAL_MS = 1_000;

/**
 * The ClickHouse store: the same catalog and admission rules as the DuckDB store, one span table
 * with a typed column per attribute key, exactly-once inserts by WAL range token (see
 * ClickHouseSpanWriter), queries compiled for the ClickHouse dialect.
 */
export class ClickHouseSpanStore implements SpanStore {
  readonly capabilities: StoreCapabilities = { dialect: 'clickhouse', transactionalWalPosition: false };

  private closed = false;
  private readonly admission: DuckDbColumnAdmission;
  private readonly reader: ClickHouseSpanReader;
  private readonly lifecycle: ClickHouseStoreLifecycle;
  private lifecycleTimer: NodeJS.Timeout | null = null;
  private catalogRefreshTimer: NodeJS.Timeout | null = null;
  /** Column ids already reported as a key two writers met first with different types. */
  private readonly reportedConflicts = new Set<number>();
  private expiredRefused = 0;

  private constructor(
    private readonly connection: ClickHouseConnection,
    private readonly topology: ClickHouseTopology,
    private readonly catalog: DuckDbCatalog,
    private readonly writer: ClickHouseSpanWriter,
    private readonly retention: DuckDbRetentionPolicy,
    routes: ColumnRoutes,
    options: ClickHouseStoreOptions,
  ) {
    this.admission = new DuckDbColumnAdmission(catalog, routes, options.columnLimits ?? DEFAULT_COLUMN_ADMISSION_LIMITS);
    const queryAdmission = new QueryAdmission({ concurrent: QUERY_LIMITS.concurrentQueries.value, queued: QUERY_LIMITS.queuedQueries.value }, options.queryAdmissionObserver ?? null);
    this.reader = new ClickHouseSpanReader(connection, topology, catalog, retention, (physical) => writer.hasColumn(physical), queryAdmission);
    const log = options.log ?? ((message: string) => process.stderr.write(`waggle: ${message}\n`));
    this.lifecycle = new ClickHouseStoreLifecycle(connection, topology, catalog, retention, options.maxDiskBytes ?? null, log);
    const interval = options.lifecycleIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS;
    if (interval > 0) {
      this.lifecycleTimer = setInterval(() => {
        void this.runLifecycle().catch((error: unknown) => log(`storage lifecycle pass failed (retried at the next): ${error instanceof Error ? error.message : String(error)}`));
      }, interval);
      this.lifecycleTimer.unref();
    }
    // chdb runs one engine per process on a directory no other process opens: no other writer to learn from.
    const refresh = options.catalogRefreshIntervalMs ?? (options.location.kind === 'chdb' ? 0 : DEFAULT_CATALOG_REFRESH_INTERVAL_MS);
    if (refresh > 0) {
      this.catalogRefreshTimer = setInterval(() => {
        void this.refreshCatalog(log).catch((error: unknown) => log(`catalog refresh failed (retried at the next): ${error instanceof Error ? error.message : String(error)}`));
      }, refresh);
      this.catalogRefreshTimer.unref();
    }
  }

  static async open(options: ClickHouseStoreOptions): Promise<ClickHouseSpanStore> {
    if (options.writerId !== undefined && !WRITER_ID_PATTERN.test(options.writerId)) throw new Error(`writer id must be letters, digits, _ . -, got '${options.writerId}'`);
    if (options.writerId === undefined && (options.dataDir ?? null) === null) throw new Error('a writer id, or a data directory to keep one in, is needed');
    const connection = await ClickHouseConnection.open(options.location);
    try {
      const topology: ClickHouseTopology = { database: options.location.database, cluster: options.cluster };
      await runSchemaMigrations(connection, topology);
      const writerId =
        options.writerId ??
        (await dataDirWriterId(options.dataDir!, async () => {
          const legacy = await connection.query(`SELECT count() FROM ${qualified(topology, 'waggle_state')} WHERE writer = {writer:String}`, { writer: LEGACY_WRITER_ID });
          return Number(legacy.rows[0]?.[0] ?? 0) > 0;
        }));
      const catalogStore = new ClickHouseCatalogStore(connection, topology);
      const catalog = await catalogStore.load();
      const routes = new ColumnRoutes(catalog);
      const clock = options.clock ?? nowNs;
      const retention = new DuckDbRetentionPolicy(options.retentionNs ?? null, clock);
      for (const [dataset, ns] of await readRetentionOverrides(connection, topology)) retention.setOverride(dataset, ns);
      const tableColumns = await readAttributeColumns(connection, topology);
      const sampled = await connection.query(`SELECT max(sample_rate) FROM ${topology.database}.waggle_spans`);
      const state = await loadWriterState(connection, topology, writerId);
      const writer = new ClickHouseSpanWriter(connection, topology, catalog, catalogStore, routes, { batchEvents: options.batchEvents, writerId, dataDir: options.dataDir ?? null, log: options.log ?? ((message: string) => process.stderr.write(`waggle: ${message}\n`)) }, state, tableColumns, Number(sampled.rows[0]?.[0] ?? 1));
      return new ClickHouseSpanStore(connection, topology, catalog, writer, retention, routes, options);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /**
   * Learns what other Waggle processes writing to this ClickHouse stored: new columns and datasets
   * (through the writer, between commits), and datasets' retention overrides.
   */
  async refreshCatalog(log: (message: string) => void = () => undefined): Promise<void> {
    const merged = await this.writer.onWriter(() => this.writer.refreshCatalog());
    for (const conflict of merged.conflicts) {
      if (this.reportedConflicts.has(conflict.id)) continue;
      this.reportedConflicts.add(conflict.id);
      log(`attribute ${conflict.keyName} was first stored with another type by another writer (column c${conflict.id}); queries of ${conflict.keyName} read this writer's column c${conflict.knownId}`);
    }
    // A later row wins, null included (an override taken back through another process's API).
    for (const [dataset, ns] of await readRetentionOverrides(this.connection, this.topology)) this.retention.setOverride(dataset, ns);
  }

  /** One lifecycle pass: drops partitions every dataset's retention has passed, refreshes the disk figures. */
  runLifecycle(): Promise<void> {
    return this.writer.onWriter(() => this.lifecycle.runOnce());
  }

  enqueue(events: readonly EventRecord[], walPosition: bigint, receivedAtNs?: bigint | null): void {
    if (this.closed) throw new UnavailableError('the store is closed');
    this.writer.enqueue(events, walPosition, receivedAtNs);
  }

  admit(events: readonly EventRecord[], unit: AdmissionUnit, receivedAtNs?: bigint): ColumnAdmission {
    if (this.closed) throw new UnavailableError('the store is closed');
    const view = { findDataset: (name: string) => this.catalog.findDataset(name), cutoffNs: (key: string, now: bigint) => this.retention.cutoffNs(key, now), retentionOf: (key: string) => this.retention.retentionOf(key) };
    const expired = refuseExpiredEvents(events, unit, receivedAtNs ?? this.retention.now(), view);
    if (expired === null) return this.admission.admit(events, unit, nowNs());
    this.expiredRefused += expired.count;
    const kept = events.filter((_, i) => expired.refused[i] === 0);
    const columns = this.admission.admit(kept, unit, nowNs());
    const refused = expired.refused;
    if (columns.refused !== null) {
      let k = 0;
      for (let i = 0; i < events.length; i++) if (refused[i] === 0) refused[i] = columns.refused[k++] ?? 0;
    }
    return { ...columns, refused, expiredReason: expired.reason };
  }

  health(): StoreHealth {
    return this.writer.health();
  }

  pendingEvents(): number {
    return this.writer.pendingEvents();
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  committedWalPosition(): Promise<bigint> {
    return this.writer.committedWalPosition();
  }

  getTrace(traceId: bigint, options: TraceReadOptions = {}): Promise<StoredEvent[]> {
    return this.reader.getTrace(traceId, options.maxSpans ?? QUERY_LIMITS.traceSpans.value);
  }

  listTraces(options: TraceListOptions): Promise<TraceSummary[]> {
    return this.reader.listTraces(options);
  }

  async listDatasets(): Promise<DatasetInfo[]> {
    return listDatasetInfos(this.catalog);
  }

  findDataset(nameOrSlug: string): { selector: DatasetSelector & { kind: 'one' }; info: DatasetInfo } | undefined {
    return findDatasetInfo(this.catalog, nameOrSlug);
  }

  async createDataset(name: string): Promise<{ info: DatasetInfo; created: boolean }> {
    if (this.closed) throw new UnavailableError('the store is closed');
    const full = this.admission.newDatasetProblem(name);
    if (full !== null) throw new BadRequestError(full);
    const { key, created } = this.catalog.createDataset(name, nowNs());
    // Persisted between commits, with whatever else the catalog holds unsaved.
    if (created) await this.writer.onWriter(() => this.writer.persistCatalog());
    return { info: datasetInfo(this.catalog, key)!, created };
  }

  listColumns(selector: DatasetSelector): Promise<ColumnInfo[]> {
    return this.reader.listColumns(selector);
  }

  querySchema(selector: DatasetSelector): Promise<QuerySchema> {
    return this.reader.querySchema(selector);
  }

  relation(selector: DatasetSelector, physicalColumns: readonly string[], window: TimeWindow): string {
    return this.reader.relation(selector, physicalColumns, window);
  }

  runSql(sql: string, params: readonly QueryParameter[], options: { timeoutMs: number }): Promise<SqlRows> {
    return this.reader.runSql(sql, params, options);
  }

  hasSampledEvents(_window: TimeWindow): boolean {
    // Not tracked per time range here: weighting when nothing is sampled gives the same results.
    return this.reader.hasSampledEvents(this.writer.maxSampleRate);
  }

  topValues(selector: DatasetSelector, column: string, limit: number): Promise<Array<{ value: string | number | boolean; count: number }>> {
    return this.reader.topValues(selector, column, limit);
  }

  lifecycleStats(): StoreLifecycleStats {
    return { ...this.lifecycle.stats(), expiredEventsRefused: this.expiredRefused };
  }

  datasetRetention(datasetKey: string): { retentionNs: bigint | null; overrideNs: bigint | null } {
    return { retentionNs: this.retention.retentionOf(datasetKey), overrideNs: this.retention.override(datasetKey) ?? null };
  }

  async setDatasetRetention(datasetKey: string, retentionNs: bigint | null): Promise<void> {
    await this.writer.onWriter(async () => {
      await this.writer.persistCatalog();
      await this.connection.insertJsonRows(`${this.topology.database}.waggle_dataset_retention`, [{ dataset: datasetKey, retention_ns: retentionNs, version: nowNs() }]);
      this.retention.setOverride(datasetKey, retentionNs);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.lifecycleTimer !== null) clearInterval(this.lifecycleTimer);
    if (this.catalogRefreshTimer !== null) clearInterval(this.catalogRefreshTimer);
    await this.writer.close();
    this.closed = true;
    await this.connection.close();
  }
}

/** Each dataset's latest retention override (null: the default again). */
async function readRetentionOverrides(connection: ClickHouseConnection, topology: ClickHouseTopology): Promise<Array<[string, bigint | null]>> {
  // In a tuple: argMax skips a NULL argument, which would bring back an override taken back.
  const rows = await connection.query(`SELECT dataset, argMax(tuple(retention_ns), version).1 FROM ${topology.database}.waggle_dataset_retention GROUP BY dataset`);
  const overrides: Array<[string, bigint | null]> = [];
  for (const [dataset, ns] of rows.rows) if (typeof dataset === 'string' && (typeof ns === 'bigint' || ns === null)) overrides.push([dataset, ns]);
  return overrides;
}
