import { nowNs } from '../core/unix-nanos.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';
import { resolveQueryWindow } from './compile/query-window.js';
import type { QueryResultData } from './compile/query-result-shaper.js';
import { compileDuckDBQuery, shapeCompiledResult } from './query-engine.js';
import type { QuerySpec } from './query-spec.js';

export interface QueryRunOptions {
  disableSeries: boolean;
  timeoutMs: number;
}

/**
 * Runs a validated spec against a store: resolves the time window, asks the store for the relation
 * covering it, compiles for the store's dialect, executes with bound parameters, shapes the rows.
 */
export class QueryRunner {
  constructor(private readonly store: SpanStore) {}

  async run(selector: DatasetSelector, spec: QuerySpec, options: QueryRunOptions): Promise<QueryResultData> {
    const now = nowNs();
    const window = resolveQueryWindow(spec, now);
    // Relational prefixes (root., any.) look at whole traces: give them an hour either side.
    const margin = 3_600_000_000_000n;
    const relationWindow = { startNs: window.startNs - margin, endNs: window.endNs + margin };
    // Columns resolve against every dataset: a trace crosses datasets, and so do root./parent. columns.
    const schema = await this.store.querySchema({ kind: 'all' });
    const compiled = compileDuckDBQuery(spec, schema, {
      nowNs: now,
      relation: (physicalColumns) => this.store.relation(selector, physicalColumns, relationWindow),
      relatedRelation: (physicalColumns) => this.store.relation({ kind: 'all' }, physicalColumns, relationWindow),
      disableSeries: options.disableSeries,
      weighted: this.store.hasSampledEvents(window),
      relatedMarginNs: margin,
    });
    const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: options.timeoutMs });
    return shapeCompiledResult(compiled, rows.rows);
  }
}
