import type { LimitDefinition } from './limit-definition.js';

/** Bounds on how the store heals itself. */
export const STORE_LIMITS = {
  reopenFirstBackoffMs: {
    value: 500,
    unit: 'ms',
    reason:
      'After DuckDB invalidates the database (a fatal error, a failed checkpoint) the store reopens it in the process; a failed attempt (e.g. the file cannot be opened yet) is retried after this long, doubling each time: soon enough that ingest resumes within about a second of the cause going away.',
  },
  reopenMaxBackoffMs: {
    value: 30_000,
    unit: 'ms',
    reason: 'Longest wait between two attempts to reopen the database: a cause that lasts (a full disk, a damaged file) is retried twice a minute rather than in a busy loop, each failure logged and counted in waggle_store_reopens_total{outcome="failure"}.',
  },
} as const satisfies Record<string, LimitDefinition>;
