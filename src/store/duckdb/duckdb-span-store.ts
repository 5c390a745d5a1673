import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { EventRecord } from '../../core/event-record.js';
import { QueryTimeoutError, UnavailableError } from '../../core/errors.js';
import { formatTraceId } from '../../core/trace-id.js';
import { formatRfc3339Nanos, nowNs } from '../../core/unix-nanos.js';
import { QUERY_LIMITS } from '../../core/limits/query-limits.js';
import { QueryAdmission } from '../../query/query-admission.js';
import type { ColumnBinding, QuerySchema } from '../../query/query-schema.js';
import type { QueryParameter } from '../../query/compile/compiled-query.js';
import { duckdbParameters } from '../../query/compile/duckdb-parameters.js';
import type {
  AdmissionUnit,
  ColumnAdmission,
  ColumnInfo,
  DatasetInfo,
  DatasetSelector,
  SpanStore,
  SqlRows,
  SqlValue,
  StoreCapabilities,
  StoredEvent,
  StoreHealth,
  TimeWindow,
  TraceSummary,
} from '../span-store.js';
import { sqlStringLiteral } from '../sql-literal.js';
import { writeQuarantineFile } from '../quarantine-file-writer.js';
import { diskIsFull } from '../../ingest/write-readiness.js';
import { DuckDbCatalog } from './duckdb-catalog.js';
import { DEFAULT_COLUMN_ADMISSION_LIMITS, DuckDbColumnAdmission, type ColumnAdmissionLimits } from './duckdb-column-admission.js';
import { formatStoredEvent } from './duckdb-event-formatter.js';
import {
  ATTRIBUTE_SQL_TYPE,
  CORE_BINDINGS,
  CORE_PHYSICAL_COLUMNS,
  CORE_ROLES,
  INTERNAL_DDL,
  attributePhysicalName,
  segmentTableName,
} from './duckdb-physical-layout.js';
import { ColumnRoutes, LayerResolver } from './duckdb-layer-resolver.js';
import { appendEventRows } from './duckdb-row-appender.js';
import { addSegmentColumn, newSegment, segmentOverlaps, type SegmentState } from './duckdb-segment.js';

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
}

