import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { EventRecord } from '../../core/event-record.js';
import { UnavailableError } from '../../core/errors.js';
import { formatRfc3339Nanos, nowNs } from '../../core/unix-nanos.js';
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
  TimeWindow,
  TraceSummary,
} from '../span-store.js';
import { sqlStringLiteral } from '../sql-literal.js';
import { writeQuarantineFile } from '../quarantine-file-writer.js';
import { DuckDbCatalog } from './duckdb-catalog.js';
import { DEFAULT_COLUMN_ADMISSION_LIMITS, DuckDbColumnAdmission, type ColumnAdmissionLimits } from './duckdb-column-admission.js';
import {
  ATTRIBUTE_SQL_TYPE,
  CORE_PHYSICAL_COLUMNS,
  INTERNAL_DDL,
  attributePhysicalName,
  segmentTableName,
} from './duckdb-physical-layout.js';
import { ColumnRoutes, LayerResolver } from './duckdb-layer-resolver.js';
import { appendEventRows } from './duckdb-row-appender.js';
import { addSegmentColumn, newSegment, type SegmentState } from './duckdb-segment.js';
import { DuckDbRetentionPolicy } from './duckdb-retention-policy.js';
import { DuckDbSpanReader } from './duckdb-span-reader.js';
import { formatRetention } from '../../core/retention-duration.js';
import { DuckDbStoreLifecycle, dropUnregisteredTables } from './duckdb-store-lifecycle.js';
import { datasetSlug } from '../../core/dataset-name.js';

export interface DuckDbStoreOptions {
  dataDir: string;
  /** DuckDB memory_limit, e.g. '512MB'. */
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
  /** The open segment is sealed after this long without a commit (then compacted). */
  idleSealMs?: number;
}

export const DEFAULT_DUCKDB_STORE_OPTIONS: Omit<DuckDbStoreOptions, 'dataDir'> = {
  memoryLimit: '512MB',
  threads: 2,
  segmentMaxRows: 1_000_000,
  segmentMaxColumns: 400,
  rowGroupSize: 32_768,
};

/** A request's events in the queue; `committed` of them were already committed (a split request). */
interface PendingBatch {
  readonly events: readonly EventRecord[];
  readonly walPosition: bigint;
  committed: number;
}

/** How far the store is committed: every WAL entry up to `walPosition`, plus a prefix of the next one. */
interface CommittedState {
  walPosition: bigint;
  /** Events of entry walPosition + 1 already committed, and how many events that entry has. */
  partialEvents: number;
  partialTotal: number;
}

const MAX_ROW_GROUPS_PER_COMMIT = 4;

/** Folder of the data directory where requests that cannot be committed are set aside. */
const QUARANTINE_DIR = 'quarantine';

/** Events resolved between yields to the event loop. */
const RESOLVE_SLICE_EVENTS = 4096;

/** Name of the data file as attached: every connection USEs it, so SQL names stay unqualified. */
const DATABASE_ALIAS = 'waggle';

