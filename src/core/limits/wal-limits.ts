import type { LimitDefinition } from './limit-definition.js';

/** Bounds on the write-ahead log and the disk. */
export const WAL_LIMITS = {} as const satisfies Record<string, LimitDefinition>;
