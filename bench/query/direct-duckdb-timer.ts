import { UnavailableError } from '../../src/core/errors.js';
import { resolveQueryWindow } from '../../src/query/compile/query-window.js';
import { compileDuckDBQuery, prepareQuerySpec, shapeCompiledResult } from '../../src/query/query-engine.js';
import { resolveConfig } from '../../src/server/waggle-config.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import type { BenchQuery } from './bench-queries.js';

/** How long the compiled SQL of one benchmark query took straight on DuckDB, without the API. */
export interface DirectQueryTiming {
  readonly coldMs: number;
  readonly warmMs: readonly number[];
  /** Rows and series points after shaping, to check that the same query ran as over HTTP. */
  readonly resultRows: number;
  readonly seriesPoints: number;
  /** The SQL that ran (for the JSON results: what "the same SQL" was). */
  readonly sql: string;
}

/**
 * Mirrors QueryRunner.run: relational prefixes look an hour either side of the window. A copy,
 * not an import, because the runner keeps it private; the result-row check below notices if the
 * two drift apart.
 */
const RELATED_MARGIN_NS = 3_600_000_000_000n;

/**
 * Opens the data directory the server wrote (after it stopped: DuckDB allows one process per
 * file) with the server's own store options, compiles every query exactly as the query API does
 * (prepareQuerySpec, resolveQueryWindow, store.relation, compileDuckDBQuery) at the `nowNs` the
 * HTTP run used, and times only `store.runSql`: 1 cold run, then `warmRuns` warm ones, as over
 * HTTP. A query that fails maps to its error message.
 */
export async function timeQueriesOnDuckDb(
  dataDir: string,
  queries: readonly BenchQuery[],
  warmRuns: number,
  nowNs: bigint,
): Promise<Map<string, DirectQueryTiming | string>> {
  // The child server got this process's environment, so this is the configuration it ran with.
  const config = resolveConfig(process.env, []);
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, memoryLimit: config.memoryLimit });
  const timings = new Map<string, DirectQueryTiming | string>();
  try {
    // POST /1/queries/__all__ resolves columns against every dataset, and so does the runner.
    const schema = await store.querySchema({ kind: 'all' });
    for (const query of queries) {
      try {
        const spec = prepareQuerySpec(query.spec, schema);
        const window = resolveQueryWindow(spec, nowNs);
        const relationWindow = { startNs: window.startNs - RELATED_MARGIN_NS, endNs: window.endNs + RELATED_MARGIN_NS };
        const compiled = compileDuckDBQuery(spec, schema, {
          nowNs,
          relation: (physicalColumns) => store.relation({ kind: 'all' }, physicalColumns, relationWindow),
          relatedRelation: (physicalColumns) => store.relation({ kind: 'all' }, physicalColumns, relationWindow),
          disableSeries: false,
          weighted: store.hasSampledEvents(window),
          relatedMarginNs: RELATED_MARGIN_NS,
        });
        const run = async (): Promise<{ ms: number; rows: ReadonlyArray<readonly unknown[]> }> => {
          const started = performance.now();
          const result = await store.runSql(compiled.sql, compiled.parameters, { timeoutMs: config.queryTimeoutMs });
          return { ms: performance.now() - started, rows: result.rows };
        };
        const cold = await run();
        const warmMs: number[] = [];
        for (let i = 0; i < warmRuns; i += 1) warmMs.push((await run()).ms);
        const shaped = shapeCompiledResult(compiled, cold.rows);
        timings.set(query.name, {
          coldMs: cold.ms,
          warmMs,
          resultRows: shaped.results.length,
          seriesPoints: shaped.series.length,
          sql: compiled.sql,
        });
      } catch (error) {
        timings.set(query.name, error instanceof Error ? error.message : String(error));
      }
    }
  } finally {
    await store.close().catch((error: unknown) => {
      if (!(error instanceof UnavailableError)) throw error;
    });
  }
  return timings;
}
