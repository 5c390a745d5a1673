import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { STORE_LIMITS } from '../../core/limits/store-limits.js';
import type { EventRecord } from '../../core/event-record.js';
import { BadRequestError, StoreReopeningError, UnavailableError } from '../../core/errors.js';
import { formatRfc3339Nanos, nowNs } from '../../core/unix-nanos.js';
import { QUERY_LIMITS } from '../../core/limits/query-limits.js';
import { QueryAdmission, type QueryAdmissionObserver } from '../../query/query-admission.js';
import type { QuerySchema } from '../../query/query-schema.js';
import type { QueryParameter } from '../../query/compile/compiled-query.js';
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
  BlockSample,
  TimeWindow,
  TraceListOptions,
  TraceReadOptions,
  TraceSummary,
} from '../span-store.js';
import { datasetInfo, findDatasetInfo, listDatasetInfos } from '../catalog-views.js';
import { sqlStringLiteral } from '../sql-literal.js';
import { DuckDbCatalog } from './duckdb-catalog.js';
import { DEFAULT_COLUMN_ADMISSION_LIMITS, DuckDbColumnAdmission, type ColumnAdmissionLimits } from './duckdb-column-admission.js';
import {
  CORE_PHYSICAL_COLUMNS,
  INGEST_SECONDS_COLUMN,
  INGEST_TIME_COLUMN,
  INTERNAL_DDL,
  LEGACY_TRACE_MERGED_TABLE,
  TRACE_MERGED_TABLE,
  segmentTableName,
} from './duckdb-physical-layout.js';
import { ColumnRoutes } from './duckdb-layer-resolver.js';
import { DuckDbClientParentIndex } from './duckdb-client-parent-index.js';
import { DuckDbSealedResultCache } from './duckdb-sealed-result-cache.js';
import type { ClientParentSource } from '../../query/compile/client-parent-source.js';
import { addSegmentColumn, newSegment, parseSegmentDatasetsJson, segmentDatasetsJson, type SegmentState } from './duckdb-segment.js';
import { DuckDbRetentionPolicy } from './duckdb-retention-policy.js';
import { DUCKDB_BLOCK_ROWS, DuckDbSpanReader } from './duckdb-span-reader.js';
import { DEFAULT_SEGMENT_MAX_AGE_NS, DuckDbSpanWriter, type CommittedState } from './duckdb-span-writer.js';
import { formatRetention } from '../../core/retention-duration.js';
import { SegmentSwapGate } from './duckdb-segment-swap-gate.js';
import { TraceIndexTables } from './duckdb-trace-index-lookup.js';
import { DuckDbStoreLifecycle, dropUnregisteredTables } from './duckdb-store-lifecycle.js';
import { DuckDbStoreRecovery } from './duckdb-store-recovery.js';
import { dropInternalTableKeys } from './duckdb-internal-key-upgrade.js';
import { duckDbErrorKind } from './duckdb-error-kind.js';
import { datasetSlug } from '../../core/dataset-name.js';
import type { TraceLocatorView } from './duckdb-trace-locator.js';

export interface DuckDbStoreOptions {
  dataDir: string;
  /** DuckDB memory_limit, e.g. '512MB' (the server's: duckDbMemoryLimit in src/server/duckdb-memory-limit.ts, by default a share of its memory budget). */
  memoryLimit: string;
  threads: number;
  /** A segment is sealed once it holds this many rows. */
  segmentMaxRows: number;
  /** ...or this many attribute columns. */
  segmentMaxColumns: number;
  /**
   * DuckDB row group size of the database file. Whenever this many events are queued the store
   * commits them at once, in whole row groups: DuckDB then writes them compressed straight into
   * the file instead of through its own WAL and a later checkpoint (about 3x less CPU per row).
   */
  rowGroupSize: number;
  /** Distinct columns admitted per dataset and in all (INGEST_LIMITS unless a test narrows them). */
  columnLimits?: ColumnAdmissionLimits;
  /** Where the store reports what an operator should know (set-aside requests); stderr when absent. */
  log?: (message: string) => void;
  /** Told when reads queue for, or are refused, a query slot (metrics). */
  queryAdmissionObserver?: QueryAdmissionObserver;
  /** How long events are kept unless a dataset overrides it; null keeps them forever. */
  retentionNs?: bigint | null;
  /** Most bytes the database may use; beyond it the oldest segments are deleted. null: no budget. */
  maxDiskBytes?: number | null;
  /** The time retention is measured against (nanoseconds); the system clock when absent. Tests move it. */
  clock?: () => bigint;
  /** Between background lifecycle passes (retention, disk budget, compaction); 0 runs none (tests call runLifecycle). */
  lifecycleIntervalMs?: number;
  /** A segment open this long (by the clock) is sealed at its next commit, so time segments stay droppable. */
  segmentMaxAgeNs?: bigint;
  /** How long a retired segment's table outlives it. */
  retiredTableGraceMs?: number;
  /** Rows one pass of network.*'s client-parent index build joins (STORE_LIMITS.clientParentBuildRowsPerPass; tests use small ones). */
  clientParentRowsPerPass?: number;
  /** The open segment is sealed after this long without a commit (then compacted). */
  idleSealMs?: number;
  /** Connections a sealed segment's trace read is split over (DEFAULT_TRACE_READ_PARTS; 1 reads it whole). */
  traceReadParts?: number;
  /** Most trace-index rows held in memory for lookups (STORE_LIMITS.traceLocatorRows; 0: none, lookups read the index tables). */
  traceLocatorMaxRows?: number;
  /**
   * DuckDB settings applied once, when the store first opens, before the configuration is
   * locked; never when it reopens. For tests only: a checkpoint fault
   * (`debug_checkpoint_abort`) that makes DuckDB invalidate the database, to prove the reopen.
   */
  faultInjectionSettings?: Readonly<Record<string, string>>;
  /** Asked before each background compaction (the process's memory budget); absent: always. */
  compactionMayStart?: () => boolean;
}

