import { UnavailableError } from '../core/errors.js';
import type { SpanStore } from '../store/span-store.js';
import { PAYLOAD_DECODERS, type DecodedPayload } from './payload-decoders.js';
import type { PayloadFormat, WalEntry, WriteAheadLog } from './wal/write-ahead-log.js';

export interface IngestLimits {
  /** Largest body accepted, after decompression. */
  maxBodyBytes: number;
  /** Events queued for commit beyond which requests are refused as retryable (503). */
  maxPendingEvents: number;
  /** How often queued events are committed (freshness). */
  flushIntervalMs: number;
  /** Commit early once this many events are queued. */
  flushThresholdEvents: number;
}

export interface IngestRequest {
  format: PayloadFormat;
  /** The body as received: compressed when meta.contentEncoding says so. */
  body: Buffer;
  meta: Record<string, string>;
}

/**
 * The write path shared by every receiver: decode (to validate and to answer with partial
 * success), append the body to the WAL, queue the events in the store in WAL order, and resolve
 * once the WAL entry is durable. A background timer commits queued events to the store.
 */
export class IngestService {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastFlushError: unknown = null;

  constructor(
    private readonly wal: WriteAheadLog,
    private readonly store: SpanStore,
    private readonly limits: IngestLimits,
    private readonly log: (message: string) => void,
  ) {}

  /** Replays WAL entries that were acknowledged but not committed before the last stop. */
  async replay(entries: readonly WalEntry[]): Promise<number> {
    let events = 0;
    for (const entry of entries) {
      let decoded: DecodedPayload;
      try {
        decoded = PAYLOAD_DECODERS[entry.format](entry.payload, entry.meta, Number.MAX_SAFE_INTEGER);
      } catch (error) {
        this.log(`skipping WAL entry ${entry.position}: ${(error as Error).message}`);
        continue;
      }
      this.store.enqueue(decoded.batch.events, entry.position);
      events += decoded.batch.events.length;
    }
    await this.flushNow();
    return events;
  }

  start(): void {
    this.timer = setInterval(() => this.flushSoon(), this.limits.flushIntervalMs);
    this.timer.unref();
  }

  async ingest(request: IngestRequest): Promise<DecodedPayload> {
    if (this.store.pendingEvents() >= this.limits.maxPendingEvents) {
      this.flushSoon();
      throw new UnavailableError('Waggle is busy writing earlier data; retry shortly');
    }
    const decoded = PAYLOAD_DECODERS[request.format](request.body, request.meta, this.limits.maxBodyBytes);
    if (decoded.batch.events.length === 0) return decoded;
    const { position, durable } = this.wal.append(request.format, request.meta, request.body);
    this.store.enqueue(decoded.batch.events, position);
    if (this.store.pendingEvents() >= this.limits.flushThresholdEvents) this.flushSoon();
    await durable;
    return decoded;
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
    try {
      await this.store.flush();
      this.wal.truncateThrough(await this.store.committedWalPosition());
      this.lastFlushError = null;
    } catch (error) {
      // The data stays queued and in the WAL; the next tick retries.
      if (this.lastFlushError === null) this.log(`commit failed, will retry: ${(error as Error).message}`);
      this.lastFlushError = error;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.flushing) await this.flushing;
    await this.flushNow();
    await this.wal.close();
  }
}
