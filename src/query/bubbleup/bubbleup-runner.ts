import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import { nowNs } from '../../core/unix-nanos.js';
import type { CalculatedField } from '../../derived/calculated-field.js';
import type { BlockSample, DatasetSelector, SpanStore } from '../../store/span-store.js';
import { dialectOf } from '../compile/store-dialects.js';
import type { CompileOptions } from '../compile/compile-context.js';
import type { ColumnBinding } from '../query-schema.js';
import type { QuerySpec } from '../query-spec.js';
import type { BubbleUpSelection } from './bubbleup-request.js';
import { shapeBubbleUpResult, type BubbleUpResult } from './bubbleup-result-shaper.js';
import { blockSampling, sideExtent, type SegmentSide } from './bubbleup-block-sample.js';
import { bubbleUpSampling, compileBubbleUp, compileBubbleUpTotals, relationBlockSample, type BubbleUpSampling, type CompiledBubbleUp, type CompiledBubbleUpTotals } from './bubbleup-sql.js';

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

  private options(selector: DatasetSelector, now: bigint, blockSample?: BlockSample): CompileOptions {
    // A block sample: the store reads only the blocks either side samples (related spans are looked up whole).
    return {
      nowNs: now,
      relation: (physical, range) => this.store.relation(selector, physical, range, blockSample),
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
    const dialect = dialectOf(this.store.capabilities);
    const totals = compileBubbleUpTotals(spec, selection, schema, dialect, this.options(selector, now), this.store.capabilities.rowsPerBlock);
    const compiled = compileBubbleUp(spec, selection, compared, schema, dialect, this.options(selector, now, sampling === undefined ? undefined : relationBlockSample(sampling, selection)), sampling);
    return { totals, compiled, leftOut };
  }

  /**
   * Two admitted reads: the exact size of each side (cheap: only the selection's and filters'
   * columns, and on a store that samples blocks, where each side's rows lie), then the comparison
   * over a sample of each side of about ANALYSIS_LIMITS.bubbleUpSampleEvents, so the cost of the
   * groupings stays bounded however many events the query covers; on a store that samples blocks
   * (DuckDB), read from a bounded number of blocks (bubbleup-block-sample.ts), so the cost of
   * reading the compared columns stays bounded too. Both use the same "now", so a relative range
   * is the same range.
   */
  async run(selector: DatasetSelector, spec: QuerySpec, selection: BubbleUpSelection, timeoutMs: number): Promise<BubbleUpAnswer> {
    const started = performance.now();
    const now = nowNs();
    const first = await this.compile(selector, spec, selection, now);
    const { rows } = await this.store.runSql(first.totals.sql, first.totals.parameters, { timeoutMs });
    const rowsPerBlock = this.store.capabilities.rowsPerBlock;
    let exact: { selected: number; baseline: number };
    let sampling: BubbleUpSampling;
    if (rowsPerBlock === undefined) {
      exact = { selected: Number(rows[0]?.[0] ?? 0), baseline: Number(rows[0]?.[1] ?? 0) };
      sampling = bubbleUpSampling(exact, ANALYSIS_LIMITS.bubbleUpSampleEvents.value);
    } else {
      const side = (events: unknown, firstRow: unknown, lastRow: unknown): SegmentSide => ({ events: Number(events ?? 0), firstRow: Number(firstRow ?? 0), lastRow: Number(lastRow ?? 0) });
      const selected = rows.map((r) => side(r[1], r[3], r[4]));
      const baseline = rows.map((r) => side(r[2], r[5], r[6]));
      exact = { selected: selected.reduce((n, s) => n + s.events, 0), baseline: baseline.reduce((n, s) => n + s.events, 0) };
      const plan = blockSampling({ selected: sideExtent(selected, rowsPerBlock), baseline: sideExtent(baseline, rowsPerBlock) }, {
        perSide: ANALYSIS_LIMITS.bubbleUpSampleEvents.value,
        minBlocks: ANALYSIS_LIMITS.bubbleUpSampleMinBlocks.value,
        maxBlocks: ANALYSIS_LIMITS.bubbleUpSampleMaxBlocks.value,
      });
      sampling = { selectedRate: plan.selected.rate, baselineRate: plan.baseline.rate, blocks: { rowsPerBlock, ...plan } };
    }
    const { compiled, leftOut } = await this.compile(selector, spec, selection, now, sampling);
    const remaining = Math.max(1, Math.round(timeoutMs - (performance.now() - started)));
    const result = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: remaining });
    return { ...shapeBubbleUpResult(compiled, result.rows, exact), columns_left_out: leftOut };
  }
}
