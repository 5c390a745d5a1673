import { Counter, Gauge, Registry } from 'prom-client';
import type { MemoryBudgetStats } from './process-memory-budget.js';
import { AuthMetrics } from './auth-metrics.js';
import { HttpMetrics } from './http-metrics.js';
import { IngestMetrics } from './ingest-metrics.js';
import { processMetricsRegistry } from './process-metrics.js';
import { QueryMetrics } from './query-metrics.js';
import { StoreMetrics, type StoreMetricsSources } from './store-metrics.js';

export interface WaggleMetricsSources extends StoreMetricsSources {
  /** Whether Waggle can ingest and query now (what /readyz answers). */
  readonly ready: () => boolean;
  /** The process's memory budget (WAGGLE_MAX_MEMORY_BYTES) and what it did; absent in tools that run no budget. */
  readonly memory?: { readonly budgetBytes: number; stats(): MemoryBudgetStats };
}

/**
 * Every metric of one running Waggle, in a registry of its own (so that servers in one process
 * never mix their counts), plus the process-wide default metrics. GET /metrics renders both.
 */
export class WaggleMetrics {
  readonly registry = new Registry();
  readonly ingest: IngestMetrics;
  readonly http: HttpMetrics;
  readonly store: StoreMetrics;
  readonly queries: QueryMetrics;
  readonly auth: AuthMetrics;

  constructor(sources: WaggleMetricsSources) {
    this.ingest = new IngestMetrics(this.registry);
    this.http = new HttpMetrics(this.registry);
    this.store = new StoreMetrics(this.registry, sources);
    this.queries = new QueryMetrics(this.registry);
    this.auth = new AuthMetrics(this.registry);
    new Gauge({
      name: 'waggle_ready',
      help: '1 when Waggle can ingest and query (/readyz answers 200), 0 otherwise.',
      registers: [this.registry],
      collect() {
        this.set(sources.ready() ? 1 : 0);
      },
    });
    const memory = sources.memory;
    if (memory !== undefined) this.addMemoryBudgetMetrics(memory);
  }

  private addMemoryBudgetMetrics(memory: NonNullable<WaggleMetricsSources['memory']>): void {
    const registers = [this.registry];
    new Gauge({ name: 'waggle_memory_budget_bytes', help: 'WAGGLE_MAX_MEMORY_BYTES: the resident memory Waggle keeps under (0: no budget).', registers, collect() {
      this.set(memory.budgetBytes);
    } });
    // Counters read from the budget's own tally at each scrape.
    const tally = (name: string, help: string, read: (stats: MemoryBudgetStats) => number): void => {
      new Counter({ name, help, registers, collect() {
        this.reset();
        this.inc(read(memory.stats()));
      } });
    };
    tally('waggle_memory_forced_collections_total', "Full collections of V8's heap the memory budget asked for (RSS over 75 % of the budget).", (s) => s.forcedCollections);
    tally('waggle_memory_forced_collection_seconds_total', 'Event-loop time spent in those collections.', (s) => s.forcedCollectionSeconds);
    tally('waggle_compactions_deferred_total', 'Lifecycle passes that left a compaction for later because RSS was over 70 % of the memory budget while ingest was taking requests.', (s) => s.compactionDeferrals);
  }

  /** The Prometheus text exposition (format 0.0.4) of Waggle's metrics and the process's. */
  async render(): Promise<{ contentType: string; body: string }> {
    const own = await this.registry.metrics();
    const process = await processMetricsRegistry().metrics();
    return { contentType: this.registry.contentType, body: `${own}\n${process}` };
  }
}