export const DEFAULT_DUCKDB_STORE_OPTIONS: Omit<DuckDbStoreOptions, 'dataDir'> = {
  memoryLimit: '512MB',
  threads: 2,
  segmentMaxRows: 4_000_000,
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

/** Query connections kept open between queries. */
const MAX_IDLE_QUERY_CONNECTIONS = 4;
/** A trace lookup reads one trace: anything slower than this is a fault, not a big answer. */
const TRACE_LOOKUP_TIMEOUT_MS = 30_000;

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
  private readonly idleQueryConnections: DuckDBConnection[] = [];
  /** Every read passes here first: heavy queries queue behind each other, not in front of ingest. */
  private readonly queryAdmission = new QueryAdmission({ concurrent: QUERY_LIMITS.concurrentQueries.value, queued: QUERY_LIMITS.queuedQueries.value });
  private lastWrittenSavedAt = 0;
  private readonly routes: ColumnRoutes;
  private readonly columnAdmission: DuckDbColumnAdmission;
  /** Pending batches the last commit attempt covered (to retry them one by one after a failure). */
  private lastAttemptBatches = 0;
  private lastCommitError: string | null = null;
  private consecutiveCommitFailures = 0;
  private quarantinedRequests = 0;
  private readonly log: (message: string) => void;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly catalog: DuckDbCatalog,
    private readonly segments: SegmentState[],
    private readonly options: DuckDbStoreOptions,
    private committed: CommittedState,
  ) {
    this.routes = new ColumnRoutes(catalog);
    this.columnAdmission = new DuckDbColumnAdmission(catalog, this.routes, options.columnLimits ?? DEFAULT_COLUMN_ADMISSION_LIMITS);
    this.log = options.log ?? ((message) => process.stderr.write(`waggle: ${message}\n`));
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
    const segments = await loadSegments(writer, catalog);
    const committed = await loadCommittedState(writer);
    // From here on no query can read or write files or URLs, and nobody can switch that back.
    await writer.run('SET enable_external_access = false');
    await writer.run('SET lock_configuration = true');
    const store = new DuckDbSpanStore(instance, writer, catalog, segments, options, committed);
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

  admit(events: readonly EventRecord[], unit: AdmissionUnit): ColumnAdmission {
    if (this.closed) throw new UnavailableError('the store is closed');
    return this.columnAdmission.admit(events, unit, nowNs());
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
      if (!(await this.storeTakesWrites())) throw failure;
      try {
        while (this.pending[0] === head) await this.commitOnce(Number.POSITIVE_INFINITY, 1);
        continue;
      } catch (error) {
        failure = error;
      }
      if (!(await this.storeTakesWrites())) throw failure ?? firstError;
      await this.quarantineHead(failure);
    }
  }

  /**
   * Whether a failed commit may be the request's fault: the writer takes a minimal write and the
   * disk is not (nearly) full. A full disk fails a big commit while a small write still fits; it
   * is the store failing, not the request (set aside, it would be missing from the store).
   */
  private async storeTakesWrites(): Promise<boolean> {
    return !diskIsFull(this.options.dataDir) && (await this.writerTakesWrites());
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

    let segment = this.openSegment();
    // openSegment starts a segment of its own when the last one is sealed (or there is none).
    const opensFresh = segment !== this.segments[this.segments.length - 1];
    const missing = columnIds.filter((id) => !segment.positions.has(id));
    const wouldBeTooWide = segment.attributeColumns.length + missing.length > this.options.segmentMaxColumns;
    const wouldBeTooLong = segment.rowCount > 0 && segment.rowCount + events.length > this.options.segmentMaxRows;
    const startsNewSegment = segment.rowCount > 0 && (wouldBeTooWide || wouldBeTooLong);
    // Work on a copy so that a failed commit leaves the in-memory state as it was on disk.
    const previous = startsNewSegment ? segment : null;
    segment = startsNewSegment ? newSegment(segment.id + 1) : cloneSegment(segment);
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
        await this.writer.run('INSERT INTO waggle_segments VALUES ($1, 0, NULL, NULL, false)', [segment.id]);
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
    if (createsTable) this.segments.push(segment);
    else this.segments[this.segments.length - 1] = segment;
    this.pending = this.pending.slice(consumedBatches);
    if (splitAt >= 0) this.pending[0]!.committed = splitAt;
    this.pendingCount -= events.length;
    this.committed = next;
    if (Date.now() - this.lastWrittenSavedAt > 30_000) {
      this.lastWrittenSavedAt = Date.now();
      // After the commit: a failure here is no failed commit (the data is stored); the next try repeats it.
      await this.catalog.persistLastWritten(this.writer).catch(() => undefined);
    }
  }

  private openSegment(): SegmentState {
    const last = this.segments[this.segments.length - 1];
    return last && !last.sealed ? last : newSegment((last?.id ?? 0) + 1);
  }

  async getTrace(traceId: bigint): Promise<StoredEvent[]> {
    return this.withQueryConnection(TRACE_LOOKUP_TIMEOUT_MS, (reader) => this.readTrace(reader, traceId));
  }

  private async readTrace(reader: DuckDBConnection, traceId: bigint): Promise<StoredEvent[]> {
    const index = await reader.runAndReadAll(
      'SELECT segment_id, min(min_ts_ns), max(max_ts_ns) FROM waggle_trace_index WHERE trace_id = $1::UHUGEINT GROUP BY segment_id ORDER BY segment_id',
      [traceId.toString()],
    );
    const events: StoredEvent[] = [];
    const order: bigint[] = [];
    for (const [segmentId, minTs, maxTs] of index.getRows()) {
      if (typeof segmentId !== 'number' || typeof minTs !== 'bigint' || typeof maxTs !== 'bigint') continue;
      const result = await reader.runAndReadAll(
        `SELECT * FROM ${segmentTableName(segmentId)} WHERE ts_ns BETWEEN $1 AND $2 AND trace_id = $3::UHUGEINT`,
        [minTs, maxTs, traceId.toString()],
      );
      const names = result.columnNames();
      const tsIndex = names.indexOf('ts_ns');
      for (const row of result.getRows()) {
        events.push(formatStoredEvent(names, row, this.catalog));
        const ts = row[tsIndex];
        order.push(typeof ts === 'bigint' ? ts : 0n);
      }
    }
    const indices = events.map((_, i) => i).sort((a, b) => (order[a]! < order[b]! ? -1 : order[a]! > order[b]! ? 1 : 0));
    return indices.map((i) => events[i]!);
  }

  async listTraces(options: { serviceName?: string; limit: number; window?: TimeWindow }): Promise<TraceSummary[]> {
    const window = options.window ?? { startNs: 0n, endNs: 2n ** 62n };
    const columns = ['dataset', 'ts_ns', 'duration_ns', 'trace_id', 'span_id', 'parent_id', 'name', 'service_name', 'status_code', 'annotation_type'];
    const source = this.relation({ kind: 'all' }, columns, window);
    const serviceFilter = options.serviceName === undefined ? '' : 'AND service_name = $2';
    const params: QueryParameter[] = [{ type: 'bigint', value: BigInt(options.limit) }];
    if (options.serviceName !== undefined) params.push({ type: 'varchar', value: options.serviceName });
    const sql = `
      WITH recent AS (
        SELECT trace_id, max(ts_ns) AS last_ts FROM ${source} AS s
        WHERE trace_id IS NOT NULL ${serviceFilter}
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

  private datasetNames(selector: DatasetSelector): string[] {
    if (selector.kind === 'all') return this.catalog.datasetNames();
    return this.catalog.dataset(selector.name) ? [selector.name] : [];
  }

  async listColumns(selector: DatasetSelector): Promise<ColumnInfo[]> {
    const names = this.datasetNames(selector);
    let createdNs: bigint | null = null;
    let lastNs: bigint | null = null;
    for (const name of names) {
      const entry = this.catalog.dataset(name)!;
      // A dataset created through the API and not yet written has no columns, core ones included.
      if (entry.lastWrittenNs === 0n) continue;
      if (createdNs === null || entry.createdNs < createdNs) createdNs = entry.createdNs;
      if (lastNs === null || entry.lastWrittenNs > lastNs) lastNs = entry.lastWrittenNs;
    }
    if (createdNs === null || lastNs === null) return [];
    const core = CORE_BINDINGS.map((b) => columnInfo(b.name, b.name, b.type, createdNs!, lastNs!));
    const attributes = this.catalog
      .columnsOf(names)
      .map(({ column, createdNs: c, lastWrittenNs: l }) => columnInfo(attributePhysicalName(column.id), column.keyName, column.type, c, l));
    return [...core, ...attributes];
  }

  async querySchema(selector: DatasetSelector): Promise<QuerySchema> {
    const bindings = new Map<string, ColumnBinding>();
    for (const binding of CORE_BINDINGS) bindings.set(binding.name, binding);
    for (const { column } of this.catalog.columnsOf(this.datasetNames(selector))) {
      const physical = attributePhysicalName(column.id);
      bindings.set(column.keyName, { name: column.keyName, type: column.type, sql: physical, physicalColumns: [physical] });
    }
    const list = [...bindings.values()];
    return { column: (name) => bindings.get(name), columns: () => list, roles: CORE_ROLES };
  }

  relation(selector: DatasetSelector, physicalColumns: readonly string[], window: TimeWindow): string {
    const wanted = [...new Set(physicalColumns)];
    const datasetFilter =
      selector.kind === 'one' ? ` AND dataset = ${sqlStringLiteral(selector.name)}` : '';
    const branches: string[] = [];
    for (const segment of this.segments) {
      if (!segmentOverlaps(segment, window.startNs, window.endNs)) continue;
      const projection = wanted.map((name) => projectColumn(name, segment, this.catalog)).join(', ');
      branches.push(
        `SELECT ${projection} FROM ${segmentTableName(segment.id)} WHERE ts_ns >= ${window.startNs} AND ts_ns < ${window.endNs}${datasetFilter}`,
      );
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
      const reader = await connection.runAndReadAll(sql, values, types);
      return { columns: reader.columnNames(), rows: reader.getRowsJS() };
    });
  }

  /**
   * Runs reads on a connection of the pool once admitted (QUERY_LIMITS), interrupting them after
   * `timeoutMs` counted from the call, queueing included. Idle connections are reused: opening
   * one (and its USE) costs more than a small query.
   */
  private async withQueryConnection<T>(timeoutMs: number, read: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
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
      throw error;
    } finally {
      clearTimeout(timer);
      if (reusable && !timedOut && !this.closed && this.idleQueryConnections.length < MAX_IDLE_QUERY_CONNECTIONS) this.idleQueryConnections.push(connection);
      else connection.closeSync();
    }
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
    const datasetFilter = selector.kind === 'one' ? `dataset = ${sqlStringLiteral(selector.name)} AND ` : '';
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

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.flushChain;
    await this.catalog.persistLastWritten(this.writer);
    await this.writer.run('CHECKPOINT');
    for (const connection of this.idleQueryConnections.splice(0)) connection.closeSync();
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
  };
}

function projectColumn(name: string, segment: SegmentState | null, catalog: DuckDbCatalog): string {
  if (CORE_PHYSICAL_NAMES.has(name)) {
    if (segment) return name;
    const def = CORE_PHYSICAL_COLUMNS.find((c) => c.physical === name)!;
    return `CAST(NULL AS ${def.sqlType.replace(' NOT NULL', '')}) AS ${name}`;
  }
  const id = Number(name.slice(1));
  const column = catalog.columnById(id);
  if (!/^c\d+$/.test(name) || !column) throw new Error(`unknown physical column ${name}`);
  if (segment && segment.positions.has(id)) return name;
  return `CAST(NULL AS ${ATTRIBUTE_SQL_TYPE[column.type]}) AS ${name}`;
}

function columnInfo(id: string, keyName: string, type: ColumnInfo['type'], createdNs: bigint, lastNs: bigint): ColumnInfo {
  return {
    id,
    key_name: keyName,
    type,
    description: '',
    hidden: false,
    created_at: formatRfc3339Nanos(createdNs),
    updated_at: formatRfc3339Nanos(createdNs),
    last_written: formatRfc3339Nanos(lastNs),
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

async function loadSegments(connection: DuckDBConnection, catalog: DuckDbCatalog): Promise<SegmentState[]> {
  const result = await connection.runAndReadAll('SELECT id, row_count, min_ts_ns, max_ts_ns, sealed FROM waggle_segments ORDER BY id');
  const segments: SegmentState[] = [];
  for (const [id, rowCount, minTs, maxTs, sealed] of result.getRows()) {
    if (typeof id !== 'number') continue;
    const segment = newSegment(id);
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
