import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import { QueryTimeoutError, StoreOutOfMemoryError } from '../../core/errors.js';
import type { DatasetSelector, SpanStore, TimeWindow } from '../../store/span-store.js';
import { dialectOf } from '../compile/store-dialects.js';
import { compileServiceMap, compileServiceMapCallerCount, serviceMapTraceSampleRate } from './service-map-sql.js';
import { serviceMapFromRows, type ServiceMap } from './service-map-model.js';

/** A caller's span may start this long before the window and still be found (as relational queries look). */
const PARENT_MARGIN_NS = 3_600_000_000_000n;

export interface ServiceMapRunnerOptions {
  /**
   * Spans the map joins exactly (its callers' side); beyond it, whole traces 1 in N
   * (src/server/api-routes.ts derives it from DuckDB's pool: ANALYSIS_LIMITS.serviceMapSpansPerPoolMiB).
   */
  readonly maxJoinedSpans: number;
}

/** Spans a service map joins exactly with `poolBytes` of DuckDB's memory limit (duckDbPoolBytes). */
export function serviceMapJoinedSpans(poolBytes: number): number {
  return Math.max(1, Math.floor((poolBytes / (1024 * 1024)) * ANALYSIS_LIMITS.serviceMapSpansPerPoolMiB.value));
}

/**
 * Runs the service map against a store: a count of the spans its join would read, then the map,
 * over 1 in N traces when they are more than `maxJoinedSpans` (the join's memory follows them),
 * and over half as many traces again each time the store runs out of memory. All are admitted
 * reads, like any query, within one time limit.
 */
export class ServiceMapRunner {
  constructor(
    private readonly store: SpanStore,
    private readonly options: ServiceMapRunnerOptions,
  ) {}

  async run(selector: DatasetSelector, window: TimeWindow, timeoutMs: number): Promise<ServiceMap> {
    const started = performance.now();
    const schema = await this.store.querySchema({ kind: 'all' });
    const dialect = dialectOf(this.store.capabilities);
    const relations = {
      relation: (physical: readonly string[], range: TimeWindow) => this.store.relation(selector, physical, range),
      parentRelation: (physical: readonly string[], range: TimeWindow) => this.store.relation({ kind: 'all' }, physical, range),
      parentMarginNs: PARENT_MARGIN_NS,
    };
    const count = compileServiceMapCallerCount(schema, dialect, window, relations);
    const counted = await this.store.runSql(count.sql, count.parameters, { timeoutMs });
    const spans = Number(counted.rows[0]?.[0] ?? 0);
    let traceSampleRate = serviceMapTraceSampleRate(spans, this.options.maxJoinedSpans);
    for (;;) {
      const compiled = compileServiceMap(schema, dialect, window, { ...relations, traceSampleRate });
      const remainingMs = Math.max(1, Math.ceil(timeoutMs - (performance.now() - started)));
      try {
        const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: remainingMs });
        return serviceMapFromRows(rows.rows, traceSampleRate);
      } catch (error) {
        // The store names the time its statement was given; the caller gave the whole map timeoutMs.
        if (error instanceof QueryTimeoutError) throw new QueryTimeoutError(`the service map took longer than ${timeoutMs} ms and was stopped (its last try joined 1 in ${traceSampleRate} traces); narrow its time range`);
        // The pool is shared: other queries (other maps) may hold much of it, and the limit is an
        // estimate. Half as many traces again, while there are traces to halve (BENCHMARKS.md run BC).
        if (!(error instanceof StoreOutOfMemoryError) || traceSampleRate * 2 > Math.max(2, spans)) throw error;
        traceSampleRate *= 2;
      }
    }
  }
}
