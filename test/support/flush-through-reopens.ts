import type { SpanStore } from '../../src/store/span-store.js';
import { until } from './poll-until.js';

/**
 * Flushes until a flush succeeds: a commit that fails at COMMIT has the DuckDB store reopen its
 * database (the flush rejects, and flushes are refused while it reopens), and the commit is
 * retried after it.
 */
export async function flushThroughReopens(store: SpanStore, timeoutMs = 60_000): Promise<void> {
  await until(
    'a flush that commits',
    async () => {
      try {
        await store.flush();
        return true;
      } catch {
        return null;
      }
    },
    timeoutMs,
    100,
  );
}