export const DEFAULT_DUCKDB_STORE_OPTIONS: Omit<DuckDbStoreOptions, 'dataDir'> = {
  memoryLimit: '512MB',
  threads: 2,
  segmentMaxRows: 1_000_000,
  segmentMaxColumns: 400,
  rowGroupSize: 32_768,
};

/** Name of the data file as attached: every connection USEs it, so SQL names stay unqualified. */
const DATABASE_ALIAS = 'waggle';


/**
 * DuckDB's allocator gives memory back to the system sooner than by default (flush after a task
 * whose peak passed 128 MB, after bulk frees over 512 MB, no background thread). Measured with
 * bench/hardening/peak-rss-mix (issue 9: peak RSS ≤ 1 GiB; load 11-19, same build, alternating
 * runs): the defaults peaked at 1216 and 1360 MB, these at 1146 and 1172 MB (1011-1299 MB over all
 * eight runs: the mix's peak varies by ±150 MB with the machine's load); 8/16 MB gave nothing more
 * (1238, 1281 MB). Ingest of ordinary traffic was no slower (18 700 against 16 600, 30 700 against
 * 31 000 spans/s in two paired runs).
 */
const DUCKDB_ALLOCATOR = {
  flushThreshold: '16MB',
  bulkDeallocationFlushThreshold: '32MB',
  backgroundThreads: 'true',
} as const;

/**
 * Row groups DuckDB buffers before writing them to the file (its default: 5). A commit writes one
 * row group anyway (MAX_ROW_GROUPS_PER_COMMIT); what this changes is compaction's insert, which
 * with five wrote the columns of five row groups at once, so each 256 KiB block held parts of ~4
 * row groups and a trace lookup reading one row group from disk read ~25 blocks. With one (and
 * the insert on one thread: see compactOneGroup) a row group takes ~9 blocks, for ~1.3 more bytes a
 * span (a row group's columns start a block of their own more often): 10M lookups 9.9 -> 7.9 ms
 * server p50, 641 -> 501-512 MiB peak RSS while looking up (BENCHMARKS.md run AI).
 */
const DUCKDB_WRITE_BUFFER_ROW_GROUPS = '1';

/**
 * The storage format the data file is written in. Unless told, DuckDB writes the format every
 * version since 0.10 reads (tagged v1.0.0+); v1.2.0 adds roaring-bitmap compression of validity
 * masks, which a column only some spans carry (an attribute of one kind of span, parent_id,
 * status_message) kept as an uncompressed bitmap in every row group. A file opened with it is marked v1.2.0+ from then on
 * (DuckDB raises an existing file's format in place: tables written before keep theirs until
 * compaction rewrites them); no DuckDB older than 1.2 can open it, and Waggle ships 1.5. The
 * v1.3.0+ formats store strings as DICT_FSST, which took the bench's 1M segment from 256 to 276
 * blocks: BENCHMARKS.md run BE.
 */
const DUCKDB_STORAGE_VERSION = 'v1.2.0';

/** Lifecycle defaults: a pass every 15 s keeps deletion within a minute of expiry. */
const DEFAULT_LIFECYCLE_INTERVAL_MS = 15_000;
const DEFAULT_RETIRED_TABLE_GRACE_MS = 10_000;
const DEFAULT_IDLE_SEAL_MS = 30_000;
/** Refused: 1 = too many columns (column admission), 2 = older than the dataset's retention. */
const REFUSED_EXPIRED = 2;

const CORE_PHYSICAL_NAMES: ReadonlySet<string> = new Set(CORE_PHYSICAL_COLUMNS.map((c) => c.physical));

/**
 * The embedded store: DuckDB in one file inside the data directory. One writer connection commits
 * queued events in batches (with the WAL position in the same transaction); reads use their own
 * connections and see committed data only.
 */
export class DuckDbSpanStore implements SpanStore {
  readonly capabilities: StoreCapabilities = { dialect: 'duckdb', transactionalWalPosition: true, rowsPerBlock: DUCKDB_BLOCK_ROWS };

