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
  collectionBytes: {
    value: 16 * 1024 * 1024,
    unit: 'bytes (JSON characters)',
    reason:
      "JSON one collection of saved things clients create may take (boards, query annotations, markers, calculated fields, triggers, SLOs, burn alerts, recipients): each is held in memory and written whole, stringified on the event loop, at every change. Boards had no bound beyond their 256 KiB body: 800 boards of 250 KB took RSS to 1 251 MiB (1 314 with GET /1/boards), their POSTs up to 2.2 s each and /healthz 1.2 s, and markers are bounded per dataset only (issue 9: peak RSS ≤ 1 GiB). A create or update that would take a collection past it is refused with 409 and changes nothing; delete some first. At the bound each change stringifies 16 MiB (~30 ms).",
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
