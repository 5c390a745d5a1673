import { Gauge, Registry } from 'prom-client';
import { AuthMetrics } from './auth-metrics.js';
import { HttpMetrics } from './http-metrics.js';
import { IngestMetrics } from './ingest-metrics.js';
import { processMetricsRegistry } from './process-metrics.js';
import { QueryMetrics } from './query-metrics.js';
import { StoreMetrics, type StoreMetricsSources } from './store-metrics.js';

export interface WaggleMetricsSources extends StoreMetricsSources {
  /** Whether Waggle can ingest and query now (what /readyz answers). */
  readonly ready: () => boolean;
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
  }

  /** The Prometheus text exposition (format 0.0.4) of Waggle's metrics and the process's. */
  async render(): Promise<{ contentType: string; body: string }> {
    const own = await this.registry.metrics();
    const process = await processMetricsRegistry().metrics();
    return { contentType: this.registry.contentType, body: `${own}\n${process}` };
  }
}