  private closed = false;
  /** Set as close() begins: no reopening and no client-parent index build from then on. */
  private closing = false;
  private readonly writePath: DuckDbSpanWriter;
  private readonly recovery: DuckDbStoreRecovery;
  /** Null between closing an invalidated database and opening it again. */
  private instance: DuckDBInstance | null;
  private readonly reader: DuckDbSpanReader;
  private readonly admission: DuckDbColumnAdmission;
  private readonly log: (message: string) => void;
  private readonly retention: DuckDbRetentionPolicy;
  private readonly lifecycle: DuckDbStoreLifecycle;
  private lifecycleTimer: NodeJS.Timeout | null = null;
  private lifecycleRun: Promise<void> = Promise.resolve();
  /** network.*'s client parents over the sealed segments, rebuilt after lifecycle passes. */
  private readonly clientParents: DuckDbClientParentIndex;
  /** Query results that read only sealed segments (they cannot change), for repeated queries. */
  private readonly sealedResults: DuckDbSealedResultCache;
  /** Events refused at admission because they were older than their dataset's retention. */
  private expiredRefused = 0;
  /** The longest the lifecycle held the writer connection (commits wait behind it), in ms. */
  private longestLifecycleWriterTurnMs = 0;
  /** The same, over the latest lifecycle pass only. */
  private lastPassLongestWriterTurnMs = 0;

  private constructor(
    instance: DuckDBInstance,
    writer: DuckDBConnection,
    private readonly catalog: DuckDbCatalog,
    private readonly segments: SegmentState[],
    private readonly options: DuckDbStoreOptions,
    committed: CommittedState,
    retention: DuckDbRetentionPolicy,
    nextSegmentId: number,
    private readonly traceIndexTables: TraceIndexTables,
  ) {
    this.instance = instance;
    const routes = new ColumnRoutes(catalog);
    this.admission = new DuckDbColumnAdmission(catalog, routes, options.columnLimits ?? DEFAULT_COLUMN_ADMISSION_LIMITS);
    this.log = options.log ?? ((message) => process.stderr.write(`waggle: ${message}\n`));
    this.retention = retention;
    const queryAdmission = new QueryAdmission({ concurrent: QUERY_LIMITS.concurrentQueries.value, queued: QUERY_LIMITS.queuedQueries.value }, options.queryAdmissionObserver ?? null);
    const segmentSwaps = new SegmentSwapGate();
    this.writePath = new DuckDbSpanWriter(
      writer,
      catalog,
      segments,
      options,
      committed,
      retention,
      nextSegmentId,
      routes,
      (message) => this.log(message),
      (run) => queryAdmission.withoutReads(run),
      (error) => {
        void this.recovery.check(error);
      },
      (error) => this.recovery.afterFailedCommit(error),
      segmentSwaps,
      this.traceIndexTables.locator,
    );
    this.recovery = new DuckDbStoreRecovery({
      probe: () => this.probe(),
      holdWriter: () => this.writePath.hold(),
      lifecycleIdle: () => this.lifecycleRun,
      withoutReads: (run) => queryAdmission.withoutReads(run),
      closeDatabase: () => this.closeDatabase(),
      openDatabase: () => this.openDatabaseAgain(),
      log: (message) => this.log(message),
    });
    this.reader = new DuckDbSpanReader(() => this.connect(), catalog, segments, retention, () => this.closed, queryAdmission, segmentSwaps, this.traceIndexTables, options.traceReadParts);
    this.sealedResults = new DuckDbSealedResultCache(segments);
    this.clientParents = new DuckDbClientParentIndex(
      segments,
      retention,
      (selector) => this.reader.datasetNames(selector),
      options.retiredTableGraceMs ?? DEFAULT_RETIRED_TABLE_GRACE_MS,
      options.clientParentRowsPerPass,
    );
    const store = this;
    this.lifecycle = new DuckDbStoreLifecycle(
      {
        segments,
        catalog,
        retention,
        // Timed: the longest turn the lifecycle takes is the longest a commit waits for it.
        onWriter: (work) =>
          store.onWriter(async (writer: DuckDBConnection) => {
            // Queued behind a reopen that waits for this very pass: refused instead.
            if (store.recovery.reopening) throw store.reopeningError();
            const started = performance.now();
            try {
              return await work(writer);
            } finally {
              const turn = performance.now() - started;
              store.longestLifecycleWriterTurnMs = Math.max(store.longestLifecycleWriterTurnMs, turn);
              store.lastPassLongestWriterTurnMs = Math.max(store.lastPassLongestWriterTurnMs, turn);
            }
          }),
        connect: () => store.connect(),
        allocateSegmentId: () => store.writePath.allocateSegmentId(),
        segmentSwaps,
        traceIndexTables: this.traceIndexTables,
        log: (message) => store.log(message),
      },
      {
        maxDiskBytes: options.maxDiskBytes ?? null,
        segmentMaxRows: options.segmentMaxRows,
        segmentMaxColumns: options.segmentMaxColumns,
        rowGroupSize: options.rowGroupSize,
        retiredTableGraceMs: options.retiredTableGraceMs ?? DEFAULT_RETIRED_TABLE_GRACE_MS,
        idleSealMs: options.idleSealMs ?? DEFAULT_IDLE_SEAL_MS,
        maxGroupSpanNs: 2n * (options.segmentMaxAgeNs ?? DEFAULT_SEGMENT_MAX_AGE_NS),
        ...(options.compactionMayStart === undefined ? {} : { compactionMayStart: options.compactionMayStart }),
      },
    );
    const interval = options.lifecycleIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS;
    if (interval > 0) {
      this.lifecycleTimer = setInterval(() => {
        void this.runLifecycle().catch((error: unknown) => {
          if (this.recovery.reopening) return;
          this.log(`storage lifecycle pass failed (retried at the next): ${error instanceof Error ? error.message : String(error)}`);
          void this.recovery.check(error);
        });
      }, interval);
      this.lifecycleTimer.unref();
    }
  }

