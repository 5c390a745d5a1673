import type { LimitDefinition } from './limit-definition.js';

/** Bounds on stored state (stored query specs, saved queries, boards). */
export const SAVED_LIMITS = {
  storedQuerySpecBytes: {
    value: 64 * 1024,
    unit: 'bytes',
    reason:
      'Size of one query spec as stored (its JSON) by POST /1/queries or POST /api/query. Real specs are a few kB; beyond this the request is refused with 413 before anything is kept.',
  },
  storedQueries: {
    value: 10_000,
    unit: 'queries',
    reason:
      'Stored query specs kept. Every distinct spec sent is stored so that its id resolves later; beyond this the least recently used ones are forgotten (specs named by a saved query are kept regardless).',
  },
  storedQueryBytes: {
    value: 16 * 1024 * 1024,
    unit: 'bytes',
    reason:
      'Total size of the stored query specs: bounds the memory they take and the file rewritten (off the event loop, at most once a second) when they change. Beyond it the least recently used are forgotten.',
  },
  storedQueryRetentionDays: {
    value: 7,
    unit: 'days',
    reason:
      "A stored query spec not used (created, read or run) for this long is forgotten, as Honeycomb keeps query results 7 days. Saved queries (query annotations) keep their spec forever.",
  },
} as const satisfies Record<string, LimitDefinition>;
