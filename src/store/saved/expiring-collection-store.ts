import fs from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from './durable-file-writer.js';

export interface ExpiringCollectionOptions {
  /** A document not used for this long is forgotten. */
  readonly retentionMs: number;
  /** Documents kept at most; beyond, the least recently used go. */
  readonly maxCount: number;
  /** Total JSON size kept at most; beyond, the least recently used go. */
  readonly maxBytes: number;
  /** Ids that must never be forgotten (named by something kept forever). */
  readonly pinnedIds: () => ReadonlySet<string>;
  /** Changes are written at most this often, in one write. */
  readonly writeDelayMs: number;
  /** Milliseconds since the epoch; tests pass a clock they control. */
  readonly clock: () => number;
  readonly log: (message: string) => void;
}

/** A use only moves expiry, a week away: it is written within this long (sooner with a change). */
const TOUCH_WRITE_DELAY_MS = 60_000;

interface Entry<T> {
  readonly document: T;
  /** The document's JSON, kept so a rewrite of the file is string joins, not a re-serialisation. */
  readonly json: string;
  lastUsedMs: number;
}

/** One element of the file: the document and when it was last used. */
interface StoredElement<T> {
  last_used_ms: number;
  document: T;
}

/**
 * A cache of JSON documents that is also durable, for data that is worth keeping but may be lost:
 * the query specs stored by POST /1/queries and /api/query. Documents expire `retentionMs` after
 * their last use and are capped in count and bytes (least recently used go first); pinned ids
 * stay. Writes never hold a request: a change is in memory at once and reaches the file in one
 * coalesced, async write shortly after. A failed write (a full disk) is logged and retried with
 * the next change; until then, documents since the last good write are lost by a restart.
 */
export class ExpiringCollectionStore<T extends { id: string }> {
  /** In least-recently-used-first order: a use moves an entry to the end. */
  private readonly entries = new Map<string, Entry<T>>();
  private totalBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDueAt = 0;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private lastWriteFailed = false;

  private constructor(
    private readonly file: string,
    private readonly options: ExpiringCollectionOptions,
  ) {}

  /** Reads the file (at startup, synchronously); an older file of bare documents is accepted. */
  static open<T extends { id: string }>(dir: string, name: string, options: ExpiringCollectionOptions): ExpiringCollectionStore<T> {
    fs.mkdirSync(dir, { recursive: true });
    const store = new ExpiringCollectionStore<T>(path.join(dir, `${name}.json`), options);
    if (fs.existsSync(store.file)) {
      const now = options.clock();
      const parsed = JSON.parse(fs.readFileSync(store.file, 'utf8')) as Array<StoredElement<T> | T>;
      for (const element of parsed) {
        const stored = 'document' in element && 'last_used_ms' in element ? element : { document: element as T, last_used_ms: now };
        store.insert(stored.document, stored.last_used_ms);
      }
      store.evict(now);
    }
    return store;
  }

  /** The document, counting this as a use; undefined when unknown or expired. */
  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const now = this.options.clock();
    if (this.isExpired(entry, now) && !this.options.pinnedIds().has(id)) {
      this.remove(id);
      this.scheduleWrite();
      return undefined;
    }
    this.touch(id, entry, now);
    return entry.document;
  }

  /** Keeps a document (or counts a use of the same one, keeping the first). Never fails for the disk. */
  put(document: T): T {
    const existing = this.entries.get(document.id);
    const now = this.options.clock();
    if (existing !== undefined) {
      this.touch(document.id, existing, now);
      return existing.document;
    }
    this.insert(document, now);
    this.evict(now);
    this.scheduleWrite();
    return document;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Writes pending changes now and waits for the file (tests, shutdown). */
  async flush(): Promise<void> {
    this.cancelTimer();
    while (this.writing !== null || this.dirty) {
      if (this.writing === null) this.startWrite();
      await this.writing;
      this.cancelTimer();
    }
  }

  private insert(document: T, lastUsedMs: number): void {
    const json = JSON.stringify(document);
    this.entries.set(document.id, { document, json, lastUsedMs });
    this.totalBytes += Buffer.byteLength(json);
  }

  private touch(id: string, entry: Entry<T>, now: number): void {
    entry.lastUsedMs = now;
    this.entries.delete(id);
    this.entries.set(id, entry);
    // Last use matters only to expiry, a week away: written lazily (or with the next change).
    this.scheduleWrite(TOUCH_WRITE_DELAY_MS);
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.totalBytes -= Buffer.byteLength(entry.json);
  }

  private isExpired(entry: Entry<T>, now: number): boolean {
    return now - entry.lastUsedMs > this.options.retentionMs;
  }

  /** Forgets expired entries, then the least recently used until within count and bytes; pinned ones stay. */
  private evict(now: number): void {
    const pinned = this.options.pinnedIds();
    for (const [id, entry] of this.entries) {
      if (this.isExpired(entry, now) && !pinned.has(id)) this.remove(id);
    }
    if (this.entries.size <= this.options.maxCount && this.totalBytes <= this.options.maxBytes) return;
    for (const id of [...this.entries.keys()]) {
      if (this.entries.size <= this.options.maxCount && this.totalBytes <= this.options.maxBytes) break;
      if (!pinned.has(id)) this.remove(id);
    }
  }

  private scheduleWrite(delayMs: number = this.options.writeDelayMs): void {
    this.dirty = true;
    if (this.writing !== null) return;
    const dueAt = performance.now() + delayMs;
    if (this.timer !== null && this.timerDueAt <= dueAt) return;
    this.cancelTimer();
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.writing === null) this.startWrite();
    }, delayMs);
    this.timer.unref();
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private startWrite(): void {
    this.cancelTimer();
    this.dirty = false;
    this.evict(this.options.clock());
    const parts: string[] = [];
    for (const entry of this.entries.values()) parts.push(`{"last_used_ms":${entry.lastUsedMs},"document":${entry.json}}`);
    const snapshot = `[${parts.join(',')}]`;
    this.writing = writeFileDurably(this.file, snapshot)
      .then(() => {
        if (this.lastWriteFailed) this.options.log(`${this.file} is written again`);
        this.lastWriteFailed = false;
      })
      .catch((error: unknown) => {
        // Queries do not fail for this: the specs stay in memory and the next change retries.
        if (!this.lastWriteFailed) this.options.log(`cannot write ${this.file}, its changes are kept in memory only until a write succeeds: ${(error as Error).message}`);
        this.lastWriteFailed = true;
      })
      .finally(() => {
        this.writing = null;
        if (this.dirty) {
          this.dirty = false;
          this.scheduleWrite();
        }
      });
  }
}
