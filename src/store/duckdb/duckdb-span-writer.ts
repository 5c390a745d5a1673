import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { EventRecord } from '../../core/event-record.js';
import { UnavailableError } from '../../core/errors.js';
import { STORE_LIMITS } from '../../core/limits/store-limits.js';
import { nowNs } from '../../core/unix-nanos.js';
import type { StoreHealth } from '../span-store.js';
import { freeDiskBytes } from '../free-disk-space.js';
import { storedIngestTime } from '../../core/ingest-time.js';
import { columnsByDataset, roomToSetAside, setAsideMessage, writeSetAsideFile } from '../request-set-aside.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';
import { ATTRIBUTE_SQL_TYPE, CORE_PHYSICAL_COLUMNS, attributePhysicalName, segmentTableName } from './duckdb-physical-layout.js';
import { type ColumnRoutes, LayerResolver } from './duckdb-layer-resolver.js';
import type { DuckDbRetentionPolicy } from './duckdb-retention-policy.js';
import { appendEventRows } from './duckdb-row-appender.js';
import { duckDbErrorKind } from './duckdb-error-kind.js';
import { addSegmentColumn, newSegment, segmentDatasetsJson, type SegmentState } from './duckdb-segment.js';
import { SegmentSwapGate } from './duckdb-segment-swap-gate.js';
import type { DuckDbStoreOptions } from './duckdb-span-store.js';
import { locatorChunkOfTraces, type LocatorChunk, type TraceLocator } from './duckdb-trace-locator.js';

/** A request's events in the queue; `committed` of them were already committed (a split request). */
interface PendingBatch {
  readonly events: readonly EventRecord[];
  readonly walPosition: bigint;
  /** The request's receive time as stored (src/core/ingest-time.ts), null when unknown. */
  readonly ingestTime: bigint | null;
  committed: number;
}

/** How far the store is committed: every WAL entry up to `walPosition`, plus a prefix of the next one. */
export interface CommittedState {
  walPosition: bigint;
  /** Events of entry walPosition + 1 already committed, and how many events that entry has. */
  partialEvents: number;
  partialTotal: number;
}

/**
 * Row groups per transaction. One: DuckDB writes the complete row groups of a transaction to the
 * file either at its COMMIT (which runs off the event loop) or, once they pass its write buffer
 * (`write_buffer_row_group_memory_limit`: 20% of the memory limit over the threads, ~51 MB at
 * 512 MB and 2 threads; three row groups of a 64 MB body's spans passed it), inside the
 * appender's synchronous flush, on the event loop. With four per transaction that flush took
 * 1.1-2.1 s once per transaction (issue 9: /healthz during a 64 MB body); with one, the longest
 * appender flush was 91-151 ms, and a 131 072-event commit took as long (5.7-6.7 s against
 * 5.3-8.3 s with four; load 7-9). The row groups are still written whole, straight into the file.
 * The price: ~4 us more of DuckDB's CPU a span on ingest (BENCHMARKS.md run AB, against four).
 */
const MAX_ROW_GROUPS_PER_COMMIT = 1;

/** Tries a request gets on its own before it is set aside (DuckDbSpanWriter.ladderStep). */
const LADDER_STEPS = 3;

/** The last try before a request is set aside commits it in pieces of a row group divided by this. */
const LAST_CHANCE_COMMIT_DIVISOR = 8;

/**
 * DuckDB memory one added column takes in each existing row group of a segment table until the next
 * checkpoint (a 256 KiB block for its values and one for its validity, measured with DuckDB 1.5:
 * 150 VARCHAR columns added to a table of 500 rows took 75 MB, to one of 100 000 rows 300 MB).
 */
const ADDED_COLUMN_BYTES_PER_ROW_GROUP = 512 * 1024;

/**
 * DuckDB memory a committed row takes for each column of its table, filled or not, while its row
 * group is not written yet (a full row group is written at its commit; a partial one stays in
 * memory until a checkpoint): 32 768 rows x 325 columns held 172 MB of IN_MEMORY_TABLE (16.2 bytes
 * a cell), 1 085 x 400 10 MB (BENCHMARKS.md run AS).
 */