/** Lifecycle defaults: a pass every 15 s keeps deletion within a minute of expiry. */
const DEFAULT_LIFECYCLE_INTERVAL_MS = 15_000;
const DEFAULT_SEGMENT_MAX_AGE_NS = 3_600_000_000_000n;
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
  readonly capabilities: StoreCapabilities = { dialect: 'duckdb', transactionalWalPosition: true };

  private pending: PendingBatch[] = [];
  private pendingCount = 0;
  private flushChain: Promise<void> = Promise.resolve();
  /** A row-group commit is queued on flushChain. */
  private alignedCommitQueued = false;
  /** After a failed background commit, wait for an explicit flush before trying again. */
  private alignedCommitsPaused = false;
  private closed = false;
  private readonly reader: DuckDbSpanReader;
  private lastWrittenSavedAt = 0;
  private readonly routes: ColumnRoutes;
  private readonly admission: DuckDbColumnAdmission;
  /** Pending batches the last commit attempt covered (to retry them one by one after a failure). */
  private lastAttemptBatches = 0;
  private lastCommitError: string | null = null;
  private consecutiveCommitFailures = 0;
  private quarantinedRequests = 0;
  private readonly log: (message: string) => void;
  private readonly retention: DuckDbRetentionPolicy;
  private readonly lifecycle: DuckDbStoreLifecycle;
  private lifecycleTimer: NodeJS.Timeout | null = null;
  private lifecycleRun: Promise<void> = Promise.resolve();
  private nextSegmentId: number;
  /** Events refused at admission because they were older than their dataset's retention. */
  private expiredRefused = 0;
  /** The longest the lifecycle held the writer connection (commits wait behind it), in ms. */
  private longestLifecycleWriterTurnMs = 0;
  /** The same, over the latest lifecycle pass only. */
  private lastPassLongestWriterTurnMs = 0;
  /** Wall-clock time of the last commit, to seal an idle open segment. */
  private lastCommitMs = Date.now();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly catalog: DuckDbCatalog,
    private readonly segments: SegmentState[],
    private readonly options: DuckDbStoreOptions,
    private committed: CommittedState,
    retention: DuckDbRetentionPolicy,
    nextSegmentId: number,
  ) {
    this.routes = new ColumnRoutes(catalog);
    this.admission = new DuckDbColumnAdmission(catalog, this.routes, options.columnLimits ?? DEFAULT_COLUMN_ADMISSION_LIMITS);
    this.log = options.log ?? ((message) => process.stderr.write(`waggle: ${message}\n`));
    this.retention = retention;
    this.nextSegmentId = nextSegmentId;
    this.reader = new DuckDbSpanReader(() => this.connect(), catalog, segments, retention, () => this.closed);
    const store = this;
    this.lifecycle = new DuckDbStoreLifecycle(
      {
        segments,
        catalog,
        retention,
        // Timed: the longest turn the lifecycle takes is the longest a commit waits for it.
        onWriter: (work) =>
          store.onWriter(async (writer) => {
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
        allocateSegmentId: () => store.nextSegmentId++,
        log: (message) => store.log(message),
      },
      {
        maxDiskBytes: options.maxDiskBytes ?? null,
        segmentMaxRows: options.segmentMaxRows,
        segmentMaxColumns: options.segmentMaxColumns,
        retiredTableGraceMs: options.retiredTableGraceMs ?? DEFAULT_RETIRED_TABLE_GRACE_MS,
        idleSealMs: options.idleSealMs ?? DEFAULT_IDLE_SEAL_MS,
        maxGroupSpanNs: 2n * (options.segmentMaxAgeNs ?? DEFAULT_SEGMENT_MAX_AGE_NS),
      },
    );
    const interval = options.lifecycleIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS;
    if (interval > 0) {
      this.lifecycleTimer = setInterval(() => {
        void this.runLifecycle().catch((error: unknown) => this.log(`storage lifecycle pass failed (retried at the next): ${error instanceof Error ? error.message : String(error)}`));
      }, interval);
      this.lifecycleTimer.unref();
    }
  }

  /** Runs `work` on the writer connection between commits. */
  private onWriter<T>(work: (writer: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError('the store is closed'));
    const run = this.flushChain.then(() => work(this.writer));
    this.flushChain = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * One lifecycle pass (retention, disk budget, dropping retired tables, one compaction), never two
   * at once. The background timer calls it; tests call it after moving the clock.
   */
  runLifecycle(): Promise<void> {
    const run = this.lifecycleRun.then(() => {
      if (this.closed) return undefined;
      this.lastPassLongestWriterTurnMs = 0;
      return this.lifecycle.runOnce(this.lastCommitMs);
    });
    this.lifecycleRun = run.catch(() => undefined);
    return run;
  }

  /** Compacts every group there is to compact (tests and benchmarks). */
  async compactAll(): Promise<number> {
    let count = 0;
    for (;;) {
      const run = this.lifecycleRun.then(() => this.lifecycle.compactOneGroup());
      this.lifecycleRun = run.then(() => undefined, () => undefined);
      if (!(await run)) return count;
      count += 1;
    }
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

  lifecycleStats(): StoreLifecycleStats {
    const stats = this.lifecycle.lifecycleStats();
    return { ...stats, expiredEventsRefused: this.expiredRefused, longestWriterTurnMs: Math.round(this.longestLifecycleWriterTurnMs * 10) / 10,
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
        await writer.run('INSERT INTO waggle_datasets (name, created_ns, last_written_ns, display_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
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
    fs.mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, 'waggle.duckdb');
    // The file is attached to an in-memory instance because the row group size is an ATTACH
    // option; spill files go next to it, not into the working directory.
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit,
      threads: String(options.threads),
      temp_directory: `${file}.tmp`,
    });
    const writer = await instance.connect();
    await writer.run(`ATTACH ${sqlStringLiteral(file)} AS ${DATABASE_ALIAS} (ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)})`);
    await writer.run(`USE ${DATABASE_ALIAS}`);
    for (const ddl of INTERNAL_DDL) await writer.run(ddl);
    const catalog = await DuckDbCatalog.load(writer);
    await dropUnregisteredTables(writer);
    const clock = options.clock ?? nowNs;
    const segments = await loadSegments(writer, catalog, clock());
    const committed = await loadCommittedState(writer);
    const retention = new DuckDbRetentionPolicy(options.retentionNs ?? null, clock);
    for (const [dataset, ns] of (await writer.runAndReadAll('SELECT dataset, retention_ns FROM waggle_dataset_retention')).getRows()) {
      if (typeof dataset === 'string' && typeof ns === 'bigint') retention.setOverride(dataset, ns);
    }
    const maxId = await writer.runAndReadAll('SELECT coalesce(max(id), 0) FROM waggle_segments');
    const nextSegmentId = Number(maxId.getRows()[0]?.[0] ?? 0) + 1;
    // From here on no query can read or write files or URLs, and nobody can switch that back.
    await writer.run('SET enable_external_access = false');
    await writer.run('SET lock_configuration = true');
    const store = new DuckDbSpanStore(instance, writer, catalog, segments, options, committed, retention, nextSegmentId);
    return store;
  }

  private async connect(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    await connection.run(`USE ${DATABASE_ALIAS}`);
    return connection;
  }

  enqueue(events: readonly EventRecord[], walPosition: bigint): void {
    if (this.closed) throw new UnavailableError('the store is closed');
    // Events carry the dataset name as sent; from here on they carry the dataset's storage key, so
    // `My Dataset`, `my dataset` and `my-dataset` land in one dataset (also for old data dirs,
    // whose keys are lowercased names). Validated names only reach here (ingest checks them).
    const now = nowNs();
    for (const event of events) event.dataset = this.catalog.datasetKeyFor(event.dataset, now);
    // Replay of the request a row-group commit split: its first events are stored already.
    const { partialEvents, partialTotal } = this.committed;
    const committed = walPosition === this.committed.walPosition + 1n && partialEvents > 0 && events.length === partialTotal ? partialEvents : 0;
    if (committed >= events.length) return;
    this.pending.push({ events, walPosition, committed });
    this.pendingCount += events.length - committed;
    if (this.pendingCount >= this.options.rowGroupSize) this.queueAlignedCommit();
  }

  pendingEvents(): number {
    return this.pendingCount;
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
      for (let i = 0; i < events.length; i++) if (refused[i] === 0 && columns.refused[k++] === 1) refused[i] = 1;
    }
    return { refused, reason: columns.reason, expiredReason: expired.reason };
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
    return {
      committing: this.consecutiveCommitFailures === 0,
      lastCommitError: this.lastCommitError,
      consecutiveCommitFailures: this.consecutiveCommitFailures,
      quarantinedRequests: this.quarantinedRequests,
    };
  }

  flush(): Promise<void> {
    this.alignedCommitsPaused = false;
    const run = this.flushChain.then(() => this.commitPending(Infinity));
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  /** Commits whole row groups in the background as soon as there are enough queued events. */
  private queueAlignedCommit(): void {
    if (this.alignedCommitQueued || this.alignedCommitsPaused || this.closed) return;
    this.alignedCommitQueued = true;
    this.flushChain = this.flushChain.then(async () => {
      this.alignedCommitQueued = false;
      // At most a few row groups per transaction: bounded memory and time; the rest follows at once.
      const groups = Math.min(MAX_ROW_GROUPS_PER_COMMIT, Math.floor(this.pendingCount / this.options.rowGroupSize));
      const rows = groups * this.options.rowGroupSize;
      if (rows === 0) return;
      try {
        await this.commitPending(rows);
      } catch {
        // The events stay queued (and in the WAL); the next flush retries and reports.
        this.alignedCommitsPaused = true;
        return;
      }
      if (this.pendingCount >= this.options.rowGroupSize) this.queueAlignedCommit();
    });
  }

  async committedWalPosition(): Promise<bigint> {
    // From memory, not from the writer connection: a commit in progress there would show its
    // uncommitted position, and the WAL must never be trimmed past what is committed.
    return this.committed.walPosition;
  }

  /**
   * Commits the oldest `limit` queued events (all when Infinity), in transactions of bounded
   * width. When a commit fails, the requests it covered are committed one by one: one whose lone
   * commit fails while the store still takes a small write is set aside (quarantined) and the
   * rest goes on; when the small write fails too, the store itself is failing and this throws,
   * leaving everything queued (and in the WAL) for a later retry.
   */
  private async commitPending(limit: number): Promise<void> {
    let done = 0;
    while (this.pendingCount > 0 && done < limit) {
      const before = this.pendingCount;
      try {
        await this.commitOnce(limit - done, Number.POSITIVE_INFINITY);
      } catch (error) {
        this.noteCommitFailure(error);
        await this.commitOneByOne(this.lastAttemptBatches, error);
      }
      this.noteCommitSuccess();
      done += before - this.pendingCount;
    }
  }

  private noteCommitFailure(error: unknown): void {
    this.consecutiveCommitFailures += 1;
    this.lastCommitError = error instanceof Error ? error.message : String(error);
  }

  private noteCommitSuccess(): void {
    this.consecutiveCommitFailures = 0;
    this.lastCommitError = null;
  }

  /** Commits the first `batches` queued requests each on its own, setting aside any that is poison. */
  private async commitOneByOne(batches: number, firstError: unknown): Promise<void> {
    for (let b = 0; b < Math.max(1, batches) && this.pending.length > 0; b++) {
      const head = this.pending[0]!;
      let failure: unknown = null;
      // A request wider than one commit allows takes several (column-bounded) commits.
      while (failure === null && this.pending[0] === head) {
        try {
          await this.commitOnce(Number.POSITIVE_INFINITY, 1);
        } catch (error) {
          failure = error;
        }
      }
      if (failure === null) continue;
      this.noteCommitFailure(failure);
      // Classified by behaviour: the store must still take a small write; then the same lone
      // commit is tried once more (a concurrent query may have held the memory), and only a
      // second failure makes the request poison.
      if (!(await this.writerTakesWrites())) throw failure;
      try {
        while (this.pending[0] === head) await this.commitOnce(Number.POSITIVE_INFINITY, 1);
        continue;
      } catch (error) {
        failure = error;
      }
      if (!(await this.writerTakesWrites())) throw failure ?? firstError;
      await this.quarantineHead(failure);
    }
  }

  /**
   * Whether the writer can still commit a minimal write: rewriting the WAL-position row goes
   * through DuckDB's own log, so a full disk or a broken file fails it, while content that is too
   * wide or too big for memory does not.
   */
  private async writerTakesWrites(): Promise<boolean> {
    try {
      await this.writer.run('BEGIN TRANSACTION');
      await this.writer.run('UPDATE waggle_state SET wal_position = wal_position WHERE id = 1');
      await this.writer.run('COMMIT');
      return true;
    } catch {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      return false;
    }
  }

  /**
   * Sets the oldest queued request aside: its unstored events go to a file under quarantine/
   * (fsynced first), then one transaction records it and moves the WAL position past it, so a
   * restart never replays it. Its columns stay counted for the dataset (the column limits must
   * see on replay what they saw live).
   */
  private async quarantineHead(error: unknown): Promise<void> {
    const head = this.pending[0]!;
    const events = head.events.slice(head.committed);
    const message = error instanceof Error ? error.message : String(error);
    const now = nowNs();
    const file = writeQuarantineFile(path.join(this.options.dataDir, QUARANTINE_DIR), {
      walPosition: head.walPosition,
      events,
      alreadyStored: head.committed,
      error: message,
      quarantinedAtNs: now,
    });
    const record = async (withColumns: boolean): Promise<void> => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        if (withColumns) {
          const columns = new Map<string, Set<number>>();
          for (const event of events) {
            let ids = columns.get(event.dataset);
            if (!ids) columns.set(event.dataset, (ids = new Set()));
            for (const layer of event.attributes) {
              for (let i = 0; i < layer.keys.length; i++) {
                const id = this.routes.find(layer.keys[i]!, layer.kinds[i]!, layer.values[i]!);
                if (id >= 0) ids.add(id);
              }
            }
          }
          for (const [dataset, ids] of columns) this.catalog.touchDataset(dataset, ids, now);
          await this.catalog.persist(this.writer);
        }
        await this.writer.run('INSERT INTO waggle_quarantine VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
          head.walPosition,
          now,
          events.length,
          `${QUARANTINE_DIR}/${file}`,
          message.slice(0, 2000),
        ]);
        await this.writer.run('UPDATE waggle_state SET wal_position = $1, partial_events = 0, partial_total = 0 WHERE id = 1', [head.walPosition]);
        await this.writer.run('COMMIT');
      } catch (failure) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw failure;
      }
    };
    try {
      await record(true);
    } catch {
      // The columns are a courtesy to replay; the set-aside itself must not depend on them.
      await record(false);
    }
    this.catalog.markPersisted();
    this.pending.shift();
    this.pendingCount -= events.length;
    this.committed = { walPosition: head.walPosition, partialEvents: 0, partialTotal: 0 };
    this.quarantinedRequests += 1;
    this.log(
      `set aside WAL entry ${head.walPosition} (${events.length} events) in ${QUARANTINE_DIR}/${file}: its commit failed while the store kept taking other writes (${message})`,
    );
  }

  /**
   * One transaction with the oldest queued events: at most `limit` events, from at most
   * `maxBatches` requests, and no more distinct attribute columns than a segment may hold
   * (its first event always goes, however wide).
   */
  private async commitOnce(limit: number, maxBatches: number): Promise<void> {
    this.lastAttemptBatches = 0;
    if (this.pendingCount === 0) return;
    // Taken from a snapshot: enqueue() keeps pushing to this.pending while the commit awaits DuckDB.
    const candidates: EventRecord[] = [];
    let batchCount = 0;
    for (const batch of this.pending) {
      if (candidates.length >= limit || batchCount >= maxBatches) break;
      const take = Math.min(limit - candidates.length, batch.events.length - batch.committed);
      for (let i = batch.committed; i < batch.committed + take; i++) candidates.push(batch.events[i]!);
      batchCount += 1;
    }
    if (candidates.length === 0) return;
    const now = nowNs();
    const resolver = new LayerResolver(this.routes, now);
    // In slices, yielding between them: a row-group commit must not stall requests for long.
    let taken = 0;
    for (let start = 0; start < candidates.length; start += RESOLVE_SLICE_EVENTS) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(candidates.length, start + RESOLVE_SLICE_EVENTS);
      taken = resolver.resolveRange(candidates, start, end, this.options.segmentMaxColumns);
      if (taken < end) break;
    }
    const events = taken === candidates.length ? candidates : candidates.slice(0, taken);
    const next: CommittedState = { ...this.committed };
    let consumedBatches = 0;
    let splitAt = -1;
    let counted = 0;
    for (const batch of this.pending) {
      if (counted >= events.length) break;
      const available = batch.events.length - batch.committed;
      const take = Math.min(events.length - counted, available);
      counted += take;
      if (take === available) {
        consumedBatches += 1;
        next.walPosition = batch.walPosition;
        next.partialEvents = 0;
        next.partialTotal = 0;
      } else {
        splitAt = batch.committed + take;
        next.partialEvents = splitAt;
        next.partialTotal = batch.events.length;
      }
    }
    this.lastAttemptBatches = consumedBatches + (splitAt >= 0 ? 1 : 0);
    const columnIds = resolver.columnIds();

    const clockNow = this.retention.now();
    let segment = this.openSegment(clockNow);
    // openSegment starts a segment of its own when every one is sealed (or there is none).
    const opensFresh = !this.segments.includes(segment);
    const missing = columnIds.filter((id) => !segment.positions.has(id));
    const wouldBeTooWide = segment.attributeColumns.length + missing.length > this.options.segmentMaxColumns;
    const wouldBeTooLong = segment.rowCount > 0 && segment.rowCount + events.length > this.options.segmentMaxRows;
    // Sealed by age too, so a segment spans a bounded stretch of time and retention can drop it whole.
    const wouldBeTooOld = segment.rowCount > 0 && clockNow - segment.openedNs >= (this.options.segmentMaxAgeNs ?? DEFAULT_SEGMENT_MAX_AGE_NS);
    const startsNewSegment = segment.rowCount > 0 && (wouldBeTooWide || wouldBeTooLong || wouldBeTooOld);
    // Work on a copy so that a failed commit leaves the in-memory state as it was on disk.
    const previous = startsNewSegment ? segment : null;
    // Ids are taken from the counter at once: compaction takes ids meanwhile (a failed commit leaves a gap).
    segment = startsNewSegment ? newSegment(this.nextSegmentId++, clockNow) : cloneSegment(segment);
    const createsTable = startsNewSegment || opensFresh;
    const added = columnIds.filter((id) => !segment.positions.has(id));

    await this.writer.run('BEGIN TRANSACTION');
    try {
      if (previous) await this.writer.run('UPDATE waggle_segments SET sealed = true WHERE id = $1', [previous.id]);
      // Schema changes go as one script and one multi-row insert: a store's first commit adds
      // dozens of columns, and a round trip per statement cost seconds under load.
      const attributeDefs = added.map((id) => `${attributePhysicalName(id)} ${ATTRIBUTE_SQL_TYPE[this.catalog.columnById(id)!.type]}`);
      if (createsTable) {
        const columns = [...CORE_PHYSICAL_COLUMNS.map((c) => `${c.physical} ${c.sqlType}`), ...attributeDefs].join(', ');
        await this.writer.run(`CREATE TABLE ${segmentTableName(segment.id)} (${columns})`);
        await this.writer.run('INSERT INTO waggle_segments (id, row_count, min_ts_ns, max_ts_ns, sealed) VALUES ($1, 0, NULL, NULL, false)', [segment.id]);
      } else if (attributeDefs.length > 0) {
        await this.writer.run(attributeDefs.map((def) => `ALTER TABLE ${segmentTableName(segment.id)} ADD COLUMN ${def};`).join('\n'));
      }
      if (added.length > 0) {
        await this.writer.run(`INSERT INTO waggle_segment_columns VALUES ${added.map((id) => `(${segment.id}, ${id})`).join(', ')}`);
      }
      for (const id of added) addSegmentColumn(segment, id, this.catalog.columnById(id)!.type);
      for (const [dataset, ids] of resolver.columnsByDataset()) this.catalog.touchDataset(dataset, ids, now);
      await this.catalog.persist(this.writer);

      const appender = await this.writer.createAppender(segmentTableName(segment.id));
      const traces = await appendEventRows(appender, segment, events, resolver);
      appender.flushSync();
      appender.closeSync();

      const traceAppender = await this.writer.createAppender('waggle_trace_index');
      for (const [traceId, range] of traces) {
        traceAppender.appendUHugeInt(traceId);
        traceAppender.appendInteger(segment.id);
        traceAppender.appendBigInt(range.minTsNs);
        traceAppender.appendBigInt(range.maxTsNs);
        traceAppender.endRow();
      }
      traceAppender.flushSync();
      traceAppender.closeSync();

      for (const event of events) {
        if (segment.minTsNs === null || event.timestampNs < segment.minTsNs) segment.minTsNs = event.timestampNs;
        const end = event.timestampNs + (event.durationNs ?? 0n);
        if (segment.maxTsNs === null || end > segment.maxTsNs) segment.maxTsNs = end;
      }
      for (const event of events) if (event.sampleRate > segment.maxSampleRate) segment.maxSampleRate = event.sampleRate;
      for (const event of events) segment.datasets.add(event.dataset);
      segment.rowCount += events.length;
      // A segment made wider than the bound by one wide event is closed at once: later row groups
      // must not carry (and allocate for) hundreds of mostly empty columns.
      const sealsNow = segment.attributeColumns.length > this.options.segmentMaxColumns;
      await this.writer.run('UPDATE waggle_segments SET row_count = $1, min_ts_ns = $2, max_ts_ns = $3, sealed = $4 WHERE id = $5', [
        segment.rowCount,
        segment.minTsNs,
        segment.maxTsNs,
        sealsNow,
        segment.id,
      ]);
      await this.writer.run('UPDATE waggle_state SET wal_position = $1, partial_events = $2, partial_total = $3 WHERE id = 1', [
        next.walPosition,
        next.partialEvents,
        next.partialTotal,
      ]);
      await this.writer.run('COMMIT');
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.catalog.markPersisted();
    if (previous) previous.sealed = true;
    if (segment.attributeColumns.length > this.options.segmentMaxColumns) segment.sealed = true;
    if (createsTable) {
      this.segments.push(segment);
      if (segment.id >= this.nextSegmentId) this.nextSegmentId = segment.id + 1;
    } else this.segments[this.segments.findIndex((s) => s.id === segment.id)] = segment;
    this.pending = this.pending.slice(consumedBatches);
    if (splitAt >= 0) this.pending[0]!.committed = splitAt;
    this.pendingCount -= events.length;
    this.committed = next;
    this.lastCommitMs = Date.now();
    if (Date.now() - this.lastWrittenSavedAt > 30_000) {
      this.lastWrittenSavedAt = Date.now();
      // After the commit: a failure here is no failed commit (the data is stored); the next try repeats it.
      await this.catalog.persistLastWritten(this.writer).catch(() => undefined);
    }
  }

  private openSegment(clockNow: bigint): SegmentState {
    return this.segments.find((s) => !s.sealed) ?? newSegment(this.nextSegmentId++, clockNow);
  }

  getTrace(traceId: bigint): Promise<StoredEvent[]> {
    return this.reader.getTrace(traceId);
  }

  listTraces(options: { serviceName?: string; limit: number; window?: TimeWindow }): Promise<TraceSummary[]> {
    return this.reader.listTraces(options);
  }

  async listDatasets(): Promise<DatasetInfo[]> {
    return this.catalog
      .datasetNames()
      .map((key) => this.datasetInfo(key)!)
      .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }

  private datasetInfo(key: string): DatasetInfo | undefined {
    const entry = this.catalog.dataset(key);
    if (!entry) return undefined;
    return {
      name: entry.name,
      slug: entry.slug,
      created_at: formatRfc3339Nanos(entry.createdNs),
      last_written_at: entry.lastWrittenNs === 0n ? null : formatRfc3339Nanos(entry.lastWrittenNs),
      regular_columns_count: entry.columnCount === 0 ? null : entry.columnCount,
    };
  }

  findDataset(nameOrSlug: string): { selector: DatasetSelector & { kind: 'one' }; info: DatasetInfo } | undefined {
    const key = this.catalog.findDataset(nameOrSlug);
    const info = key === undefined ? undefined : this.datasetInfo(key);
    return key === undefined || info === undefined ? undefined : { selector: { kind: 'one', name: key }, info };
  }

  async createDataset(name: string): Promise<{ info: DatasetInfo; created: boolean }> {
    if (this.closed) throw new UnavailableError('the store is closed');
    const { key, created } = this.catalog.createDataset(name, nowNs());
    if (created) {
      // Written by the writer connection between commits (the flush chain runs one thing at a time);
      // a commit that persisted it first makes this a no-op.
      const entry = this.catalog.dataset(key)!;
      const run = this.flushChain.then(() =>
        this.writer.run('INSERT INTO waggle_datasets (name, created_ns, last_written_ns, display_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          key,
          entry.createdNs,
          entry.lastWrittenNs,
          entry.name,
        ]),
      );
      this.flushChain = run.then(() => undefined).catch(() => undefined);
      await run;
    }
    return { info: this.datasetInfo(key)!, created };
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

  hasSampledEvents(window: TimeWindow): boolean {
    return this.reader.hasSampledEvents(window);
  }

  topValues(selector: DatasetSelector, column: string, limit: number): Promise<Array<{ value: string | number | boolean; count: number }>> {
    return this.reader.topValues(selector, column, limit);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.lifecycleTimer !== null) clearInterval(this.lifecycleTimer);
    // A compaction can take seconds: interrupted, it leaves only unregistered tables, dropped at the next start.
    this.lifecycle.stop();
    await this.lifecycleRun;
    await this.flush();
    this.closed = true;
    await this.flushChain;
    await this.catalog.persistLastWritten(this.writer);
    await this.writer.run('CHECKPOINT');
    this.reader.closeIdleConnections();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

