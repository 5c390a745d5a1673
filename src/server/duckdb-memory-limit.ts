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