  /** Runs `work` on the writer connection between commits. */
  private onWriter<T>(work: (writer: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError('the store is closed'));
    if (this.recovery.reopening) return Promise.reject(this.reopeningError());
    return this.writePath.onWriter(work);
  }

  private reopeningError(cause?: unknown): StoreReopeningError {
    return new StoreReopeningError('the store is reopening its database after a fatal error invalidated it; retry shortly', cause === undefined ? undefined : { cause });
  }

  /**
   * Every read passes here: refused while the database is reopened, and a read that fails on an
   * invalidated database starts the reopen and is answered like one refused (503, retryable).
   */
  private async read<T>(run: () => Promise<T>): Promise<T> {
    if (this.recovery.reopening) throw this.reopeningError();
    try {
      return await run();
    } catch (error) {
      if (this.recovery.reopening) throw this.reopeningError(error);
      // Only DuckDB's fatal and I/O errors can mean an invalidated database: others cost no probe.
      const kind = duckDbErrorKind(error);
      if ((kind === 'fatal' || kind === 'io') && (await this.recovery.check(error))) throw this.reopeningError(error);
      throw error;
    }
  }

  /** A minimal read on a connection of its own: does the database still serve? */
  private async probe(): Promise<void> {
    const instance = this.instance;
    if (instance === null) throw new UnavailableError('the database is closed');
    const connection = await instance.connect();
    try {
      await connection.run(`USE ${DATABASE_ALIAS}`);
      await connection.runAndReadAll('SELECT wal_position FROM waggle_state WHERE id = 1');
    } finally {
      closeQuietly(connection);
    }
  }

  /** Closes every connection and the instance of an invalidated database (no read runs, the writer is held). */
  private closeDatabase(): void {
    this.reader.closeIdleConnections();
    this.writePath.closeConnection();
    const instance = this.instance;
    this.instance = null;
    try {
      instance?.closeSync();
    } catch {
      // An invalidated instance may refuse to close cleanly; it is dropped either way.
    }
  }

  /**
   * Opens the database file again as at start (schema, segments, committed position, retention
   * overrides, locked configuration), then, with no await in between, puts the store's state in
   * line with it: the segment registry, the catalog entries it already holds, and the writer's
   * queue from the WAL position it says is committed.
   */
  private async openDatabaseAgain(): Promise<void> {
    const { instance, writer } = await attachDatabaseFile(this.options);
    let state: DatabaseState;
    let savedColumnIds: Set<number>;
    try {
      // Tables of a compaction the invalidation interrupted (the lifecycle pass has ended).
      await dropUnregisteredTables(writer);
      state = await loadDatabaseState(writer, this.catalog, (this.options.clock ?? nowNs)());
      savedColumnIds = new Set((await writer.runAndReadAll('SELECT id FROM waggle_columns')).getRows().map(([id]) => Number(id)));
      // What the reopened database holds of the trace-index runs (a merge may not have committed).
      await this.traceIndexTables.countFrom(writer);
      await lockDown(writer);
    } catch (error) {
      closeQuietly(writer);
      try {
        instance.closeSync();
      } catch {
        // Dropped either way.
      }
      throw error;
    }
    this.instance = instance;
    const openedAt = new Map(this.segments.map((segment) => [segment.id, segment.openedNs]));
    for (const segment of state.segments) segment.openedNs = openedAt.get(segment.id) ?? segment.openedNs;
    this.segments.splice(0, this.segments.length, ...state.segments);
    // Kept answers and network.*'s index were built over the segments as they were before.
    this.sealedResults.clear();
    this.clientParents.forget();
    this.catalog.forgetSavedColumns(savedColumnIds);
    for (const [dataset, ns] of state.retentionOverrides) this.retention.setOverride(dataset, ns);
    this.writePath.resume(writer, state.committed, state.nextSegmentId);
  }

  /**
   * One lifecycle pass (retention, disk budget, dropping retired tables, one compaction), never two
   * at once. The background timer calls it; tests call it after moving the clock.
   */
  runLifecycle(): Promise<void> {
    const run = this.lifecycleRun.then(async () => {
      if (this.closed) return undefined;
      this.lastPassLongestWriterTurnMs = 0;
      await this.lifecycle.runOnce(this.writePath.lastCommitMs);
      // After compaction settled: a build over segments about to be replaced would be wasted.
      if (!this.closing && this.lifecycle.lifecycleStats().compactionPending !== true) await this.clientParents.refreshIfDue(() => this.connect());
      return undefined;
    });
    this.lifecycleRun = run.catch(() => undefined);
    return run;
  }