function cloneSegment(segment: SegmentState): SegmentState {
  return {
    ...segment,
    attributeColumns: [...segment.attributeColumns],
    positions: new Map(segment.positions),
    types: [...segment.types],
    datasets: new Set(segment.datasets),
  };
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
  const result = await connection.runAndReadAll('SELECT id, row_count, min_ts_ns, max_ts_ns, sealed, compacted FROM waggle_segments ORDER BY id');
  const segments: SegmentState[] = [];
  for (const [id, rowCount, minTs, maxTs, sealed, compacted] of result.getRows()) {
    if (typeof id !== 'number') continue;
    const segment = newSegment(id, openedNs);
    segment.compacted = compacted === true;
    const datasets = await connection.runAndReadAll(`SELECT DISTINCT dataset FROM ${segmentTableName(id)}`);
    for (const [dataset] of datasets.getRows()) if (typeof dataset === 'string') segment.datasets.add(dataset);
    segment.rowCount = Number(rowCount ?? 0);
    segment.minTsNs = typeof minTs === 'bigint' ? minTs : null;
    segment.maxTsNs = typeof maxTs === 'bigint' ? maxTs : null;
    segment.sealed = sealed === true;
    const sampled = await connection.runAndReadAll(`SELECT coalesce(max(sample_rate), 1) FROM ${segmentTableName(id)}`);
    segment.maxSampleRate = Number(sampled.getRows()[0]?.[0] ?? 1);
    const columns = await connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index`,
      [segmentTableName(id)],
    );
    for (const [name] of columns.getRows()) {
      if (typeof name !== 'string' || CORE_PHYSICAL_NAMES.has(name)) continue;
      const column = catalog.columnById(Number(name.slice(1)));
      if (column) addSegmentColumn(segment, column.id, column.type);
    }
    segments.push(segment);
  }
  return segments;
}
