import type { LimitDefinition } from './limit-definition.js';

/** Bounds on queries (admission, concurrency, time ranges). */
export const QUERY_LIMITS = {
  maxTimeRangeSeconds: {
    value: 100 * 365 * 86_400,
    unit: 'seconds',
    reason: 'Longest time_range (and LAST duration) of a query, 100 years: keeps now − time_range, with the hour of margin around relational lookups, inside what a nanosecond timestamp can hold (1677–2262); beyond it 400.',
  },
  maxTimestampSeconds: {
    value: Date.UTC(2262, 0, 1) / 1000,
    unit: 'seconds',
    reason: 'Latest start_time / end_time of a query (2262-01-01T00:00:00Z, Unix seconds): nanosecond timestamps end in April 2262; beyond it 400.',
  },
  concurrentQueries: {
    value: 2,
    unit: 'queries',
    reason:
      'Reads (query results, trace lookups, autocomplete, trace lists) running at once on the store. Each DuckDB read holds one of libuv\'s 4 pool threads for its whole run, and ingest needs that pool (commits, file I/O): beyond this, reads wait in the queue, so heavy queries slow each other and not ingest.',
  },
  queuedQueries: {
    value: 16,
    unit: 'queries',
    reason:
      'Reads waiting for a slot. Time spent waiting counts against the query timeout; beyond this many waiting, a read is refused with 503 and Retry-After (the server as a whole is busy, not the caller over a quota).',
  },
} as const satisfies Record<string, LimitDefinition>;
