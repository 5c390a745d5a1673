import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How a query ended: rows returned, stopped by WAGGLE_QUERY_TIMEOUT_MS, or failed otherwise. */
export type QueryOutcome = 'ok' | 'timed_out' | 'error';

/**
 * Queries run, queued and timed out. `finished` is fed by the query runner; the queue functions
 * are for query admission (the concurrency limit around the store's read pool) to call.
 */
export class QueryMetrics {
  private readonly duration: Histogram<'outcome'>;
  private readonly queuedTotal: Counter;
  private readonly rejectedTotal: Counter;
  private readonly queuedNow: Gauge;
  private readonly wait: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.duration = new Histogram({
      name: 'waggle_query_duration_seconds',
      help: 'Queries run (compile, execute, shape), by outcome: ok, timed_out (WAGGLE_QUERY_TIMEOUT_MS) or error. Its _count is the number of queries run.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.queuedTotal = new Counter({ name: 'waggle_queries_queued_total', help: 'Queries that had to wait for a free slot (query admission).', registers });
    this.rejectedTotal = new Counter({ name: 'waggle_queries_rejected_total', help: 'Queries refused because the admission queue was full.', registers });
    this.queuedNow = new Gauge({ name: 'waggle_queries_waiting', help: 'Queries waiting for a free slot now.', registers });
    this.wait = new Histogram({
      name: 'waggle_query_queue_wait_seconds',
      help: 'Time queries waited for a free slot before running.',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  recordQueryFinished(outcome: QueryOutcome, seconds: number): void {
    this.duration.observe({ outcome }, seconds);
  }

  /** A query starts waiting for a slot. */
  recordQueryQueued(): void {
    this.queuedTotal.inc();
    this.queuedNow.inc();
  }

  /** A waiting query got its slot (or gave up) after `waitSeconds`. */
  recordQueryDequeued(waitSeconds: number): void {
    this.queuedNow.dec();
    this.wait.observe(waitSeconds);
  }

  /** A query was refused without waiting (queue full). */
  recordQueryRejected(): void {
    this.rejectedTotal.inc();
  }
}
