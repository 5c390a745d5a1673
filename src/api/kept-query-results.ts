import { QUERY_LIMITS } from '../core/limits/query-limits.js';

/**
 * Query results that GET /1/query_results/:dataset/:id answers after the POST that created them,
 * kept as the JSON the POST sent (no object graph in V8's heap: the answer's objects weighed
 * several times their text) and bounded in number and in bytes (query.keptResults,
 * query.keptResultBytes): the oldest go first.
 */
export class KeptQueryResults {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxResults: number = QUERY_LIMITS.keptResults.value,
    private readonly maxBytes: number = QUERY_LIMITS.keptResultBytes.value,
  ) {}

  /** Keeps a result's JSON under its id; one larger than the whole bound is not kept (answers false). */
  keep(id: string, json: Buffer): boolean {
    if (json.length > this.maxBytes) return false;
    const previous = this.entries.get(id);
    if (previous !== undefined) {
      this.entries.delete(id);
      this.bytes -= previous.length;
    }
    this.entries.set(id, json);
    this.bytes += json.length;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= this.maxResults && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.length;
    }
    return true;
  }

  get(id: string): Buffer | undefined {
    return this.entries.get(id);
  }

  /** Bytes of JSON kept now. */
  keptBytes(): number {
    return this.bytes;
  }
}