const HELD_BYTES_PER_CELL = 16;

/**
 * Memory DuckDB takes outside its buffer pool to write one column of a row group (a checkpoint, or
 * a full row group at its commit), whatever the rows: checkpointing one table of 1 085 rows took
 * 24, 48 and 92-102 MB more RSS for 100, 200 and 400 columns, 99 MB for 100 rows x 400 columns
 * (about a 256 KiB block a column); columns of only NULL integers took nothing (BENCHMARKS.md run AS).
 */
export const ROW_GROUP_WRITE_BYTES_PER_COLUMN = 256 * 1024;

/** Events resolved between yields to the event loop (4096 took 12-17 ms under load, with GC on top). */
const RESOLVE_SLICE_EVENTS = 1024;

/** A segment open this long (by the store's clock) is sealed at its next commit. */
export const DEFAULT_SEGMENT_MAX_AGE_NS = 3_600_000_000_000n;

/**
 * The write path of the DuckDB store: the queue of acknowledged events, row-group commits on the
 * one writer connection (with the WAL position in the same transaction), the set-aside of
 * requests that cannot be committed, and the writer's turn for everything else that writes
 * (dataset rows, the lifecycle's transactions), one thing at a time.
 */
export class DuckDbSpanWriter {
  private pending: PendingBatch[] = [];
  private pendingCount = 0;
  private flushChain: Promise<void> = Promise.resolve();
  /** A row-group commit is queued on flushChain. */
  private alignedCommitQueued = false;
  /** After a failed background commit, wait for an explicit flush before trying again. */
  private alignedCommitsPaused = false;
  private closed = false;
  private lastWrittenSavedAt = 0;
  /** Pending batches the last commit attempt covered (to retry them one by one after a failure). */
  private lastAttemptBatches = 0;
  private lastCommitError: string | null = null;
  private consecutiveCommitFailures = 0;
  private quarantinedRequests = 0;
  /** DuckDB memory the columns added to tables with rows (or empty columns of sealed segments) took since the writer's last checkpoint (estimated). */
  private heldBytesSinceCheckpoint = 0;
  /**
   * The open segment's empty columns that the rows committed into it since it opened or since the
   * writer's last checkpoint hold in DuckDB's memory (estimated as in wouldFillTooThinly), by segment id.
   */
  private unfilledSinceCheckpoint = { segmentId: -1, bytes: 0 };
  /**
   * Segment tables with committed rows DuckDB has not written yet (rows in partial row groups),
   * since the writer's last checkpoint: their rows and their columns (core and attribute), by
   * segment id. What the next checkpoint writes, and so what it costs (see awaitingWriteBytes).
   */
  private readonly awaitingWrite = new Map<number, { rows: number; columns: number }>();
  /** Wall-clock time of the last commit, to seal an idle open segment. */
  lastCommitMs = Date.now();
  /** The last commitOnce failed at its COMMIT statement (not before it). */
  private failedAtCommit = false;
  /**
   * The oldest request's place in the retry ladder (commitOneByOne) while a failed COMMIT has the
   * database reopened: the ladder goes on from `step` after the reopen instead of starting over.
   */
  private ladder: { walPosition: bigint; step: number; failure: unknown } | null = null;

