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
} as const satisfies Record<string, LimitDefinition>;
