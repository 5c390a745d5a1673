import type { LimitDefinition } from './limit-definition.js';

/** Bounds on queries (admission, concurrency, time ranges). */
export const QUERY_LIMITS = {} as const satisfies Record<string, LimitDefinition>;
