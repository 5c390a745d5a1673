import type { LimitDefinition } from './limit-definition.js';

/** Bounds on API keys and UI sessions. */
export const AUTH_LIMITS = {
  maxKeys: {
    value: 1000,
    unit: 'keys',
    reason: 'API keys one data directory holds; creating one more is refused with 409 (revoke unused keys first). Keeps the key file small enough to read on every change.',
  },
  maxKeyNameChars: {
    value: 200,
    unit: 'characters',
    reason: 'Length of a key name; a longer one is refused with 400.',
  },
  maxSessions: {
    value: 10_000,
    unit: 'sessions',
    reason: 'UI sessions held in memory; beyond it the least recently used session is signed out.',
  },
  sessionIdleMs: {
    value: 12 * 60 * 60 * 1000,
    unit: 'ms',
    reason: 'A UI session unused this long is signed out (the browser shows the sign-in page again).',
  },
  sessionMaxAgeMs: {
    value: 7 * 24 * 60 * 60 * 1000,
    unit: 'ms',
    reason: 'A UI session ends this long after sign-in, used or not.',
  },
  maxFailedSecretCache: {
    value: 1000,
    unit: 'secrets',
    reason: 'Wrong secrets for known key ids remembered (by keyed hash) so that repeating one costs no scrypt; the oldest is forgotten beyond it.',
  },
  maxQueuedVerifications: {
    value: 32,
    unit: 'verifications',
    reason: 'Keys not yet proven (one scrypt each, 32 MiB, on the thread pool the WAL also uses) wait in one line, one at a time; beyond this many waiting a request is answered 503: guessing secrets cannot starve ingest.',
  },
  keyFileReloadMs: {
    value: 1000,
    unit: 'ms',
    reason: 'How often, at most, a running server looks whether `waggle keys` changed the key file: a key revoked from the CLI stops working within this time.',
  },
  lastUsedWriteMs: {
    value: 60_000,
    unit: 'ms',
    reason: 'How often, at most, the time each key was last used is written to disk (it is exact in memory).',
  },
} as const satisfies Record<string, LimitDefinition>;
