import { StoreReopeningError } from '../core/errors.js';
import { nowNs } from '../core/unix-nanos.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';
import { WAL_LIMITS } from '../core/limits/wal-limits.js';
import type { StoreMetrics } from '../observability/store-metrics.js';
import type { IngestMetrics } from '../observability/ingest-metrics.js';
import type { Logger } from '../observability/waggle-logger.js';
import type { SpanStore } from '../store/span-store.js';
import { IngestBusyError, IngestMemoryError, IngestNotReadyError } from './ingest-refusals.js';
import { admitPayload, admitPayloadInSlices } from './payload-admission.js';
import { decodePayload } from './payload-decode-scheduler.js';
import { PAYLOAD_DECODERS, type DecodedPayload } from './payload-decoders.js';
import type { PayloadFormat, WalEntry, WriteAheadLog } from './wal/write-ahead-log.js';
import { walBodyCrc } from './wal/wal-record-codec.js';
import { isDiskFullError, WalWriteError } from './wal/wal-write-error.js';
import { diskIsFull, probeWritable, WriteReadiness, type Readiness } from './write-readiness.js';
import { giveBackSharedBody } from '../api/shared-body-pool.js';
import { REPLAY_MAX_EVENTS } from './request-event-bound.js';

type WalAppend = ReturnType<WriteAheadLog['append']>;

export interface IngestLimits {
  /** Largest body accepted, after decompression. */
  maxBodyBytes: number;
  /** Events queued for commit beyond which requests are refused as retryable (503). */
  maxPendingEvents: number;
  /**
   * Body bytes being decoded or queued for commit from which requests are refused as retryable
   * (503): default INGEST_LIMITS.queuedBodyBytes.
   */
  maxQueuedBodyBytes?: number;
  /** Longest time an acknowledged event waits in the queue before a commit is forced (freshness). */
  flushIntervalMs: number;
  /**
   * The store commits on its own whenever this many events are queued (DuckDB: a row group), and
   * such a commit takes the oldest events first; while that many are queued the freshness timer
   * leaves the commit to the store rather than cut it short. Infinity when the store does not.
   */
  storeBatchEvents?: number;
  /**
   * The process-wide memory budget (ProcessMemoryBudget): asked before each request is taken,
   * with whether ingest holds events of its own that commits will let go. Absent: no budget.
   */
  memory?: { ingestMayTake(ingestHolds: boolean): boolean };
}

export interface IngestRequest {
  format: PayloadFormat;
  /** The body as received: compressed when meta.contentEncoding says so. */
  body: Buffer;
  meta: Record<string, string>;
  /**
   * Called after decoding with the datasets the events name (OTLP takes them from service.name),
   * before anything is written; throws to refuse the whole request (a key that may send events
   * but not create the dataset a span would start gets 403, as the Events API answers).
   */
  checkDatasets?: (datasets: ReadonlySet<string>) => void;
}

/**
 * The write path shared by every receiver: decode (to validate and to answer with partial
 * success), append the body to the WAL, queue the events in the store in WAL order, and resolve
 * once the WAL entry is durable. A background timer forces a commit once the oldest queued event
 * has waited flushIntervalMs; in between the store may commit on its own (in batches it finds
 * cheapest), so the timer does not cut every batch short under load.
 */
export class IngestService {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastFlushError: unknown = null;
  /** Events enqueued since the queue was last seen empty. */
  private enqueuedTotal = 0;
  /** Per request still possibly queued: enqueuedTotal after it, when it was enqueued, its body bytes. */
  private readonly enqueueTimes: Array<{ total: number; atMs: number; bytes: number }> = [];
  private enqueueTimesHead = 0;
  /** Body bytes of the requests in enqueueTimes from enqueueTimesHead on (not yet wholly committed). */
  private queuedBytes = 0;
  /** Body bytes of the requests being decoded now. */
  private decodingBytes = 0;
  /** Events of requests decoded and not yet queued in the store (admitted, in the WAL, waiting for it to be durable). */
  private decodedEvents = 0;
  /** Declared lengths of the large bodies being received now (see reserveBody). */
  private receivingLargeBytes = 0;
  private readonly writeReadiness = new WriteReadiness();
  private probeTimer: NodeJS.Timeout | null = null;
  /**
   * The turns of live requests at admission and WAL append, one after another: admission yields
   * between slices, and two requests must neither interleave there nor append out of admission order.
   */
  private admissionTurns: Promise<void> = Promise.resolve();
  /** While the WAL is replayed at start: requests replayed and to replay. */
  private replayProgress: { done: number; total: number } | null = null;