  /** Compacts every group there is to compact, then merges the trace-index runs if due (tests and benchmarks). */
  async compactAll(): Promise<number> {
    let count = 0;
    for (;;) {
      const run = this.lifecycleRun.then(() => this.lifecycle.compactOneGroup());
      this.lifecycleRun = run.then(() => undefined, () => undefined);
      if (!(await run)) break;
      count += 1;
    }
    const merge = this.lifecycleRun.then(() => this.lifecycle.mergeTraceRunsIfDue());
    this.lifecycleRun = merge.then(() => undefined, () => undefined);
    await merge;
    await this.refreshClientParentIndex();
    return count;
  }

  /** Builds network.*'s client-parent index over the sealed segments now if it covers a different set (tests and benchmarks). */
  async refreshClientParentIndex(): Promise<boolean> {
    // Not once closing: a build then would hold a transaction open under close's checkpoint.
    const run = this.lifecycleRun.then(() => (this.closing ? false : this.clientParents.refreshIfDue(() => this.connect(), true)));
    this.lifecycleRun = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Seals the open segment (tests and benchmarks: makes everything written so far compactable). */
  async sealOpenSegment(): Promise<void> {
    await this.onWriter(async (writer) => {
      const open = this.segments.find((s) => !s.sealed);
      if (!open || open.rowCount === 0) return;
      await writer.run('UPDATE waggle_segments SET sealed = true WHERE id = $1', [open.id]);
      open.sealed = true;
    });
  }

  /** The trace index in memory, read-only (diagnostics and tests): whether lookups use it, its rows, a lookup. */
  get traceLocator(): TraceLocatorView {
    return this.traceIndexTables.locator;
  }

  lifecycleStats(): StoreLifecycleStats {
    const stats = this.lifecycle.lifecycleStats();
    // The client-parent index is compaction's follow-up: until it covers every sealed segment, work is pending.
    return { ...stats, compactionPending: stats.compactionPending === true || this.clientParents.due(), expiredEventsRefused: this.expiredRefused, longestWriterTurnMs: Math.round(this.longestLifecycleWriterTurnMs * 10) / 10,
      lastPassLongestWriterTurnMs: Math.round(this.lastPassLongestWriterTurnMs * 10) / 10,
    };
  }

  datasetRetention(datasetKey: string): { retentionNs: bigint | null; overrideNs: bigint | null } {
    return { retentionNs: this.retention.retentionOf(datasetKey), overrideNs: this.retention.override(datasetKey) ?? null };
  }

  async setDatasetRetention(datasetKey: string, retentionNs: bigint | null): Promise<void> {
    await this.onWriter(async (writer) => {
      // The dataset row first: a dataset created through the API may not be committed yet.
      const entry = this.catalog.dataset(datasetKey);
      if (entry) {
        await writer.run(INSERT_DATASET_ONCE_SQL, [
          datasetKey,
          entry.createdNs,
          entry.lastWrittenNs,
          entry.name,
        ]);
      }
      if (retentionNs === null) await writer.run('DELETE FROM waggle_dataset_retention WHERE dataset = $1', [datasetKey]);
      else await writer.run('INSERT OR REPLACE INTO waggle_dataset_retention VALUES ($1, $2)', [datasetKey, retentionNs]);
      this.retention.setOverride(datasetKey, retentionNs);
    });
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbSpanStore> {
    const { instance, writer } = await attachDatabaseFile(options);
    const catalog = await DuckDbCatalog.load(writer);
    await dropUnregisteredTables(writer);
    await DuckDbClientParentIndex.dropLeftovers(writer);
    const clock = options.clock ?? nowNs;
    const { segments, committed, retentionOverrides, nextSegmentId } = await loadDatabaseState(writer, catalog, clock());
    const retention = new DuckDbRetentionPolicy(options.retentionNs ?? null, clock);
    for (const [dataset, ns] of retentionOverrides) retention.setOverride(dataset, ns);
    for (const [name, value] of Object.entries(options.faultInjectionSettings ?? {})) {
      if (!/^[a-z_]+$/.test(name)) throw new RangeError(`not a DuckDB setting name: ${name}`);
      await writer.run(`SET ${name} = ${sqlStringLiteral(value)}`);
    }
    const traceIndexTables = new TraceIndexTables(options.traceLocatorMaxRows ?? STORE_LIMITS.traceLocatorRows.value);
    await traceIndexTables.countFrom(writer);
    await lockDown(writer);
    const store = new DuckDbSpanStore(instance, writer, catalog, segments, options, committed, retention, nextSegmentId, traceIndexTables);
    return store;
  }

  private async connect(): Promise<DuckDBConnection> {
    const instance = this.instance;
    if (instance === null || this.recovery.reopening) throw this.reopeningError();
    const connection = await instance.connect();
    await connection.run(`USE ${DATABASE_ALIAS}`);
    return connection;
  }

  enqueue(events: readonly EventRecord[], walPosition: bigint, receivedAtNs?: bigint | null): void {
    if (this.closed) throw new UnavailableError('the store is closed');
    this.writePath.enqueue(events, walPosition, receivedAtNs);
  }

  pendingEvents(): number {
    return this.writePath.pendingEvents();
  }

  admit(events: readonly EventRecord[], unit: AdmissionUnit, receivedAtNs?: bigint): ColumnAdmission {
    if (this.closed) throw new UnavailableError('the store is closed');
    const expired = this.refuseExpired(events, unit, receivedAtNs ?? this.retention.now());
    if (expired === null) return this.admission.admit(events, unit, nowNs());
    // Column admission judges only what retention lets through, so expired events add no columns.
    const kept = events.filter((_, i) => expired.refused[i] === 0);
    const columns = this.admission.admit(kept, unit, nowNs());
    const refused = expired.refused;
    if (columns.refused !== null) {
      let k = 0;
      for (let i = 0; i < events.length; i++) if (refused[i] === 0) refused[i] = columns.refused[k++] ?? 0;
    }
    return { ...columns, refused, expiredReason: expired.reason };
  }

  /** Marks events older than their dataset's retention (a span with its span events and links). */
  private refuseExpired(events: readonly EventRecord[], unit: AdmissionUnit, now: bigint): { refused: Uint8Array; reason: string } | null {
    let refused: Uint8Array | null = null;
    let reason = '';
    let lastDataset: string | null = null;
    let cutoff: bigint | null = null;
    for (let start = 0; start < events.length; ) {
      let end = start + 1;
      if (unit === 'span') while (end < events.length && events[end]!.annotationType !== null) end++;
      const event = events[start]!;
      if (event.dataset !== lastDataset) {
        lastDataset = event.dataset;
        const key = this.catalog.findDataset(event.dataset) ?? datasetSlug(event.dataset);
        cutoff = this.retention.cutoffNs(key, now);
      }
      if (cutoff !== null && event.timestampNs < cutoff) {
        refused ??= new Uint8Array(events.length);
        refused.fill(REFUSED_EXPIRED, start, end);
        const units = unit === 'span' ? 1 : end - start;
        this.expiredRefused += units;
        if (reason === '') {
          const retention = this.retention.retentionOf(this.catalog.findDataset(event.dataset) ?? datasetSlug(event.dataset));
          reason = `older than dataset '${event.dataset.slice(0, 100)}' keeps events (retention ${formatRetention(retention ?? 0n)}): timestamp ${formatRfc3339Nanos(event.timestampNs)} is before ${formatRfc3339Nanos(cutoff)}`;
        }
      }
      start = end;
    }
    return refused === null ? null : { refused, reason };
  }

  health(): StoreHealth {
    return { ...this.writePath.health(), reopening: this.recovery.reopeningState(), reopens: this.recovery.reopens() };
  }

  flush(): Promise<void> {
    // Not queued behind a reopen that may take long (stop must not hang on it): the events stay
    // queued and in the WAL, and the first flush after the reopen commits them.
    if (this.recovery.reopening && !this.closing) return Promise.reject(this.reopeningError());
    return this.writePath.flush();
  }

  committedWalPosition(): Promise<bigint> {
    return this.writePath.committedWalPosition();
  }

  getTrace(traceId: bigint, options: TraceReadOptions = {}): Promise<StoredEvent[]> {
    return this.read(() => this.reader.getTrace(traceId, options.maxSpans ?? QUERY_LIMITS.traceSpans.value));
  }

  listTraces(options: TraceListOptions): Promise<TraceSummary[]> {
    return this.read(() => this.reader.listTraces(options));
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
    if (created) {
      // Written by the writer connection between commits (the flush chain runs one thing at a time);
      // a commit that persisted it first makes this a no-op.
      const entry = this.catalog.dataset(key)!;
      await this.onWriter((writer) =>
        writer.run(INSERT_DATASET_ONCE_SQL, [
          key,
          entry.createdNs,
          entry.lastWrittenNs,
          entry.name,
        ]),
      );
    }
    return { info: datasetInfo(this.catalog, key)!, created };
  }

  listColumns(selector: DatasetSelector): Promise<ColumnInfo[]> {
    return this.read(() => this.reader.listColumns(selector));
  }

  querySchema(selector: DatasetSelector): Promise<QuerySchema> {
    return this.read(() => this.reader.querySchema(selector));
  }

  relation(selector: DatasetSelector, physicalColumns: readonly string[], window: TimeWindow, blockSample?: BlockSample): string {
    return this.reader.relation(selector, physicalColumns, window, blockSample);
  }

  async runSql(sql: string, params: readonly QueryParameter[], options: { timeoutMs: number; cacheable?: boolean }): Promise<SqlRows> {
    const key = options.cacheable === true ? this.sealedResults.keyOf(sql, params) : undefined;
    if (key === undefined) return this.read(() => this.reader.runSql(sql, params, options));
    const kept = this.sealedResults.get(key);
    if (kept !== undefined) return kept;
    const rows = await this.read(() => this.reader.runSql(sql, params, options));
    this.sealedResults.set(key, rows);
    return rows;
  }

  clientParentSource(selector: DatasetSelector): ClientParentSource | undefined {
    return this.clientParents.source(selector);
  }

  hasSampledEvents(window: TimeWindow): boolean {
    return this.reader.hasSampledEvents(window);
  }

  topValues(selector: DatasetSelector, column: string, limit: number): Promise<Array<{ value: string | number | boolean; count: number }>> {
    return this.read(() => this.reader.topValues(selector, column, limit));
  }

  /**
   * Commits what is queued, checkpoints and closes. Never rejects: a final commit or checkpoint
   * that fails (DuckDB may invalidate the database at that checkpoint) is logged, and nothing
   * acknowledged is lost — what was not committed is still in Waggle's WAL, what was is in
   * DuckDB's own log, and both are replayed at the next start.
   */
  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.clientParents.stop();
    if (this.lifecycleTimer !== null) clearInterval(this.lifecycleTimer);
    // A compaction can take seconds: interrupted, it leaves only unregistered tables, dropped at the next start.
    this.lifecycle.stop();
    await this.recovery.stop();
    await this.lifecycleRun;
    try {
      await this.writePath.close();
    } catch (error) {
      this.log(`closing the store: the last commit or checkpoint failed (${error instanceof Error ? error.message : String(error)}); nothing acknowledged is lost, the next start replays the write-ahead log and DuckDB's own log`);
    }
    this.closed = true;
    this.reader.closeIdleConnections();
    try {
      this.instance?.closeSync();
    } catch {
      // An invalidated instance may refuse to close cleanly; the process lets go of it either way.
    }
    this.instance = null;
  }
}



/** A dataset's row unless it is there already (waggle_datasets has no key: UNKEYED_INTERNAL_TABLES). */
const INSERT_DATASET_ONCE_SQL =
  'INSERT INTO waggle_datasets (name, created_ns, last_written_ns, display_name) SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM waggle_datasets WHERE name = $1)';

/**
 * Creates the instance and attaches the data file with the store's schema: what the store does
 * first at start, and again when it reopens an invalidated database.
 */
async function attachDatabaseFile(options: DuckDbStoreOptions): Promise<{ instance: DuckDBInstance; writer: DuckDBConnection }> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'waggle.duckdb');
  // The file is attached to an in-memory instance because the row group size is an ATTACH
  // option; spill files go next to it, not into the working directory.
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit,
    threads: String(options.threads),
    temp_directory: `${file}.tmp`,
    // At issue 9's hostile mix's peak ~1 GB was outside JavaScript, mostly DuckDB's: see DUCKDB_ALLOCATOR.
    allocator_flush_threshold: DUCKDB_ALLOCATOR.flushThreshold,
    allocator_bulk_deallocation_flush_threshold: DUCKDB_ALLOCATOR.bulkDeallocationFlushThreshold,
    allocator_background_threads: DUCKDB_ALLOCATOR.backgroundThreads,
    write_buffer_row_group_count: DUCKDB_WRITE_BUFFER_ROW_GROUPS,
  });
  let writer: DuckDBConnection | null = null;
  try {
    writer = await instance.connect();
    // DuckDB's default 256 KiB blocks. 64 KiB blocks (BLOCK_SIZE 65536) save 3-4 bytes a span in
    // use but made the engine's runs of the seven queries about a third slower at 10M (a breakdown by
    // user.id 1.5-2.3x) and the file 18 % larger after a stop: BENCHMARKS.md run AZ.
    await writer.run(`ATTACH ${sqlStringLiteral(file)} AS ${DATABASE_ALIAS} (ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)}, STORAGE_VERSION '${DUCKDB_STORAGE_VERSION}')`);
    await writer.run(`USE ${DATABASE_ALIAS}`);
    for (const ddl of INTERNAL_DDL) await writer.run(ddl);
    await dropInternalTableKeys(writer);
    return { instance, writer };
  } catch (error) {
    if (writer !== null) closeQuietly(writer);
    instance.closeSync();
    throw error;
  }
}

