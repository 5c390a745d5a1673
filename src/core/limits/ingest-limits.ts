import type { LimitDefinition } from './limit-definition.js';

/** Bounds on ingested data (attributes per event, columns per dataset, key and value sizes). */
export const INGEST_LIMITS = {
  datasetNameChars: {
    value: 255,
    unit: 'characters',
    reason: "Honeycomb's own bound on dataset names; a longer name in a URL or x-honeycomb-dataset is refused with 400 (a longer service.name sends its spans to unknown_service).",
  },
} as const satisfies Record<string, LimitDefinition>;
