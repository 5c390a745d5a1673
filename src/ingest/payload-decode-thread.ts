import { Worker } from 'node:worker_threads';
import type { EventRecord } from '../core/event-record.js';
import { WaggleError } from '../core/errors.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';
import { DecodedEventInterner } from './decoded-event-interner.js';
import type { DecodeReplyMessage, DecodeRequestMessage } from './payload-decode-messages.js';
import type { DecodedPayload } from './payload-decoders.js';
import type { PayloadFormat } from './wal/write-ahead-log.js';

/** How long an idle worker is kept (starting one costs ~50 ms; a large body comes with several). */
const IDLE_WORKER_MS = 30_000;

interface PendingJob {
  readonly events: EventRecord[];
  /** Shares the strings the structured clone copied, across the job's messages. */
  readonly interner: DecodedEventInterner;
  readonly resolve: (payload: DecodedPayload) => void;
  readonly reject: (error: unknown) => void;
  /** The body's size: once a large one is decoded, the worker is retired. */
  readonly bodyBytes: number;
  /** The worker it runs in: when that one dies, only its own jobs fail (not a successor's). */
  readonly worker: Worker;
}

/**
 * One worker thread that decodes large bodies so the event loop stays free (health checks,
 * acknowledgements, queries). Jobs run one after another in the worker: one core decodes, the
 * other stays with the main thread. The worker starts on first use, keeps the process alive only
 * while a job is in flight, stops after 30 s idle, or as soon as it is idle after a large body (its grown
 * heap would otherwise stay), and is replaced if it dies; a job in flight then fails as an
 * internal error.
 */
export class PayloadDecodeThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingJob>();
  private idleTimer: NodeJS.Timeout | null = null;

  /**
   * Decodes `body` off the main thread. The body is copied to the worker, unless `transfer` says
   * the caller no longer needs it: then its memory moves there and `body` is left empty.
   */
  decode(format: PayloadFormat, body: Uint8Array, meta: Record<string, string>, maxBytes: number, transfer = false): Promise<DecodedPayload> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const ownsWholeBuffer = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
    const job: DecodeRequestMessage = { kind: 'job', id, format, body, meta, maxBytes };
    return new Promise<DecodedPayload>((resolve, reject) => {
      // A job in flight keeps the process alive; an idle worker does not.
      if (this.pending.size === 0) worker.ref();
      if (this.idleTimer !== null) clearTimeout(this.idleTimer);
      this.idleTimer = null;
      this.pending.set(id, { events: [], interner: new DecodedEventInterner(), resolve, reject, bodyBytes: body.byteLength, worker });
      worker.postMessage(job, transfer && ownsWholeBuffer ? [body.buffer as ArrayBuffer] : []);
    });
  }

  /** Whether a worker thread is running now. */
  running(): boolean {
    return this.worker !== null;
  }

  /** Stops the worker; jobs in flight fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./payload-decode-worker.js', import.meta.url));
    worker.on('message', (message: DecodeReplyMessage) => this.onReply(message));
    const fail = (reason: string): void => {
      if (this.worker === worker) this.worker = null;
      for (const [id, job] of this.pending) {
        if (job.worker !== worker) continue;
        this.pending.delete(id);
        job.reject(new WaggleError('internal', `the decode worker stopped: ${reason}`));
      }
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('messageerror', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    // After the listeners (attaching one refs the worker again): idle, it never holds the process.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** An idle worker is let go after a while: its heap, grown by a large body, goes with it. */
  private becameIdle(retireNow: boolean): void {
    const worker = this.worker;
    worker?.unref();
    if (retireNow) {
      void this.close();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker === worker && this.pending.size === 0) void this.close();
    }, IDLE_WORKER_MS);
    this.idleTimer.unref();
  }

  private onReply(message: DecodeReplyMessage): void {
    const job = this.pending.get(message.id);
    if (!job) return;
    if (message.kind !== 'events' && this.pending.size === 1) this.becameIdle(job.bodyBytes >= INGEST_LIMITS.decodeWorkerRetireBytes.value);
    switch (message.kind) {
      case 'events': {
        job.interner.internEvents(message.events);
        for (const event of message.events) job.events.push(event);
        // Ask for the next message only after pending I/O had its turn (health checks, acks).
        const worker = this.worker;
        setImmediate(() => worker?.postMessage({ kind: 'more', id: message.id } satisfies DecodeRequestMessage));
        return;
      }
      case 'done': {
        this.pending.delete(message.id);
        const payload: DecodedPayload = {
          batch: { events: job.events, acceptedSpans: message.acceptedSpans, rejectedSpans: message.rejectedSpans, rejectionMessage: message.rejectionMessage },
        };
        if (message.itemStatuses !== undefined) payload.itemStatuses = message.itemStatuses;
        job.resolve(payload);
        return;
      }
      case 'failed':
        this.pending.delete(message.id);
        job.reject(message.code === null ? new Error(message.message) : new WaggleError(message.code, message.message));
        return;
    }
  }
}