/** What the store reads from its database as it opens. */
interface DatabaseState {
  segments: SegmentState[];
  committed: CommittedState;
  retentionOverrides: Array<[string, bigint]>;
  nextSegmentId: number;
}

async function loadDatabaseState(writer: DuckDBConnection, catalog: DuckDbCatalog, openedNs: bigint): Promise<DatabaseState> {
  const segments = await loadSegments(writer, catalog, openedNs);
  const committed = await loadCommittedState(writer);
  const retentionOverrides: Array<[string, bigint]> = [];
  for (const [dataset, ns] of (await writer.runAndReadAll('SELECT dataset, retention_ns FROM waggle_dataset_retention')).getRows()) {
    if (typeof dataset === 'string' && typeof ns === 'bigint') retentionOverrides.push([dataset, ns]);
  }
  // Ids are never reused: the merged trace index may still name retired segments (until its next merge).
  const maxId = await writer.runAndReadAll(`SELECT greatest((SELECT coalesce(max(id), 0) FROM waggle_segments), (SELECT coalesce(max(segment_id), 0) FROM ${LEGACY_TRACE_MERGED_TABLE}), (SELECT coalesce(max(segment_id), 0) FROM ${TRACE_MERGED_TABLE}))`);
  const nextSegmentId = Number(maxId.getRows()[0]?.[0] ?? 0) + 1;
  return { segments, committed, retentionOverrides, nextSegmentId };
}