  constructor(
    /** Replaced when the store reopens its database (resume). */
    private writer: DuckDBConnection,
    private readonly catalog: DuckDbCatalog,
    private readonly segments: SegmentState[],
    private readonly options: DuckDbStoreOptions,
    private committed: CommittedState,
    private readonly retention: DuckDbRetentionPolicy,
    private nextSegmentId: number,
    private readonly routes: ColumnRoutes,
    private readonly log: (message: string) => void,
    /** Runs a commit while no query runs (QueryAdmission.withoutReads); as is when not given. */
    private readonly withoutReads: <T>(run: () => Promise<T>) => Promise<T> = (run) => run(),
    /**
     * Told when commits fail and the writer no longer takes even a minimal write: the store then
     * checks whether DuckDB invalidated the database (and reopens it). Must not wait for the
     * writer's turn (it is called during one).
     */
    private readonly storeFailing: (error: unknown) => void = () => undefined,
    /**
     * Told when a COMMIT statement failed with room on disk: the database still serves, but
     * DuckDB may have left part of the failed commit's rows in a table's memory (see
     * reopenAfterFailedCommit), so it must be reopened before anything else writes. Must not
     * wait for the writer's turn (it is called during one).
     */
    private readonly commitFailedInDatabase: (error: unknown) => void = () => undefined,
    /**
     * Trace lookups' view of the segment list: a commit that creates a segment table or adds
     * columns is a swap from its COMMIT to the in-memory update, so no lookup pairs the rows it
     * made visible with the segment list from before it.
     */
    private readonly segmentSwaps: SegmentSwapGate = new SegmentSwapGate(),
    /** The trace index in memory: told of each commit's traces once it committed. */
    private readonly traceLocator: TraceLocator | null = null,
  ) {}

  /** The next unused segment id (compaction takes them too). */
  allocateSegmentId(): number {
    return this.nextSegmentId++;
  }

  /**
   * Commits what is queued, then takes no more work; the connection is checkpointed and closed.
   * The connection is closed even when the commit or the checkpoint fails (then this rejects):
   * what was not committed is still in Waggle's WAL, what was is in DuckDB's log, and both are
   * replayed at the next start.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    let failed = false;
    let failure: unknown;
    try {
      await this.flush();
    } catch (error) {
      failed = true;
      failure = error;
    }
    this.closed = true;
    await this.flushChain;
    try {
      if (!failed) {
        await this.catalog.persistLastWritten(this.writer);
        await this.writer.run('CHECKPOINT');
      }
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      closeQuietly(this.writer);
    }
    if (failed) throw failure;
  }

  /**
   * Holds the writer's turn for the store's reopening: `drained` resolves once everything queued
   * before has run; whatever is queued later (commits, the lifecycle's turns) waits for release().
   */
  hold(): { drained: Promise<void>; release: () => void } {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let drained = (): void => undefined;
    const isDrained = new Promise<void>((resolve) => {
      drained = resolve;
    });
    this.flushChain = this.flushChain.then(() => {
      drained();
      return released;
    });
    return { drained: isDrained, release };
  }

  /** Closes the writer connection (the store reopens its database); later work fails until resume(). */
  closeConnection(): void {
    closeQuietly(this.writer);
  }

  /**
   * Goes on with a reopened database: its writer connection, and what it says is committed. The
   * queue loses what that covers — a COMMIT whose automatic checkpoint failed reported an error
   * but is durable, and must not be stored twice — and keeps the rest, to commit from there.
   */
  resume(writer: DuckDBConnection, committed: CommittedState, nextSegmentId: number): void {
    this.writer = writer;
    this.committed = { ...committed };
    this.nextSegmentId = Math.max(this.nextSegmentId, nextSegmentId);
    while (this.pending.length > 0 && this.pending[0]!.walPosition <= committed.walPosition) {
      const stored = this.pending.shift()!;
      this.pendingCount -= stored.events.length - stored.committed;
    }
    const head = this.pending[0];
    if (head !== undefined && head.walPosition === committed.walPosition + 1n && committed.partialTotal === head.events.length && committed.partialEvents > head.committed) {
      this.pendingCount -= committed.partialEvents - head.committed;
      head.committed = committed.partialEvents;
    }
    this.alignedCommitsPaused = false;
    this.noteCommitSuccess();
    if (this.pendingCount >= this.options.rowGroupSize) this.queueAlignedCommit();
  }

  /** Runs `work` on the writer connection between commits. */
  onWriter<T>(work: (writer: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError('the store is closed'));
    const run = this.flushChain.then(() => work(this.writer));
    this.flushChain = run.then(() => undefined, () => undefined);
    return run;
  }

