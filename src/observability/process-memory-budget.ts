import v8 from 'node:v8';
import vm from 'node:vm';
import { MEMORY_LIMITS } from '../core/limits/memory-limits.js';

/** What the budget did, for /metrics and the benchmarks. */
export interface MemoryBudgetStats {
  /** Collections of V8's heap the budget asked for, and the event loop's time spent in them. */
  readonly forcedCollections: number;
  readonly forcedCollectionSeconds: number;
  /** Lifecycle passes that did not start a compaction for memory. */
  readonly compactionDeferrals: number;
}

export interface MemoryBudgetOptions {
  /** WAGGLE_MAX_MEMORY_BYTES; 0: no budget (nothing is refused, deferred or collected). */
  readonly budgetBytes: number;
  /** memory.refuseIngestGraceMs unless a test shortens it. */
  readonly refuseIngestGraceMs?: number;
  /** memory.compactionIngestQuietMs unless a test shortens it. */
  readonly compactionIngestQuietMs?: number;
  /** Told once when RSS goes over the ingest share and once when it is back under. */
  readonly log?: (message: string) => void;
}

/**
 * One process-wide memory budget, judged on the process's resident memory (RSS: DuckDB's pool,
 * DuckDB's memory outside it and V8's heap together, which no one of them can see). Under the
 * budget it does nothing; as RSS nears it, it acts on the three things that add memory and can
 * wait, each at its share of the budget (MEMORY_LIMITS): V8 collects its garbage early,
 * compaction does not start another merge, and ingest refuses new requests (retryable) while its
 * own queue drains. Nothing acknowledged is ever refused or dropped.
 */
export class ProcessMemoryBudget {
  private rssBytes = 0;
  private sampledAtMs = Number.NEGATIVE_INFINITY;
  /** Since when RSS has been at or over the ingest share (null: under it). */
  private overIngestShareSinceMs: number | null = null;
  /** Since when compaction has been waiting for memory (null: not waiting). */
  private compactionWaitingSinceMs: number | null = null;
  private lastCollectionMs = Number.NEGATIVE_INFINITY;
  /** When ingest last asked to take a request (every request asks). */
  private lastIngestRequestMs = Number.NEGATIVE_INFINITY;
  private heapUsedAfterCollection = 0;
  private forcedCollections = 0;
  private forcedCollectionSeconds = 0;
  private compactionDeferrals = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly collectGarbage: (() => void) | null;

  constructor(private readonly options: MemoryBudgetOptions) {
    this.collectGarbage = options.budgetBytes > 0 ? exposedGarbageCollector() : null;
  }

  get budgetBytes(): number {
    return this.options.budgetBytes;
  }

