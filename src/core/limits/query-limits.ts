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
} as const satisfies Record<string, LimitDefinition>;
