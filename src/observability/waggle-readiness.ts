import type { Readiness } from '../ingest/write-readiness.js';
import type { StoreHealth } from '../store/span-store.js';

/**
 * Whether Waggle can ingest and query now, and if not why, from what each part says of itself:
 * listeners up, ingest ready (not replaying the WAL, writes succeed: no full disk), and the store
 * committing. The first reason that holds is given, in that order.
 */
export function waggleReadiness(listening: boolean, ingest: Readiness, store: StoreHealth): Readiness {
  if (!listening) return { ready: false, reason: 'starting' };
  if (!ingest.ready) return ingest;
  const reopening = store.reopening;
  if (reopening) {
    const attempts = reopening.failedAttempts === 0 ? '' : `; ${reopening.failedAttempts} ${reopening.failedAttempts === 1 ? 'attempt' : 'attempts'} failed, the last with: ${reopening.lastError ?? 'unknown error'}`;
    return { ready: false, reason: `the store is reopening its database after a fatal error invalidated it${attempts}` };
  }
  if (!store.committing) {
    const failures = store.consecutiveCommitFailures;
    return { ready: false, reason: `commits to the store keep failing (${failures} ${failures === 1 ? 'attempt' : 'attempts'} in a row): ${store.lastCommitError ?? 'unknown error'}` };
  }
  return { ready: true };
}
