import { UnavailableError } from '../../src/core/errors.js';
import type { QueryParameter } from '../../src/query/compile/compiled-query.js';
import { prepareQuerySpec } from '../../src/query/query-engine.js';
import { QueryRunner } from '../../src/query/query-runner.js';
import { duckDbMemoryLimit } from '../../src/server/duckdb-memory-limit.js';
import { resolveConfig } from '../../src/server/waggle-config.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import type { SqlRows } from '../../src/store/span-store.js';
import type { BenchQuery } from './bench-queries.js';

/** How long the compiled SQL of one benchmark query took straight on DuckDB, without the API. */
export interface DirectQueryTiming {
  readonly coldMs: number;
  readonly warmMs: readonly number[];
  /** The whole QueryRunner.run of each warm run (schema, compile, runSql, shaping): the rest of HTTP is the API and JSON. */
  readonly warmRunnerMs: readonly number[];
  /** Rows and series points after shaping, to check that the same query ran as over HTTP. */
  readonly resultRows: number;
  readonly seriesPoints: number;
  /** The SQL that ran (for the JSON results: what "the same SQL" was). */
  readonly sql: string;
}

/**
 * Opens the data directory the server wrote (after it stopped: DuckDB allows one process per
 * file) with the server's own store options and runs every query through the server's own
 * QueryRunner (prepareQuerySpec, then resolveQueryWindow, store.relation, compileQueryFor with
 * the related relation and margin, store.runSql, exactly as the query API does), but times only
 * the `store.runSql` call inside it: 1 cold run, then `warmRuns` warm ones, as over HTTP. Using the
 * runner itself rather than a copy of it keeps the SQL identical while the compiler changes. A
 * query that fails maps to its error message.
 */
export async function timeQueriesOnDuckDb(
  dataDir: string,
  queries: readonly BenchQuery[],
  warmRuns: number,
): Promise<Map<string, DirectQueryTiming | string>> {
  // The child server got this process's environment, so this is the configuration it ran with.
  const config = resolveConfig(process.env, []);
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, memoryLimit: duckDbMemoryLimit(config) });
  // Built now, as the server had it, so that its build does not run in the background under the timed
  // runs (its 3 s of CPU at 10M spans landed on COUNT by root.http.route, timed last).
  await store.refreshClientParentIndex();
  let lastSql = '';
  let lastMs = 0;
  // The real store; only runSql is wrapped, to time the statement the runner hands to DuckDB.
  const timed = new Proxy(store, {
    get(target, property) {
      if (property === 'runSql') {
        return async (sql: string, parameters: readonly QueryParameter[], options: { timeoutMs: number }): Promise<SqlRows> => {
          const started = performance.now();
          // Never from the store's kept results: this times the engine.
          const rows = await target.runSql(sql, parameters, { timeoutMs: options.timeoutMs });
          lastMs = performance.now() - started;
          lastSql = sql;
          return rows;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const runner = new QueryRunner(timed);
  const timings = new Map<string, DirectQueryTiming | string>();
  try {
    // POST /1/queries/__all__ resolves columns against every dataset.
    const schema = await store.querySchema({ kind: 'all' });
    for (const query of queries) {
      try {
        const spec = prepareQuerySpec(query.spec, schema);
        const options = { disableSeries: false, timeoutMs: config.queryTimeoutMs };
        const shaped = await runner.run({ kind: 'all' }, spec, options);
        const coldMs = lastMs;
        const sql = lastSql;
        const warmMs: number[] = [];
        const warmRunnerMs: number[] = [];
        for (let i = 0; i < warmRuns; i += 1) {
          const started = performance.now();
          await runner.run({ kind: 'all' }, spec, options);
          warmRunnerMs.push(performance.now() - started);
          warmMs.push(lastMs);
        }
        timings.set(query.name, { coldMs, warmMs, warmRunnerMs, resultRows: shaped.results.length, seriesPoints: shaped.series.length, sql });
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
