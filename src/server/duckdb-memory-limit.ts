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

/** DuckDB's units for a memory limit (case-insensitive): decimal KB, MB, ... and binary KiB, MiB, ... */
const MEMORY_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1], ['b', 1], ['byte', 1], ['bytes', 1],
  ['kb', 1e3], ['mb', 1e6], ['gb', 1e9], ['tb', 1e12],
  ['kib', 1024], ['mib', 1024 ** 2], ['gib', 1024 ** 3], ['tib', 1024 ** 4],
]);

/**
 * The bytes a memory limit as DuckDB takes it stands for (`358MiB`, `512MB`, `1.5 GB`), or null
 * for one this cannot read (a share such as `80%`, whose base is the machine's memory).
 */
export function duckDbMemoryLimitBytes(limit: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(limit);
  if (match === null) return null;
  const unit = MEMORY_UNITS.get((match[2] ?? '').toLowerCase());
  if (unit === undefined) return null;
  return Math.floor(Number(match[1]) * unit);
}
