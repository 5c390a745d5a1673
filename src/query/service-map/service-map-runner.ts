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
  /** Milliseconds on a monotonic clock (tests move it); default performance.now. */
  readonly clock?: () => number;
}

/**
 * How long the rate a map ended at after running out of memory starts the next maps of a similar
 * size: long enough that a page reopened or refreshed does not fail the same way again (each try
 * of a 30M day costs seconds, run BC), short enough that a pool that was only busy is used fully
 * again soon.
 */
const LEARNED_JOIN_TTL_MS = 10 * 60_000;

/**
 * Spans a service map joins exactly with `poolBytes` of DuckDB's memory limit (null: the limit is
 * one this cannot read, and the default budget's pool, 358 MiB, is assumed).
 */
export function serviceMapJoinedSpans(poolBytes: number | null): number {
  const mib = (poolBytes ?? DEFAULT_POOL_BYTES) / (1024 * 1024);
  return Math.max(1, Math.floor(mib * ANALYSIS_LIMITS.serviceMapSpansPerPoolMiB.value));
}

/** DuckDB's pool under the default memory budget (1 GiB: 35 %, in whole MiB). */
const DEFAULT_POOL_BYTES = 358 * 1024 * 1024;

/**
 * Runs the service map against a store: a count of the spans its join would read, then the map,
 * over 1 in N traces when they are more than `maxJoinedSpans` (the join's memory follows them),
 * and over half as many traces again each time the store runs out of memory (the rate it ended
 * at then starts maps of a similar size for LEARNED_JOIN_TTL_MS). All are admitted reads, like
 * any query, within one time limit.
 */
export class ServiceMapRunner {
  /** The rate the last map that ran out of memory answered at in the end, over how many spans, until when. */
  private learned: { rate: number; ofSpans: number; untilMs: number } | null = null;

  constructor(
    private readonly store: SpanStore,
    private readonly options: ServiceMapRunnerOptions,
  ) {}

  private now(): number {
    return (this.options.clock ?? (() => performance.now()))();
  }

  /**
   * The rate a map over `spans` starts at: the limit's, or the one a map of a similar size (at
   * least half) ended at after running out of memory, for as many spans joined.
   */
  private startRate(spans: number): number {
    const byLimit = serviceMapTraceSampleRate(spans, this.options.maxJoinedSpans);
    const learned = this.learned;
    if (learned === null || learned.untilMs <= this.now() || spans * 2 < learned.ofSpans) return byLimit;
    return Math.max(byLimit, Math.ceil((spans * learned.rate) / learned.ofSpans));
  }

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
    let traceSampleRate = this.startRate(spans);
    let ranOut = false;
    for (;;) {
      const compiled = compileServiceMap(schema, dialect, window, { ...relations, traceSampleRate });
      const remainingMs = Math.max(1, Math.ceil(timeoutMs - (performance.now() - started)));
      try {
        const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: remainingMs });
        if (ranOut) this.learned = { rate: traceSampleRate, ofSpans: spans, untilMs: this.now() + LEARNED_JOIN_TTL_MS };
        return serviceMapFromRows(rows.rows, traceSampleRate);
      } catch (error) {
        // The store names the time its statement was given; the caller gave the whole map timeoutMs.
        if (error instanceof QueryTimeoutError) throw new QueryTimeoutError(`the service map took longer than ${timeoutMs} ms and was stopped (its last try joined 1 in ${traceSampleRate} traces); narrow its time range`);
        // The pool is shared: other queries (other maps) may hold much of it, and the limit is an
        // estimate. Half as many traces again, while there are traces to halve (BENCHMARKS.md run BC).
        if (!(error instanceof StoreOutOfMemoryError) || traceSampleRate * 2 > Math.max(2, spans)) throw error;
        traceSampleRate *= 2;
        ranOut = true;
      }
    }
  }
}
