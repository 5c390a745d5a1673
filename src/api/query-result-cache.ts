import { QUERY_LIMITS } from '../core/limits/query-limits.js';

/**
 * The answers of POST /1/query_results kept for GET /1/query_results/:id, as the JSON they were
 * sent as (a Buffer: a few times smaller than the objects it was made from, and outside V8's heap).
 * Bounded in count and in bytes (query.cachedResults, query.cachedResultBytes), the least recently
 * created or read going first: a thousand answers of 2 MB each held 740 MiB of objects (issue 9:
 * peak RSS ≤ 1 GiB). An answer larger than the byte bound is not kept at all.
 */
export class QueryResultCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number = QUERY_LIMITS.cachedResults.value,
    private readonly maxBytes: number = QUERY_LIMITS.cachedResultBytes.value,
  ) {}

  /** Keeps an answer's JSON under its result id (whether it fits is the cache's business). */
  set(id: string, json: Buffer): void {
    this.delete(id);
    if (json.length > this.maxBytes) return;
    this.entries.set(id, json);
    this.bytes += json.length;
    for (const [oldest, body] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= body.length;
    }
  }

  /** The answer's JSON, now the most recently used; undefined once it was let go. */
  get(id: string): Buffer | undefined {
    const json = this.entries.get(id);
    if (json === undefined) return undefined;
    this.entries.delete(id);
    this.entries.set(id, json);
    return json;
  }

  /** Bytes of JSON held (for tests and metrics). */
  heldBytes(): number {
    return this.bytes;
  }

  private delete(id: string): void {
    const json = this.entries.get(id);
    if (json === undefined) return;
    this.entries.delete(id);
    this.bytes -= json.length;
  }
}
