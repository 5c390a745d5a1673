import type { LimitDefinition } from './limit-definition.js';

/** Bounds on ingested data (attributes per event, columns per dataset, key and value sizes). */
export const INGEST_LIMITS = {
  zstdMinWindowBytes: {
    value: 8 * 1024 * 1024,
    unit: 'bytes',
    reason:
      'A zstd frame may declare a window up to the larger of this and the body limit (zstd encoders use 8 MiB windows even for small bodies); the decoder allocates the window whole, so a larger one is refused with 413 before any allocation.',
  },
  zstdWindowBudgetFrames: {
    value: 4,
    unit: 'frames',
    reason:
      'The windows of all zstd frames in one body add up to at most this many largest windows, so a body of many tiny frames each declaring a big window cannot make the decoder allocate without bound (413).',
  },
} as const satisfies Record<string, LimitDefinition>;
