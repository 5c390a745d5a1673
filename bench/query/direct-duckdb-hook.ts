import type { BenchQuery } from './bench-queries.js';

/**
 * HOOK FOR THE LEAD — direct-DuckDB comparison ("Waggle overhead ≤ 15 %", issue 6).
 *
 * run-bench calls this after the server has stopped (DuckDB allows one process per database
 * file), with the data directory the server wrote. An implementation should open the store
 * read-only, compile each query's spec with the store's own compiler to SQL, run that SQL the same
 * number of warm times as the HTTP benchmark, and return the per-run milliseconds. Return null for
 * a query it cannot compile. While this stays `null`, the report shows the HTTP timings only.
 */
export interface DirectDuckDbHook {
  time(dataDir: string, queries: readonly BenchQuery[], warmRuns: number): Promise<Map<string, number[] | null>>;
}

export const directDuckDbHook: DirectDuckDbHook | null = null;
