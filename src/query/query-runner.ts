import { QueryTimeoutError } from '../core/errors.js';
import type { CalculatedField } from '../derived/calculated-field.js';
import { nowNs } from '../core/unix-nanos.js';
import type { QueryMetrics } from '../observability/query-metrics.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';
import { resolveQueryWindow } from './compile/query-window.js';
import type { CompileOptions } from './compile/compile-context.js';
import type { CompiledQuery } from './compile/compiled-query.js';
import type { QueryResultData } from './compile/query-result-shaper.js';
import { rawEventsPageRows, rawEventsSpan, shapeRawEvents, type RawEventRow, type RawEventsPage } from './compile/raw-events-compiler.js';
import { compileQueryFor, compileRawEventsFor, compileRawEventsSpanFor, shapeCompiledResult } from './query-engine.js';
import type { QuerySpec } from './query-spec.js';

/** Relational prefixes (root., parent., any., none.) and network.* look this far either side of the range for related spans. */
const RELATED_MARGIN_NS = 3_600_000_000_000n;

export interface QueryRunOptions {
  disableSeries: boolean;
  timeoutMs: number;
}

/**
 * Runs a validated spec against a store: resolves the time window, asks the store for the relation
 * covering it, compiles for the store's dialect, executes with bound parameters, shapes the rows.
 */
export class QueryRunner {
  constructor(
    private readonly store: SpanStore,
    private readonly metrics: QueryMetrics | null = null,
    /** The stored calculated fields a query of the selection may use (derived columns). */
    private readonly calculatedFields: (selector: DatasetSelector) => readonly CalculatedField[] = () => [],
  ) {}

  /**
   * The statement run() executes, compiled exactly as run() does it (same ranges, margins and
   * weighting): the benchmark times it straight on DuckDB to measure Waggle's own overhead.
   */
  async compile(selector: DatasetSelector, spec: QuerySpec, options: Pick<QueryRunOptions, 'disableSeries'>, now: bigint = nowNs()): Promise<CompiledQuery> {
    const window = resolveQueryWindow(spec, now);
    // Columns resolve against every dataset: a trace crosses datasets, and so do root./parent. columns.
    const schema = await this.store.querySchema({ kind: 'all' });
    return compileQueryFor(this.store.capabilities.dialect, spec, schema, {
      nowNs: now,
      // Each scan asks for its own range (the query's, or widened for related spans): the store skips segments outside it.
      relation: (physicalColumns, range) => this.store.relation(selector, physicalColumns, range),
      relatedRelation: (physicalColumns, range) => this.store.relation({ kind: 'all' }, physicalColumns, range),
      disableSeries: options.disableSeries,
      weighted: this.store.hasSampledEvents(window),
      relatedMarginNs: RELATED_MARGIN_NS,
      clientParents: this.store.clientParentSource?.(selector),
      calculatedFields: this.calculatedFields(selector),
    });
  }

  /**
   * The events behind a spec (its filters and time range), newest first: compiled through the same
   * event scan as run(), over the same relations, admitted and timed like any query; `pageRows`
   * is the page's row count before its bytes bound cut it (page.maxBytes).
   */
  async runRawEvents(selector: DatasetSelector, spec: QuerySpec, page: RawEventsPage, options: Pick<QueryRunOptions, 'timeoutMs'>): Promise<{ events: RawEventRow[]; pageRows: number }> {
    const startedAt = performance.now();
    try {
      const schema = await this.store.querySchema({ kind: 'all' });
      const compileOptions: CompileOptions = {
        nowNs: nowNs(),
        relation: (physicalColumns, range) => this.store.relation(selector, physicalColumns, range),
        relatedRelation: (physicalColumns, range) => this.store.relation({ kind: 'all' }, physicalColumns, range),
        disableSeries: true,
        relatedMarginNs: RELATED_MARGIN_NS,
        clientParents: this.store.clientParentSource?.(selector),
      };
      // Two steps: where in time the page lies (timestamps alone), then the page's events whole,
      // read and sorted only there (compileRawEventsSpan).
      const dialect = this.store.capabilities.dialect;
      const located = compileRawEventsSpanFor(dialect, spec, schema, compileOptions, page);
      const deadline = performance.now() + options.timeoutMs;
      const span = rawEventsSpan((await this.store.runSql(located.sql, located.parameters, { timeoutMs: options.timeoutMs })).rows);
      if (span === null) {
        this.metrics?.recordQueryFinished('ok', (performance.now() - startedAt) / 1000);
        return { events: [], pageRows: 0 };
      }
      const compiled = compileRawEventsFor(dialect, spec, schema, compileOptions, page, span);
      const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: Math.max(1, Math.round(deadline - performance.now())) });
      this.metrics?.recordQueryFinished('ok', (performance.now() - startedAt) / 1000);
      return { events: shapeRawEvents(compiled, rows.rows), pageRows: rawEventsPageRows(compiled, rows.rows) };
    } catch (error) {
      this.metrics?.recordQueryFinished(error instanceof QueryTimeoutError ? 'timed_out' : 'error', (performance.now() - startedAt) / 1000);
      throw error;
    }
  }

  async run(selector: DatasetSelector, spec: QuerySpec, options: QueryRunOptions): Promise<QueryResultData> {
    const startedAt = performance.now();
    try {
      const compiled = await this.compile(selector, spec, options);
      // Shaping only reads the rows: the store may answer from a result it kept.
      const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: options.timeoutMs, cacheable: true });
      const result = shapeCompiledResult(compiled, rows.rows);
      this.metrics?.recordQueryFinished('ok', (performance.now() - startedAt) / 1000);
      return result;
    } catch (error) {
      this.metrics?.recordQueryFinished(error instanceof QueryTimeoutError ? 'timed_out' : 'error', (performance.now() - startedAt) / 1000);
      throw error;
    }
  }
}
