import type { LimitDefinition } from './limit-definition.js';

/** Bounds on stored state (stored query specs, saved queries, boards). */
export const SAVED_LIMITS = {
  markersPerDataset: {
    value: 10_000,
    unit: 'markers',
    reason: 'Markers are held in memory and rewritten as one file on each change; beyond this, creating a marker answers 409 until some are deleted.',
  },
  descriptionChars: {
    value: 1024,
    unit: 'characters',
    reason: "Honeycomb's bound on dataset and column descriptions; a longer one is refused with 400.",
  },
  columnKeyChars: {
    value: 255,
    unit: 'characters',
    reason: 'A column created through /1/columns with a longer key_name is refused with 400.',
  },
  markerTextChars: {
    value: 4096,
    unit: 'characters',
    reason: 'A marker message, type or url longer than this is refused with 400: markers are labels on charts, not documents.',
  },
  storedQuerySpecBytes: {
    value: 64 * 1024,
    unit: 'bytes',
    reason:
      'Size of one query spec as sent (its JSON) to POST /1/queries, or as parsed from POST /api/query. Real specs are a few kB; beyond this the request is refused with 413 before anything is kept.',
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