  enqueue(events: readonly EventRecord[], walPosition: bigint, receivedAtNs: bigint | null = nowNs()): void {
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
    this.pending.push({ events, walPosition, ingestTime: storedIngestTime(receivedAtNs), committed });
    this.pendingCount += events.length - committed;
    if (this.pendingCount >= this.options.rowGroupSize) this.queueAlignedCommit();
  }

  pendingEvents(): number {
    return this.pendingCount;
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
      // At most MAX_ROW_GROUPS_PER_COMMIT row groups per transaction: bounded memory and time; the rest follows at once.
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
      const ladder = this.ladder;
      if (ladder !== null && ladder.walPosition === this.pending[0]?.walPosition) {
        // The oldest request's commit failed at COMMIT and the database was reopened since: its
        // retries go on where they were, so a request that cannot be committed is still set aside.
        await this.commitOneByOne(1, ladder.failure, ladder.step);
      } else {
        this.ladder = null;
        try {
          // Bounded like the background commits: a flush of everything queued is several transactions.
          await this.commitOnce(Math.min(limit - done, MAX_ROW_GROUPS_PER_COMMIT * this.options.rowGroupSize), Number.POSITIVE_INFINITY);
        } catch (error) {
          this.noteCommitFailure(error);
          this.reopenAfterFailedCommit(error, 0);
          await this.commitOneByOne(this.lastAttemptBatches, error);
        }
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

  /**
   * Commits the first `batches` queued requests each on its own, setting aside any that is poison.
   * Each request climbs a ladder of tries (LADDER_STEPS), the first from `fromStep` (where a
   * reopened database left it).
   */
  private async commitOneByOne(batches: number, firstError: unknown, fromStep = 0): Promise<void> {
    for (let b = 0; b < Math.max(1, batches) && this.pending.length > 0; b++) {
      const head = this.pending[0]!;
      let failure: unknown = firstError;
      let committed = false;
      for (let step = b === 0 ? fromStep : 0; step < LADDER_STEPS && !committed; step++) {
        // Classified by behaviour: before each further try the store must still take a small
        // write, else it is the store that fails, not the content.
        if (step > 0 && !(await this.writerTakesWrites())) throw this.failingStore(failure);
        try {
          await this.ladderStep(step, head);
          committed = true;
        } catch (error) {
          failure = error;
          this.noteCommitFailure(error);
          this.reopenAfterFailedCommit(error, step + 1);
        }
      }
      this.ladder = null;
      if (committed) continue;
      if (!(await this.writerTakesWrites())) throw this.failingStore(failure);
      await this.quarantineHead(failure);
    }
  }

  /**
   * One try at committing the oldest request `head` whole (in as many commits as it takes). Step
   * 0: as is. A request wider than one commit allows takes several (column-bounded) commits, and
   * a long one several of a row group each: one transaction of a whole 64 MB OTLP/JSON body (~115
   * 000 events) ran out of a 512 MB limit on its own, with no query running (BENCHMARKS Run K).
   * Step 1: the same with no query running (running queries can hold most of DuckDB's memory
   * limit, so a retry beside them may fail the same way). Step 2, a last chance before calling it
   * poison: DuckDB's memory may be full of committed rows not yet checkpointed (the hostile mix at
   * a 384 MB limit set an acknowledged 64 MB body aside with "failed to pin block" twice, no query
   * running); a checkpoint writes them out, and smaller commits need less; content that cannot be
   * committed fails here again.
   */
  private async ladderStep(step: number, head: PendingBatch): Promise<void> {
    if (step === 0) {
      while (this.pending[0] === head) await this.commitOnce(this.options.rowGroupSize, 1);
      return;
    }
    await this.withoutReads(async () => {
      if (step === 1) {
        while (this.pending[0] === head) await this.commitOnce(this.options.rowGroupSize, 1);
        return;
      }
      // Best effort: a checkpoint refused beside another connection's write (a compaction) is no
      // reason to set the request aside; one that invalidated the database fails the commits below.
      await this.writer.run('CHECKPOINT').catch(() => undefined);
      while (this.pending[0] === head) await this.commitOnce(Math.max(1, Math.floor(this.options.rowGroupSize / LAST_CHANCE_COMMIT_DIVISOR)), 1);
    });
  }

  /**
   * After a failed commit: when it failed at its COMMIT statement with room on disk, the database
   * is reopened before anything else is written, and this turn ends here (throws; everything stays
   * queued and in the WAL). DuckDB 1.5.6 does not fully undo a COMMIT that fails while it merges
   * the transaction's rows into a table (out of memory at a small limit: "Failed to commit: failed
   * to pin block"): part of the rows stays in a column's memory, the next rows appended to that
   * table read the failed commit's values in their place, and the next checkpoint finds
   * "Corrupted in-memory column ... misaligned count" and invalidates the database
   * (bench/hardening/duckdb-failed-commit-repro.ts). The file and DuckDB's log hold only what
   * was committed, so a reopen drops the stray rows. On a full disk the COMMIT fails writing
   * DuckDB's log, after the merge, and is undone; that stays the full-disk handling's, and a COMMIT
   * that invalidated the database the recovery's.
   * `nextStep` is where the oldest request's retries go on after the reopen.
   */
  private reopenAfterFailedCommit(error: unknown, nextStep: number): void {
    if (!this.failedAtCommit || !roomToSetAside(freeDiskBytes(this.options.dataDir))) return;
    // An invalidated database (a fatal error, a failed checkpoint) or a failed write is the
    // recovery's probe's to judge (storeFailing): reopened there, or left to the full-disk handling.
    const kind = duckDbErrorKind(error);
    if (kind === 'fatal' || kind === 'io') return;
    const head = this.pending[0];
    this.ladder = head === undefined ? null : { walPosition: head.walPosition, step: nextStep, failure: error };
    this.commitFailedInDatabase(error);
    throw error;
  }

  /** The store itself fails (not the content): it may have been invalidated; the error is thrown on. */
  private failingStore(error: unknown): unknown {
    this.storeFailing(error);
    return error;
  }

  /**
   * Whether the writer can still commit a minimal write: rewriting the WAL-position row goes
   * through DuckDB's own log, so a full disk or a broken file fails it, while content that is too
   * wide or too big for memory does not.
   */
  private async writerTakesWrites(): Promise<boolean> {
    // A nearly full disk still takes this small write where a commit of real data fails: never
    // set an acknowledged request aside for want of space (found by the full-disk test).
    if (!roomToSetAside(freeDiskBytes(this.options.dataDir))) return false;
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
    const now = nowNs();
    const setAside = writeSetAsideFile(this.options.dataDir, { walPosition: head.walPosition, events, alreadyStored: head.committed, ingestTime: head.ingestTime }, error, now);
    const record = async (withColumns: boolean): Promise<void> => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        if (withColumns) {
          for (const [dataset, ids] of columnsByDataset(events, (key, kind, value) => this.routes.find(key, kind, value))) this.catalog.touchDataset(dataset, ids, now);
          await this.catalog.persist(this.writer);
        }
        await this.writer.run('INSERT INTO waggle_quarantine VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
          setAside.walPosition,
          setAside.quarantinedNs,
          setAside.events,
          setAside.file,
          setAside.error,
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
    this.log(setAsideMessage(setAside));
  }

  /**
   * One transaction with the oldest queued events: at most `limit` events, from at most
   * `maxBatches` requests, and no more distinct attribute columns than a segment may hold
   * (its first event always goes, however wide).
   */
  private async commitOnce(limit: number, maxBatches: number): Promise<void> {
    this.lastAttemptBatches = 0;
    this.failedAtCommit = false;
    if (this.pendingCount === 0) return;
    // Taken from a snapshot: enqueue() keeps pushing to this.pending while the commit awaits DuckDB.
    const candidates: EventRecord[] = [];
    // Each candidate's receive time (its request's): one shared value per request.
    const ingestTimes: Array<bigint | null> = [];
    let batchCount = 0;
    for (const batch of this.pending) {
      if (candidates.length >= limit || batchCount >= maxBatches) break;
      const take = Math.min(limit - candidates.length, batch.events.length - batch.committed);
      for (let i = batch.committed; i < batch.committed + take; i++) {
        candidates.push(batch.events[i]!);
        ingestTimes.push(batch.ingestTime);
      }
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
      taken = resolver.resolveRange(candidates, start, end, this.options.segmentMaxColumns, {
        maxCells: STORE_LIMITS.commitWideningCells.value,
        fixedColumns: CORE_PHYSICAL_COLUMNS.length,
      });
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
    // Adding columns gives each row group the segment already has a full column in DuckDB's
    // memory: past the bound a new segment (a new table, with no rows to widen) is cheaper.
    const widenedBytes = missing.length * Math.ceil(segment.rowCount / this.options.rowGroupSize) * ADDED_COLUMN_BYTES_PER_ROW_GROUP;
    const wouldWidenTooCostly = widenedBytes > STORE_LIMITS.widenedColumnBytes.value;
    // The inverse: appended rows take memory for every column of the segment, filled or not, until
    // a checkpoint (a full row group as much as an added column), and a compaction later sorts
    // every cell. Many narrow rows into a segment a few wide ones made wide (the hostile mix's
    // 64 MB body after its wide requests: 100 000 rows x 390 columns) start a segment of their own.
    // Judged over the commits since the segment opened or the last checkpoint, not one at a time:
    // in the mix on a quiet machine, narrow rows came in commits each under the bound and filled
    // a segment of 45 832 rows x 347 columns (two row groups of 347 columns in memory).
    const filled = columnIds.reduce((n, id) => (segment.positions.has(id) ? n + 1 : n), 0);
    const unfilledBytes = ((segment.attributeColumns.length - filled) * events.length * ADDED_COLUMN_BYTES_PER_ROW_GROUP) / this.options.rowGroupSize;
    const unfilledBefore = this.unfilledSinceCheckpoint.segmentId === segment.id ? this.unfilledSinceCheckpoint.bytes : 0;
    const wouldFillTooThinly = unfilledBefore + unfilledBytes > STORE_LIMITS.widenedColumnBytes.value;
    const startsNewSegment = segment.rowCount > 0 && (wouldBeTooWide || wouldBeTooLong || wouldBeTooOld || wouldWidenTooCostly || wouldFillTooThinly);
    // Work on a copy so that a failed commit leaves the in-memory state as it was on disk.
    const previous = startsNewSegment ? segment : null;
    // Ids are taken from the counter at once: compaction takes ids meanwhile (a failed commit leaves a gap).
    segment = startsNewSegment ? newSegment(this.nextSegmentId++, clockNow) : cloneSegment(segment);
    const createsTable = startsNewSegment || opensFresh;
    // Whole row groups into a table of whole row groups are written at their commit; anything else waits for a checkpoint.
    const leavesRowsUnwritten = (createsTable ? 0 : segment.rowCount % this.options.rowGroupSize) !== 0 || events.length % this.options.rowGroupSize !== 0;
    const added = columnIds.filter((id) => !segment.positions.has(id));
    // Ended once the in-memory segment list shows what the COMMIT made visible (or at the rollback).
    let endSwap: (() => void) | null = null;
    // The commit's traces for the index in memory, built before the COMMIT (null while it is off).
    let locatorChunk: LocatorChunk | null = null;

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
      for (const id of added) addSegmentColumn(segment, id, this.catalog.columnById(id)!.type);
      for (const [dataset, ids] of resolver.columnsByDataset()) this.catalog.touchDataset(dataset, ids, now);
      await this.catalog.persist(this.writer);

      const traces = await appendThenClose(await this.writer.createAppender(segmentTableName(segment.id)), (appender) => appendEventRows(appender, segment, events, resolver, ingestTimes));
      await appendThenClose(await this.writer.createAppender('waggle_trace_index'), async (traceAppender) => {
        for (const [traceId, range] of traces) {
          traceAppender.appendUHugeInt(traceId);
          traceAppender.appendInteger(segment.id);
          traceAppender.appendBigInt(range.minTsNs);
          traceAppender.appendBigInt(range.maxTsNs);
          traceAppender.endRow();
        }
      });
      if (this.traceLocator?.enabled === true) locatorChunk = await locatorChunkOfTraces(traces);

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
      await this.writer.run('UPDATE waggle_segments SET row_count = $1, min_ts_ns = $2, max_ts_ns = $3, sealed = $4, datasets_json = $5, max_sample_rate = $6 WHERE id = $7', [
        segment.rowCount,
        segment.minTsNs,
        segment.maxTsNs,
        sealsNow,
        segmentDatasetsJson(segment),
        segment.maxSampleRate,
        segment.id,
      ]);
      await this.writer.run('UPDATE waggle_state SET wal_position = $1, partial_events = $2, partial_total = $3 WHERE id = 1', [
        next.walPosition,
        next.partialEvents,
        next.partialTotal,
      ]);
      if (createsTable || added.length > 0) endSwap = this.segmentSwaps.begin();
      try {
        await this.writer.run('COMMIT');
      } catch (error) {
        this.failedAtCommit = true;
        // Whether the index rows committed is unknown until the reopen reads them again.
        this.traceLocator?.invalidate();
        throw error;
      }
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      endSwap?.();
      throw error;
    }
    try {
      this.traceLocator?.addBuilt(segment.id, locatorChunk);
      this.catalog.markPersisted();
      if (previous) previous.sealed = true;
      if (segment.attributeColumns.length > this.options.segmentMaxColumns) segment.sealed = true;
      if (createsTable) {
        this.segments.push(segment);
        if (segment.id >= this.nextSegmentId) this.nextSegmentId = segment.id + 1;
      } else this.segments[this.segments.findIndex((s) => s.id === segment.id)] = segment;
    } finally {
      endSwap?.();
    }
    this.pending = this.pending.slice(consumedBatches);
    if (splitAt >= 0) this.pending[0]!.committed = splitAt;
    this.pendingCount -= events.length;
    this.committed = next;
    // A new table has no column the commit leaves empty; into an existing one the commit's own count adds up.
    this.unfilledSinceCheckpoint = createsTable ? { segmentId: segment.id, bytes: 0 } : { segmentId: segment.id, bytes: unfilledBefore + unfilledBytes };
    this.lastCommitMs = Date.now();
    if (Date.now() - this.lastWrittenSavedAt > 30_000) {
      this.lastWrittenSavedAt = Date.now();
      // After the commit: a failure here is no failed commit (the data is stored); the next try repeats it.
      await this.catalog.persistLastWritten(this.writer).catch(() => undefined);
    }
    if (leavesRowsUnwritten) {
      const awaiting = this.awaitingWrite.get(segment.id);
      this.awaitingWrite.set(segment.id, { rows: (awaiting?.rows ?? 0) + events.length, columns: CORE_PHYSICAL_COLUMNS.length + segment.attributeColumns.length });
    }
    // A segment sealed for its empty columns holds about the bound in memory (its rows' empty
    // columns) until a checkpoint, and no further commit goes there: checkpoint now.
    if (previous !== null && wouldFillTooThinly) await this.checkpointAfterHeldMemory(STORE_LIMITS.widenedColumnBytes.value);
    else if (!createsTable && added.length > 0) await this.checkpointAfterHeldMemory(widenedBytes);
    // Rows DuckDB holds unwritten cost it memory by their cells (NULL or not) and, to write them,
    // a block a column outside its pool; its own checkpoints follow the size of its log, which
    // sparse wide rows hardly grow (the hostile mix of issue 9: one COMMIT's checkpoint wrote ~14
    // sealed tables of 1 085-1 435 rows x 400 columns at once, 170 MB of the pool and ~300 MB
    // outside it). So once sealed segments wait for more than the bound, the writer checkpoints:
    // a checkpoint then writes about one wide table.
    if (this.sealedAwaitingWriteBytes() >= STORE_LIMITS.checkpointAwaitingWriteBytes.value) await this.checkpointAfterHeldMemory(0, true);
  }

  /**
   * What the rows of sealed segments DuckDB holds unwritten cost it (estimated): their cells in
   * memory, and a block a column of each table to write them (HELD_BYTES_PER_CELL,
   * ROW_GROUP_WRITE_BYTES_PER_COLUMN). The open segment is left to DuckDB's own checkpoints:
   * its rows are ordinary traffic's, dense, and later commits fill its row group.
   */
  sealedAwaitingWriteBytes(): number {
    let bytes = 0;
    for (const [id, { rows, columns }] of this.awaitingWrite) {
      const segment = this.segments.find((s) => s.id === id);
      if (segment === undefined) this.awaitingWrite.delete(id);
      else if (segment.sealed) bytes += rows * columns * HELD_BYTES_PER_CELL + columns * ROW_GROUP_WRITE_BYTES_PER_COLUMN;
    }
    return bytes;
  }

  /**
   * After a commit that added columns to a table with rows (or sealed a segment whose rows left many
   * of its columns empty): once such columns cost widenedColumnBytes since the last checkpoint,
   * checkpoint, which writes them (compressed: mostly NULL) and frees their memory. DuckDB's own checkpoints follow the size of its log, which
   * columns added this way hardly grow. Best effort, after the commit: one refused beside another
   * connection's write (a compaction) is tried again after the next such commit.
   */
  private async checkpointAfterHeldMemory(heldBytes: number, beforeReads = false): Promise<void> {
    this.heldBytesSinceCheckpoint += heldBytes;
    if (!beforeReads && this.heldBytesSinceCheckpoint < STORE_LIMITS.widenedColumnBytes.value) return;
    const checkpoint = (): Promise<unknown> => this.writer.run('CHECKPOINT');
    try {
      // DuckDB 1.5.6 refuses it ("other write transactions active") while queries run, which
      // in the hostile mix was at 17 of 18 tries: the sealed wide segments' checkpoint then goes
      // before the reads (running ones end first, new ones wait for it), as a failed commit's
      // retry does.
      await checkpoint().catch((refused: unknown) => {
        if (!beforeReads) throw refused;
        return this.withoutReads(checkpoint);
      });
      this.heldBytesSinceCheckpoint = 0;
      // The checkpoint wrote the segment's rows out, empty columns and all: their memory is back.
      this.unfilledSinceCheckpoint = { segmentId: -1, bytes: 0 };
      this.awaitingWrite.clear();
    } catch {
      // Refused while another connection writes; the data is committed either way.
    }
  }

  private openSegment(clockNow: bigint): SegmentState {
    return this.segments.find((s) => !s.sealed) ?? newSegment(this.nextSegmentId++, clockNow);
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

/**
 * Fills an appender, flushes and closes it; when anything fails, its buffered rows are discarded
 * before it is closed. DuckDB keeps the rows of a flush that failed (e.g. out of memory) in the
 * appender, and an appender left open flushes them when it is destroyed: the node bindings do
 * that when the garbage collector finalizes it, on the writer connection, in whatever transaction
 * runs then. So a commit that failed and was retried stored the failed flush's rows a second
 * time, and rows of a request that was set aside turned up (issue 9's mix: 3 594 spans more than
 * acknowledged, 2 × 2 048 rows); appended concurrently with the writer's own work, they also
 * corrupted the table ("misaligned count" at the next checkpoint). The caller rolls back.
 */
async function appendThenClose<T>(appender: DuckDBAppender, fill: (appender: DuckDBAppender) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fill(appender);
    appender.flushSync();
  } catch (error) {
    try {
      appender.clear();
    } catch {
      // Nothing buffered, or the appender is unusable: closing below releases it either way.
    }
    try {
      appender.closeSync();
    } catch {
      // Its rows are gone (cleared); the error that matters is the one thrown on.
    }
    throw error;
  }
  appender.closeSync();
  return result;
}

function closeQuietly(connection: DuckDBConnection): void {
  try {
    connection.closeSync();
  } catch {
    // Already closed, or its database is gone: nothing left to release.
  }
}