  /** Samples RSS every memory.sampleIntervalMs (and collects garbage when due) until stop(). */
  start(): void {
    if (this.options.budgetBytes <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => this.sample(), MEMORY_LIMITS.sampleIntervalMs.value);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  stats(): MemoryBudgetStats {
    return { forcedCollections: this.forcedCollections, forcedCollectionSeconds: this.forcedCollectionSeconds, compactionDeferrals: this.compactionDeferrals };
  }

  /**
   * Whether ingest may take a new request now. `ingestHolds`: acknowledged events are queued for
   * commit (or bodies are being decoded), so refusing lets that memory go; with nothing held,
   * requests are refused only for the grace period after RSS went over (see MEMORY_LIMITS).
   */
  ingestMayTake(ingestHolds: boolean): boolean {
    if (this.options.budgetBytes <= 0) return true;
    this.lastIngestRequestMs = performance.now();
    const rss = this.currentRss();
    if (rss < this.share(MEMORY_LIMITS.refuseIngestPercent.value)) return true;
    if (ingestHolds) return false;
    const since = this.overIngestShareSinceMs ?? performance.now();
    return performance.now() - since >= (this.options.refuseIngestGraceMs ?? MEMORY_LIMITS.refuseIngestGraceMs.value);
  }

  /**
   * Whether a compaction may start now: RSS under its share, ingest quiet (nothing it would add
   * memory beside: what RSS holds then is mostly DuckDB's pool, whose cached blocks compaction
   * reuses within the pool's limit), or it has waited long enough.
   */
  compactionMayStart(): boolean {
    if (this.options.budgetBytes <= 0) return true;
    const now = performance.now();
    const ingestQuiet = now - this.lastIngestRequestMs >= (this.options.compactionIngestQuietMs ?? MEMORY_LIMITS.compactionIngestQuietMs.value);
    if (ingestQuiet || this.currentRss() < this.share(MEMORY_LIMITS.deferCompactionPercent.value)) {
      this.compactionWaitingSinceMs = null;
      return true;
    }
    this.compactionWaitingSinceMs ??= now;
    if (now - this.compactionWaitingSinceMs >= MEMORY_LIMITS.compactionMaxDeferMs.value) {
      // Waited its longest: this one runs, and the next wait starts afresh.
      this.compactionWaitingSinceMs = now;
      return true;
    }
    this.compactionDeferrals += 1;
    return false;
  }

  /** RSS as last sampled, read again when older than a few ms (ingest asks per request). */
  currentRss(): number {
    if (performance.now() - this.sampledAtMs > 20) this.sample();
    return this.rssBytes;
  }

  private share(percent: number): number {
    return (this.options.budgetBytes * percent) / 100;
  }

  private sample(): void {
    const now = performance.now();
    this.rssBytes = process.memoryUsage.rss();
    this.sampledAtMs = now;
    const over = this.rssBytes >= this.share(MEMORY_LIMITS.refuseIngestPercent.value);
    if (over && this.overIngestShareSinceMs === null) {
      this.overIngestShareSinceMs = now;
      this.options.log?.(`memory: RSS ${mib(this.rssBytes)} MiB is over ${MEMORY_LIMITS.refuseIngestPercent.value} % of WAGGLE_MAX_MEMORY_BYTES (${mib(this.options.budgetBytes)} MiB): ingest answers 503 + Retry-After while its queue drains`);
    } else if (!over && this.overIngestShareSinceMs !== null) {
      this.overIngestShareSinceMs = null;
      this.options.log?.(`memory: RSS ${mib(this.rssBytes)} MiB is back under ${MEMORY_LIMITS.refuseIngestPercent.value} % of WAGGLE_MAX_MEMORY_BYTES; ingest takes requests again`);
    }
    this.collectGarbageIfDue(now);
  }

  /**
   * V8 collects when its heuristic says so, which at a high RSS is too late: its heap is then
   * mostly garbage. A full collection here pauses the event loop (measured: BENCHMARKS.md run
   * AO), hence only near the budget, only after the heap grew, and at most once a second.
   */
  private collectGarbageIfDue(now: number): void {
    if (this.collectGarbage === null) return;
    if (this.rssBytes < this.share(MEMORY_LIMITS.collectGarbagePercent.value)) return;
    if (now - this.lastCollectionMs < MEMORY_LIMITS.collectGarbageIntervalMs.value) return;
    const used = v8.getHeapStatistics().used_heap_size;
    if (used - this.heapUsedAfterCollection < MEMORY_LIMITS.collectGarbageGrowthBytes.value) return;
    const started = performance.now();
    this.collectGarbage();
    const ended = performance.now();
    this.lastCollectionMs = ended;
    this.heapUsedAfterCollection = v8.getHeapStatistics().used_heap_size;
    this.forcedCollections += 1;
    this.forcedCollectionSeconds += (ended - started) / 1000;
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

/**
 * V8's `gc()`, which Node exposes only under `--expose-gc`: the flag is set for one new context
 * to fetch the function, then cleared, so that no other code sees a global `gc`. Null if the
 * runtime refuses (the budget then still refuses ingest and defers compaction).
 */
function exposedGarbageCollector(): (() => void) | null {
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    v8.setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
