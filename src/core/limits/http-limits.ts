import type { LimitDefinition } from './limit-definition.js';

/** Bounds on HTTP requests and the API (request lines, headers, JSON bodies). */
export const HTTP_LIMITS = {} as const satisfies Record<string, LimitDefinition>;
