import type { LimitDefinition } from './limit-definition.js';

/** Bounds on ingested data (attributes per event, columns per dataset, key and value sizes). */
export const INGEST_LIMITS = {} as const satisfies Record<string, LimitDefinition>;