/** From here on no query can read or write files or URLs, and nobody can switch that back. */
async function lockDown(writer: DuckDBConnection): Promise<void> {
  await writer.run('SET enable_external_access = false');
  await writer.run('SET lock_configuration = true');
}

function closeQuietly(connection: DuckDBConnection): void {
  try {
    connection.closeSync();
  } catch {
    // Already closed, or its database is gone: nothing left to release.
  }
}

async function loadCommittedState(connection: DuckDBConnection): Promise<CommittedState> {
  const result = await connection.runAndReadAll('SELECT wal_position, partial_events, partial_total FROM waggle_state WHERE id = 1');
  const [walPosition, partialEvents, partialTotal] = result.getRows()[0] ?? [];
  return {
    walPosition: typeof walPosition === 'bigint' ? walPosition : 0n,
    partialEvents: Number(partialEvents ?? 0),
    partialTotal: Number(partialTotal ?? 0),
  };
}

async function loadSegments(connection: DuckDBConnection, catalog: DuckDbCatalog, openedNs: bigint): Promise<SegmentState[]> {
  const result = await connection.runAndReadAll(
    'SELECT id, row_count, min_ts_ns, max_ts_ns, sealed, compacted, datasets_json, max_sample_rate FROM waggle_segments ORDER BY id',
  );
  const columnsByTable = await segmentTableColumns(connection);
  const segments: SegmentState[] = [];
  for (const [id, rowCount, minTs, maxTs, sealed, compacted, datasetsJson, maxSampleRate] of result.getRows()) {
    if (typeof id !== 'number') continue;
    const segment = newSegment(id, openedNs);
    segment.compacted = compacted === true;
    segment.rowCount = Number(rowCount ?? 0);
    segment.minTsNs = typeof minTs === 'bigint' ? minTs : null;
    segment.maxTsNs = typeof maxTs === 'bigint' ? maxTs : null;
    segment.sealed = sealed === true;
    const datasets = parseSegmentDatasetsJson(datasetsJson);
    if (datasets !== null && maxSampleRate !== null) {
      for (const dataset of datasets) segment.datasets.add(dataset);
      segment.maxSampleRate = Number(maxSampleRate);
    } else {
      await summarizeSegmentRows(connection, segment);
    }
    segment.hasIngestTime = false;
    for (const name of columnsByTable.get(segmentTableName(id)) ?? []) {
      if (name === INGEST_TIME_COLUMN) segment.hasIngestTime = true;
      // A compacted segment keeps it split (duckdb-physical-layout.ts).
      if (name === INGEST_SECONDS_COLUMN) segment.hasIngestTime = segment.ingestTimeSplit = true;
      if (CORE_PHYSICAL_NAMES.has(name)) continue;
      const column = catalog.columnById(Number(name.slice(1)));
      if (column) addSegmentColumn(segment, column.id, column.type);
    }
    // Rows are appended core columns first: a segment made before the receive-time column cannot
    // take new rows (an ALTER would put the column after its attributes), so it is sealed; it and
    // every older segment read NULL there, and compaction carries the NULLs over.
    if (!segment.hasIngestTime && !segment.sealed) {
      await connection.run('UPDATE waggle_segments SET sealed = true WHERE id = $1', [id]);
      segment.sealed = true;
    }
    segments.push(segment);
  }
  return segments;
}

