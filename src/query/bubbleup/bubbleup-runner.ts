import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import { nowNs } from '../../core/unix-nanos.js';
import type { CalculatedField } from '../../derived/calculated-field.js';
import type { DatasetSelector, SpanStore } from '../../store/span-store.js';
import { dialectOf } from '../compile/store-dialects.js';
import type { CompileOptions } from '../compile/compile-context.js';
import type { ColumnBinding } from '../query-schema.js';
import type { QuerySpec } from '../query-spec.js';
import type { BubbleUpSelection } from './bubbleup-request.js';
import { shapeBubbleUpResult, type BubbleUpResult } from './bubbleup-result-shaper.js';
import { bubbleUpSampling, compileBubbleUp, compileBubbleUpTotals, type BubbleUpSampling, type CompiledBubbleUp, type CompiledBubbleUpTotals } from './bubbleup-sql.js';

/** Relational columns in the selection look this far either side of the range (as queries do). */
const RELATED_MARGIN_NS = 3_600_000_000_000n;

/**
 * Identifiers: (nearly) every span has its own value, so no value can stand out in share, while
 * grouping by them is the costliest grouping of all (a hash table as large as the query).
 */
const NOT_COMPARED = new Set(['trace.trace_id', 'trace.span_id', 'trace.parent_id']);

export interface BubbleUpAnswer extends BubbleUpResult {
  /** Columns of the dataset not compared (over ANALYSIS_LIMITS.bubbleUpColumns), least recently written. */
  readonly columns_left_out: readonly string[];
}

/**
 * The columns BubbleUp compares: every column of the selected datasets but identifiers and
 * derived ones (network.*: each needs a join per query), most recently written first (a column
 * without a time first; the sort is stable, so ties keep the schema's order), up to the limit.
 */
export function bubbleUpColumns(all: readonly ColumnBinding[], lastWritten: ReadonlyMap<string, string>): { compared: ColumnBinding[]; leftOut: string[] } {
  const candidates = all.filter((c) => !NOT_COMPARED.has(c.name) && c.derivation === undefined);
  const ordered = [...candidates].sort((a, b) => {
    const la = lastWritten.get(a.name);
    const lb = lastWritten.get(b.name);
    if ((la === undefined) !== (lb === undefined)) return la === undefined ? -1 : 1;
    return (lb ?? '').localeCompare(la ?? '');
  });
  const max = ANALYSIS_LIMITS.bubbleUpColumns.value;
  return { compared: ordered.slice(0, max), leftOut: ordered.slice(max).map((c) => c.name) };
}

/** Runs BubbleUp against a store: one admitted read, like any query. */
export class BubbleUpRunner {
  constructor(
    private readonly store: SpanStore,
    /** The stored calculated fields the query and the selection may use (derived columns, SLIs). */
    private readonly calculatedFields: (selector: DatasetSelector) => readonly CalculatedField[] = () => [],
  ) {}

  private options(selector: DatasetSelector, now: bigint): CompileOptions {
    return {
      nowNs: now,
      relation: (physical, range) => this.store.relation(selector, physical, range),
      relatedRelation: (physical, range) => this.store.relation({ kind: 'all' }, physical, range),
      disableSeries: true,
      relatedMarginNs: RELATED_MARGIN_NS,
      calculatedFields: this.calculatedFields(selector),
    };
  }

  /** Both statements, as run() runs them; `sampling` for the second comes from the first's answer. */
  async compile(
    selector: DatasetSelector,
    spec: QuerySpec,
    selection: BubbleUpSelection,
    now: bigint = nowNs(),
    sampling?: BubbleUpSampling,
  ): Promise<{ totals: CompiledBubbleUpTotals; compiled: CompiledBubbleUp; leftOut: string[] }> {
    const schema = await this.store.querySchema({ kind: 'all' });
    const own = await this.store.querySchema(selector);
    // Core columns carry the dataset's last write, so they sort first.
    const lastWritten = new Map((await this.store.listColumns(selector)).map((c) => [c.key_name, c.last_written]));
    const { compared, leftOut } = bubbleUpColumns(own.columns(), lastWritten);
    const options = this.options(selector, now);
    const totals = compileBubbleUpTotals(spec, selection, schema, dialectOf(this.store.capabilities), options);
    const compiled = compileBubbleUp(spec, selection, compared, schema, dialectOf(this.store.capabilities), options, sampling);
    return { totals, compiled, leftOut };
  }

  /**
   * Two admitted reads: the exact size of each side (cheap: only the selection's and filters'
   * columns), then the comparison over a sample of each side of at most
   * ANALYSIS_LIMITS.bubbleUpSampleEvents, so the cost of the groupings stays bounded however many
   * events the query covers. Both use the same "now", so a relative range is the same range.
   */
  async run(selector: DatasetSelector, spec: QuerySpec, selection: BubbleUpSelection, timeoutMs: number): Promise<BubbleUpAnswer> {
    const started = performance.now();
    const now = nowNs();
    const first = await this.compile(selector, spec, selection, now);
    const [counts] = (await this.store.runSql(first.totals.sql, first.totals.parameters, { timeoutMs })).rows;
    const exact = { selected: Number(counts?.[0] ?? 0), baseline: Number(counts?.[1] ?? 0) };
    const sampling = bubbleUpSampling(exact, ANALYSIS_LIMITS.bubbleUpSampleEvents.value);
    const { compiled, leftOut } = await this.compile(selector, spec, selection, now, sampling);
    const remaining = Math.max(1, Math.round(timeoutMs - (performance.now() - started)));
    const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: remaining });
    return { ...shapeBubbleUpResult(compiled, rows.rows, exact), columns_left_out: leftOut };
  }
}
