import type { LimitDefinition } from './limit-definition.js';

/** Bounds on stored state (stored query specs, saved queries, boards). */
export const SAVED_LIMITS = {} as const satisfies Record<string, LimitDefinition>;
