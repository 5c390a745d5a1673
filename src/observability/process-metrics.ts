import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | null = null;

/**
 * prom-client's default metrics (CPU, resident memory, heap, event loop lag, GC, handles) under
 * their usual names (process_*, nodejs_*), which Node.js dashboards expect. One registry per
 * process: they describe the process, and each collectDefaultMetrics call adds observers for good,
 * so servers started one after another in one process (tests) must not each add their own.
 */
export function processMetricsRegistry(): Registry {
  if (shared === null) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
