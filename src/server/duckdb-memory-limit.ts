import { duckDbSizeBytes } from '../store/duckdb/duckdb-size-text.js';
import { MEMORY_LIMITS } from '../core/limits/memory-limits.js';
import type { WaggleConfig } from './waggle-config.js';

const MIB = 1024 * 1024;

/**
 * DuckDB's memory limit with no memory budget (WAGGLE_MAX_MEMORY_BYTES=0): the fixed default the
 * pool had before it followed the budget, which the column limits (ingest.columns*) were measured
 * against (BENCHMARKS.md run K).
 */
export const UNBUDGETED_DUCKDB_MEMORY_LIMIT = '512MB';

/**
 * The memory_limit DuckDB opens with: WAGGLE_MEMORY_LIMIT when the operator named one; otherwise
 * memory.duckdbPoolPercent of WAGGLE_MAX_MEMORY_BYTES in whole MiB (the pool is the largest thing
 * that budget holds, and the one part of it fixed before anything runs; at least
 * memory.duckdbPoolMinBytes), or 512MB with no budget.
 * Resolved where the store opens, not in resolveConfig, so that a budget given to the server
 * directly (startWaggleServer's overrides) moves the pool with it.
 */
export function duckDbMemoryLimit(config: Pick<WaggleConfig, 'memoryLimit' | 'maxMemoryBytes'>): string {
  if (config.memoryLimit !== '') return config.memoryLimit;
  if (config.maxMemoryBytes === 0) return UNBUDGETED_DUCKDB_MEMORY_LIMIT;
  const share = Math.floor((config.maxMemoryBytes * MEMORY_LIMITS.duckdbPoolPercent.value) / 100 / MIB);
  const mib = Math.max(MEMORY_LIMITS.duckdbPoolMinBytes.value / MIB, share);
  return `${mib}MiB`;
}

/**
 * The bytes of DuckDB's memory limit: the one named, or, when that is text this cannot read (a
 * share such as `80%`, whose base is the machine's memory), the budget's share it would have
 * been without one.
 */
export function duckDbPoolBytes(config: Pick<WaggleConfig, 'memoryLimit' | 'maxMemoryBytes'>): number {
  const named = duckDbSizeBytes(duckDbMemoryLimit(config));
  if (named !== null) return named;
  // Without a named limit it is always `<n>MiB` or UNBUDGETED_DUCKDB_MEMORY_LIMIT: readable.
  return duckDbSizeBytes(duckDbMemoryLimit({ ...config, memoryLimit: '' })) ?? 0;
}