  /**
   * `storeDir`: where the store writes, to tell a commit that failed for want of disk. `metrics`:
   * what receivers record requests in, and where commits are timed (null: not measured).
   */
  constructor(
    private readonly wal: WriteAheadLog,
    private readonly store: SpanStore,
    private readonly limits: IngestLimits,
    private readonly logger: Logger,
    private readonly storeDir: string | null = null,
    readonly metrics: { readonly ingest: IngestMetrics; readonly store: StoreMetrics } | null = null,
  ) {}

  /**
   * Replays WAL entries that were acknowledged but not committed before the last stop. Ingest is
   * refused (503, retryable) until it is done, since new requests must queue behind the replayed
   * ones in WAL order; it yields to the event loop as it goes, so that the listeners (started
   * before it) answer /readyz and queries meanwhile, and commits whenever the queue is as full as
   * live ingest lets it grow.
   */
  async replay(entries: readonly WalEntry[]): Promise<number> {
    this.replayProgress = { done: 0, total: entries.length };
    try {
      let events = 0;
      let sliceStartedAt = performance.now();
      for (const entry of entries) {
        let decoded: DecodedPayload | null = null;
        try {
          // Judged as of the time it was received, so replay refuses exactly what live ingest did.
          // No bound on its events either: it was acknowledged (REPLAY_MAX_EVENTS).
          decoded = admitPayload(PAYLOAD_DECODERS[entry.format](entry.payload, entry.meta, Number.MAX_SAFE_INTEGER, REPLAY_MAX_EVENTS), entry.format, this.store, receivedAtNs(entry.meta));
        } catch (error) {
          this.logger.warn(`skipping WAL entry ${entry.position}: ${(error as Error).message}`, { walPosition: entry.position });
        }
        if (decoded !== null) {
          // The original arrival, from the record's meta; records written before it was recorded: unknown (NULL).
          this.store.enqueue(decoded.batch.events, entry.position, receivedAtNs(entry.meta) ?? null);
          events += decoded.batch.events.length;
        }
        this.replayProgress.done += 1;
        if (this.store.pendingEvents() >= this.limits.maxPendingEvents) await this.flushNow();
        // A slice of about 20 ms at a time: short enough for probes, long enough to cost little.
        if (performance.now() - sliceStartedAt > 20) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStartedAt = performance.now();
        }
      }
      await this.flushNow();
      return events;
    } finally {
      this.replayProgress = null;
    }
  }

  start(): void {
    const tickMs = Math.max(5, Math.floor(this.limits.flushIntervalMs / 4));
    this.timer = setInterval(() => {
      const age = this.oldestQueuedAgeMs();
      if (age === null || age < this.limits.flushIntervalMs) return;
      const storeWillCommit = this.store.pendingEvents() >= (this.limits.storeBatchEvents ?? Number.POSITIVE_INFINITY);
      // ...unless its commits fall far behind (or fail): then commit everything.
      if (!storeWillCommit || age >= 4 * this.limits.flushIntervalMs) this.flushSoon();
    }, tickMs);
    this.timer.unref();
  }

  /**
   * Drops the requests whose events are all committed from enqueueTimes (and their bytes from
   * queuedBytes); false when nothing is queued at all. The store commits in queue order, so the
   * oldest queued event is the (enqueued - pending)-th.
   */
  private forgetCommitted(): boolean {
    const pending = this.store.pendingEvents();
    if (pending === 0) {
      this.enqueuedTotal = 0;
      this.enqueueTimes.length = 0;
      this.enqueueTimesHead = 0;
      this.queuedBytes = 0;
      return false;
    }
    const committed = this.enqueuedTotal - pending;
    while (this.enqueueTimesHead < this.enqueueTimes.length && this.enqueueTimes[this.enqueueTimesHead]!.total <= committed) {
      this.queuedBytes -= this.enqueueTimes[this.enqueueTimesHead]!.bytes;
      this.enqueueTimesHead += 1;
    }
    return true;
  }

  /**
   * How long the oldest event still queued in the store has waited, or null when none is.
   */
  private oldestQueuedAgeMs(): number | null {
    if (!this.forgetCommitted()) return null;
    if (this.enqueueTimesHead > 1024 && this.enqueueTimesHead * 2 > this.enqueueTimes.length) {
      this.enqueueTimes.splice(0, this.enqueueTimesHead);
      this.enqueueTimesHead = 0;
    }
    const oldest = this.enqueueTimes[this.enqueueTimesHead];
    // Queued events not enqueued through ingest() (replay) count as old: commit them.
    return oldest === undefined ? Number.POSITIVE_INFINITY : performance.now() - oldest.atMs;
  }

  /**
   * Throws what ingest() would throw at once (503: replaying, writes failing, the queue's events
   * or bytes at their bound). Receivers call it before reading a body, so a refused 64 MB body is
   * not read into memory first (issue 9: a refused body's buffer lived until the next full GC).
   */
  refuseIfBusy(): void {
    this.refuseWhileWritesFail();
    this.refuseWhileEventsFull();
    this.refuseWhileQueuedBytesFull();
    this.refuseWhileOverMemoryBudget();
  }

  /**
   * The queue's bound in events (maxPendingEvents), counting the events of requests decoded and
   * not yet queued (admitted, written to the WAL, waiting for it to be durable): those were not
   * counted, so requests arriving meanwhile all passed, and each decoded its events (100 clients
   * sending Honeycomb batches of 131 072 events: VmHWM 1 081–1 134 MiB, BENCHMARKS run AX).
   */
  private refuseWhileEventsFull(): void {
    if (this.store.pendingEvents() + this.decodedEvents < this.limits.maxPendingEvents) return;
    this.flushSoon();
    throw new IngestBusyError('Waggle is busy writing earlier data; retry shortly');
  }

  /**
   * Near the memory budget, new requests wait (503 + Retry-After) while what ingest holds is
   * committed: queued events, and bodies being decoded. A commit is started now, so the queue
   * drains at once rather than at the freshness timer.
   */
  private refuseWhileOverMemoryBudget(): void {
    const memory = this.limits.memory;
    if (memory === undefined) return;
    if (memory.ingestMayTake(this.store.pendingEvents() > 0 || this.decodingBytes > 0)) return;
    this.flushSoon();
    throw new IngestMemoryError('Waggle is near its memory budget (WAGGLE_MAX_MEMORY_BYTES) and writing earlier data; retry shortly');
  }

  /**
   * Before a body is read: refuses as refuseIfBusy does. A large body (declared Content-Length of
   * `largeBytes` or more) is then judged with the large bodies being received too, and counts
   * among them until the returned function is called (once it is in, or has failed): so large
   * uploads are read one at a time rather than all read and then all but one refused. Small
   * requests are not judged by what is being received: a client trickling a 64 MB body (up to
   * the request timeout) then holds back only other large bodies, not ordinary traffic.
   */
  reserveBody(declaredBytes: number, largeBytes: number): () => void {
    this.refuseIfBusy();
    if (!Number.isSafeInteger(declaredBytes) || declaredBytes < largeBytes) return () => {};
    const bound = this.limits.maxQueuedBodyBytes ?? INGEST_LIMITS.queuedBodyBytes.value;
    if (this.queuedBytes + this.decodingBytes + this.receivingLargeBytes >= bound) {
      this.flushSoon();
      throw new IngestBusyError('Waggle is busy writing earlier data; retry shortly');
    }
    this.receivingLargeBytes += declaredBytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.receivingLargeBytes -= declaredBytes;
    };
  }

  async ingest(request: IngestRequest): Promise<DecodedPayload> {
    try {
      return await this.decodeAndAppend(request);
    } finally {
      // Decoded and written to the WAL (or refused): nothing reads a large body's memory any more,
      // and the next large body is read into it (see shared-body-pool.ts).
      giveBackSharedBody(request.body);
    }
  }

  private async decodeAndAppend(request: IngestRequest): Promise<DecodedPayload> {
    this.refuseIfBusy();
    // The receive time goes into the WAL with the request: retention judges it as of then, live and
    // on replay, and every event keeps it as its ingest time (INGEST_TIMESTAMP()), replayed or not.
    request.meta['receivedAtNs'] ??= nowNs().toString();
    // Large bodies decode in a worker thread: the event loop keeps answering meanwhile.
    this.decodingBytes += request.body.length;
    let candidate: DecodedPayload;
    try {
      candidate = await decodePayload(request.format, request.body, request.meta, this.limits.maxBodyBytes);
    } finally {
      this.decodingBytes -= request.body.length;
    }
    if (request.checkDatasets !== undefined) request.checkDatasets(datasetsOf(candidate.batch.events));
    // Judged again now that it is decoded: requests decoded meanwhile may have filled the queue.
    this.refuseWhileEventsFull();
    const bytes = Math.max(request.body.length, candidate.decodedBytes ?? 0);
    const events = candidate.batch.events.length;
    this.decodedEvents += events;
    try {
      return await this.admitAppendAndEnqueue(request, candidate, bytes);
    } finally {
      this.decodedEvents -= events;
    }
  }

  private async admitAppendAndEnqueue(request: IngestRequest, candidate: DecodedPayload, bytes: number): Promise<DecodedPayload> {
    // Admission (in slices) and the WAL append run in this request's turn, so admission sees
    // requests in WAL order; the wait for durability runs outside it, so syncs still group.
    const turn = this.admissionTurns.then(() => this.admitAndAppend(request, candidate));
    this.admissionTurns = turn.then(
      () => undefined,
      () => undefined,
    );
    const { decoded, appended } = await turn;
    if (appended !== null) await this.enqueueWhenDurable(decoded, appended, bytes, receivedAtNs(request.meta) ?? null);
    return decoded;
  }

  private async admitAndAppend(request: IngestRequest, candidate: DecodedPayload): Promise<{ decoded: DecodedPayload; appended: WalAppend | null }> {
    const decoded = await admitPayloadInSlices(candidate, request.format, this.store, receivedAtNs(request.meta));
    if (decoded.batch.events.length === 0) return { decoded, appended: null };
    // Checksummed ahead, in slices: in one go a 64 MB body's checksum held the event loop for ~90 ms.
    const bodyCrc = await walBodyCrc(request.format, request.meta, request.body);
    try {
      return { decoded, appended: this.wal.append(request.format, request.meta, request.body, bodyCrc) };
    } catch (error) {
      throw this.walFailure(error);
    }
  }

  /**
   * Back-pressure by size, as maxPendingEvents is by count: while the bodies being decoded or
   * queued for commit reach the bound, requests are refused as retryable (large bodies also
   * count those being received: reserveBody). Judged before a request
   * is taken, not by whether it would overflow the bound: a large body would then starve behind a
   * steady stream of small ones (measured: two 64 MB bodies refused for 10 s each). So what is held
   * stays under the bound plus one body of the body limit.
   */
  private refuseWhileQueuedBytesFull(): void {
    this.forgetCommitted();
    if (this.queuedBytes + this.decodingBytes < (this.limits.maxQueuedBodyBytes ?? INGEST_LIMITS.queuedBodyBytes.value)) return;
    this.flushSoon();
    throw new IngestBusyError('Waggle is busy writing earlier data; retry shortly');
  }

  /** Whether ingest can take writes now: not while replaying the WAL, nor while writes fail (full disk). */
  readiness(): Readiness {
    const replay = this.replayProgress;
    if (replay !== null) return { ready: false, reason: `replaying the write-ahead log (${replay.done} of ${replay.total} requests)` };
    return this.writeReadiness.current();
  }

  private refuseWhileWritesFail(): void {
    const replay = this.replayProgress;
    if (replay !== null) throw new IngestNotReadyError(`Waggle is replaying its write-ahead log (${replay.done} of ${replay.total} requests); retry shortly`);
    const state = this.writeReadiness.current();
    if (!state.ready) throw new IngestNotReadyError(`Waggle cannot store data now: ${state.reason}; retry later`);
  }

  /**
   * Queues a request's events for commit once its WAL entry is durable. Queued only then: a
   * request whose write or sync failed was cut out of the WAL again and must not be stored either
   * (the client was told to retry). Syncs settle in WAL order, so the queue stays in WAL order.
   */
  private async enqueueWhenDurable(decoded: DecodedPayload, appended: WalAppend, bytes: number, receivedAt: bigint | null): Promise<void> {
    try {
      await appended.durable;
    } catch (error) {
      throw this.walFailure(error);
    }
    this.store.enqueue(decoded.batch.events, appended.position, receivedAt);
    this.enqueuedTotal += decoded.batch.events.length;
    this.enqueueTimes.push({ total: this.enqueuedTotal, atMs: performance.now(), bytes });
    this.queuedBytes += bytes;
  }

  /** A failed WAL write or sync: writes fail until a probe succeeds; the client is told to retry. */
  private walFailure(error: unknown): unknown {
    if (!(error instanceof WalWriteError)) return error;
    const reason = error.diskFull ? `the disk is full at ${error.dir}` : `writing the write-ahead log at ${error.dir} fails (${error.errno})`;
    this.writesFail(reason);
    return new IngestNotReadyError(`Waggle cannot store data now: ${reason}; retry later`);
  }

  /** Marks writes as failing and probes until they succeed again. */
  private writesFail(reason: string): void {
    if (this.writeReadiness.markNotReady(reason)) this.logger.error(`not ready: ${reason}; refusing ingest (503) until writes succeed again`);
    if (this.probeTimer !== null) return;
    const probe = (): void => {
      this.probeTimer = setTimeout(() => {
        void this.probeWrites().then((recovered) => {
          if (recovered) this.probeTimer = null;
          else if (this.probeTimer !== null) probe();
        });
      }, WAL_LIMITS.diskProbeIntervalMs.value);
      this.probeTimer.unref();
    };
    probe();
  }

  /**
   * One probe while writes fail: a test write in the WAL's directory, then a commit of whatever
   * is queued (which trims the WAL). Both succeed: ready again.
   */
  private async probeWrites(): Promise<boolean> {
    try {
      this.wal.repairFailedWrite();
      await probeWritable(this.wal.directory(), WAL_LIMITS.diskProbeBytes.value);
    } catch (error) {
      if (isDiskFullError(error)) this.writeReadiness.markNotReady(`the disk is full at ${this.wal.directory()}`);
      return false;
    }
    await this.flushNow();
    if (this.lastFlushError !== null) {
      if (this.storeDir !== null && !diskIsFull(this.storeDir)) this.writeReadiness.markNotReady(`commits to the store fail: ${(this.lastFlushError as Error).message}`);
      return false;
    }
    if (this.writeReadiness.markReady()) this.logger.info('writes succeed again; ingest resumed');
    return true;
  }

  /** Starts a commit unless one is running. */
  flushSoon(): void {
    if (this.flushing) return;
    this.flushing = this.flushNow().finally(() => {
      this.flushing = null;
    });
  }

  /** Commits everything queued now and trims the WAL. */
  async flushNow(): Promise<void> {
    const queued = this.store.pendingEvents();
    const startedAt = performance.now();
    try {
      await this.store.flush();
      // Measured here, where ingest sees commits: flush() also waits for a commit already running.
      if (queued > 0) this.metrics?.store.recordCommit((performance.now() - startedAt) / 1000, queued);
      this.wal.truncateThrough(await this.store.committedWalPosition());
      this.lastFlushError = null;
    } catch (error) {
      // The data stays queued and in the WAL; the next tick retries. A store reopening its database
      // refuses commits at once until it is back: that is waiting (the reopen has its own log line
      // and counter), not a commit failing ~8 times a second.
      if (!(error instanceof StoreReopeningError)) this.metrics?.store.recordCommitFailure();
      if (this.lastFlushError === null) this.logger.error(`commit failed, will retry: ${(error as Error).message}`);
      this.lastFlushError = error;
      this.commitFailed();
    }
  }

  /** A commit failed: when the store's disk is (nearly) full, stop taking writes until it is not. */
  private commitFailed(): void {
    if (this.storeDir !== null && diskIsFull(this.storeDir)) this.writesFail(`the disk is full at ${this.storeDir}`);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (this.flushing) await this.flushing;
    await this.flushNow();
    await this.wal.close();
  }
}

/** The receive time a request's meta records (absent in WAL entries written before it was recorded). */
function receivedAtNs(meta: Record<string, string>): bigint | undefined {
  const value = meta['receivedAtNs'];
  return value !== undefined && /^\d{1,19}$/.test(value) ? BigInt(value) : undefined;
}

/** The distinct datasets of a batch (events come grouped by resource, so runs share one). */
function datasetsOf(events: readonly { readonly dataset: string }[]): Set<string> {
  const datasets = new Set<string>();
  let last: string | null = null;
  for (const event of events) {
    if (event.dataset === last) continue;
    last = event.dataset;
    datasets.add(event.dataset);
  }
  return datasets;
}