/**
 * A segment registered before waggle_segments kept its datasets and largest sample rate: read
 * them from its rows once, and record them so the next start does not scan it again.
 */
async function summarizeSegmentRows(connection: DuckDBConnection, segment: SegmentState): Promise<void> {
  const table = segmentTableName(segment.id);
  const datasets = await connection.runAndReadAll(`SELECT DISTINCT dataset FROM ${table}`);
  for (const [dataset] of datasets.getRows()) if (typeof dataset === 'string') segment.datasets.add(dataset);
  const sampled = await connection.runAndReadAll(`SELECT coalesce(max(sample_rate), 1) FROM ${table}`);
  segment.maxSampleRate = Number(sampled.getRows()[0]?.[0] ?? 1);
  await connection.run('UPDATE waggle_segments SET datasets_json = $1, max_sample_rate = $2 WHERE id = $3', [
    segmentDatasetsJson(segment),
    segment.maxSampleRate,
    segment.id,
  ]);
}

/** Every segment table's column names in table order, in one read of DuckDB's catalog. */
async function segmentTableColumns(connection: DuckDBConnection): Promise<Map<string, string[]>> {
  const result = await connection.runAndReadAll(
    `SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema() AND starts_with(table_name, 'seg_') ORDER BY table_name, column_index`,
  );
  const columns = new Map<string, string[]>();
  for (const [table, name] of result.getRows()) {
    if (typeof table !== 'string' || typeof name !== 'string') continue;
    const list = columns.get(table) ?? [];
    list.push(name);
    columns.set(table, list);
  }
  return columns;
}
