import { InvalidQueryError } from '../../core/errors.js';
import { withCalculatedFields } from '../../derived/calculated-field-schema.js';
import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import type { CompileContext, CompileOptions } from '../compile/compile-context.js';
import type { QueryParameter } from '../compile/compiled-query.js';
import { buildEventScan } from '../compile/event-scan-sql.js';
import { FILTER_SQL } from '../compile/filter-sql.js';
import { resolveQueryWindow } from '../compile/query-window.js';
import type { SqlDialect } from '../compile/sql-dialect.js';
import { SqlParameters } from '../compile/sql-parameters.js';
import { typedValueParameter } from '../compile/typed-value-parameter.js';
import { calculatedFieldOf } from '../compile/query-compiler.js';
import { resolveQueryColumns } from '../query-column-resolver.js';
import { blockSampleUnit, ROW_POSITION_COLUMNS, type BlockSample } from '../../store/span-store.js';
import type { ColumnBinding, ColumnType, QuerySchema } from '../query-schema.js';
import type { BlockSampling, SideSampling } from './bubbleup-block-sample.js';
import type { QuerySpec } from '../query-spec.js';
import type { ResolvedColumn, ResolvedFilter } from '../resolved-query.js';
import type { BubbleUpSelection } from './bubbleup-request.js';

/** Equal-width buckets per number column (integer columns: whole-number widths, so fewer when the range is small). */
export const BUBBLEUP_NUMBER_BUCKETS = 10;

/** A compared column and how its values come back. */
export interface BubbleUpColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * The statement comparing the two sides. Rows: `__set` (index into `columns`), `__v` (the value as
 * text; for numbers the bucket index, -1 for NaN and infinities; NULL for missing), `__ns` and
 * `__nb` (sampled events of the selection and of the baseline with that value), `__lo` and `__w`
 * (number columns: the first bucket's lower bound and the bucket width), `__ts` and `__tb` (the
 * sampled totals of each side), ordered by `__set`. No rows when the sample is empty.
 */
export interface CompiledBubbleUp {
  readonly sql: string;
  readonly parameters: readonly QueryParameter[];
  readonly columns: readonly BubbleUpColumn[];
  readonly sampling: BubbleUpSampling;
}

/** The statement counting each side exactly: one row, (selected, baseline). */
export interface CompiledBubbleUpTotals {
  readonly sql: string;
  readonly parameters: readonly QueryParameter[];
}

/**
 * Which share of each side the comparison reads (1: every event). Shares of values are estimated
 * from the sample; a sample of 10 000 events puts a share within about one point of its true
 * value (two standard errors), far below the gaps BubbleUp is looking for.
 */
export interface BubbleUpSampling {
  readonly selectedRate: number;
  readonly baselineRate: number;
  /**
   * A block sample (stores with capabilities.rowsPerBlock): the rates are then blockRate × keepRate
   * of each side, the relation reads only blocks below the higher blockRate, and each side keeps
   * its own blocks and events. Absent: each event is sampled alone, by a hash of the event.
   */
  readonly blocks?: { readonly rowsPerBlock: number } & BlockSampling;
}

/**
 * The blocks the store's relation reads: those either side samples. A heatmap box's events all
 * lie in its time range, so outside it only the baseline's blocks are read.
 */
export function relationBlockSample(sampling: BubbleUpSampling, selection: BubbleUpSelection): BlockSample | undefined {
  const blocks = sampling.blocks;
  if (blocks === undefined) return undefined;
  const either = Math.max(blocks.selected.blockRate, blocks.baseline.blockRate);
  if (selection.kind !== 'box') return either >= 1 ? undefined : { rate: either };
  if (blocks.baseline.blockRate >= 1) return undefined;
  return { rate: blocks.baseline.blockRate, within: { startNs: selection.startNs, endNs: selection.endNs, rate: either } };
}

/** Row position columns (a store with rowsPerBlock): each event's segment and row. */
const POSITION_BINDINGS: readonly ColumnBinding[] = [
  { name: ROW_POSITION_COLUMNS.segment, type: 'integer', sql: ROW_POSITION_COLUMNS.segment, physicalColumns: [ROW_POSITION_COLUMNS.segment] },
  { name: ROW_POSITION_COLUMNS.row, type: 'integer', sql: ROW_POSITION_COLUMNS.row, physicalColumns: [ROW_POSITION_COLUMNS.row] },
];
/** One object per column: the scan finds a column's group by identity. */
const POSITION_COLUMNS: readonly ResolvedColumn[] = POSITION_BINDINGS.map((binding) => ({ written: binding.name, relation: 'event', binding }));
const positionColumns = (): readonly ResolvedColumn[] => POSITION_COLUMNS;

/** Sampling rates that read about `perSide` events of each side. */
export function bubbleUpSampling(totals: { readonly selected: number; readonly baseline: number }, perSide: number): BubbleUpSampling {
  const rate = (n: number): number => (n <= perSide ? 1 : perSide / n);
  return { selectedRate: rate(totals.selected), baselineRate: rate(totals.baseline) };
}

function fail(field: string, message: string): never {
  throw new InvalidQueryError(`${field}: ${message}`, field);
}

function isNumeric(type: ColumnType): boolean {
  return type === 'integer' || type === 'float';
}

/** The selection's predicate over `__base`'s group columns (`__g<k>`), NULL read as "not selected". */
interface SelectionPlan {
  readonly columns: readonly ResolvedColumn[];
  readonly predicate: (groupOf: (column: ResolvedColumn) => string, params: SqlParameters, dialect: SqlDialect) => string;
}

function selectionPlan(selection: BubbleUpSelection, schema: QuerySchema): SelectionPlan {
  if (selection.kind === 'box') {
    const binding = schema.column(selection.column);
    if (binding === undefined) fail('selection.column', `no column ${selection.column}`);
    if (!isNumeric(binding.type)) fail('selection.column', `must be a number column (a heatmap's), ${selection.column} is ${binding.type}`);
    const value: ResolvedColumn = { written: selection.column, relation: 'event', binding };
    const timestamp: ResolvedColumn = { written: 'timestamp', relation: 'event', binding: schema.roles.timestampNs };
    return {
      columns: [timestamp, value],
      predicate: (groupOf, params, dialect) => {
        const ts = groupOf(timestamp);
        const v = groupOf(value);
        return (
          `${ts} >= ${params.add({ type: 'bigint', value: selection.startNs })} AND ${ts} < ${params.add({ type: 'bigint', value: selection.endNs })} ` +
          `AND ${v} >= ${params.add({ type: 'double', value: selection.min })} AND ${v} <= ${params.add({ type: 'double', value: selection.max })} AND ${dialect.toDouble(v)} = ${dialect.toDouble(v)}`
        );
      },
    };
  }
  const spec: QuerySpec = { calculations: [{ op: 'COUNT' }], filters: selection.filters, filter_combination: 'AND', breakdowns: [], orders: [], havings: [], limit: 1, time_range: 7200 };
  let filters: readonly ResolvedFilter[];
  try {
    filters = resolveQueryColumns(spec, schema).filters;
  } catch (error) {
    if (error instanceof InvalidQueryError) throw new InvalidQueryError(`selection.${error.message}`, `selection.${error.field ?? 'filters'}`);
    throw error;
  }
  filters.forEach((f, i) => {
    if (f.column.relation === 'any' || f.column.relation === 'none') fail(`selection.filters[${i}].column`, `the ${f.column.relation}. prefix is not supported in a selection (it selects traces, not events)`);
  });
  return {
    columns: filters.map((f) => f.column),
    predicate: (groupOf, params, dialect) =>
      filters.map((f) => `(${FILTER_SQL[f.op](groupOf(f.column), f.values.map((v) => params.add(typedValueParameter(v))), dialect)})`).join(' AND '),
  };
}

/** Bucket index of a number column, from `__lo<j>`/`__w<j>` of `__rng`; -1 for NaN and infinities. */
function bucketSql(value: string, j: number, dialect: SqlDialect): string {
  const v = dialect.toDouble(value);
  const index = `CAST(floor((${v} - __rng.__lo${j}) / __rng.__w${j}) AS BIGINT)`;
  return `CASE WHEN ${value} IS NULL THEN NULL WHEN NOT ${dialect.isFinite(v)} THEN -1 ELSE least(${index}, ${BUBBLEUP_NUMBER_BUCKETS - 1}) END`;
}

/** First bucket's lower bound and width of a number column over every event of the query (both sides share the buckets). */
function rangeSql(group: string, j: number, type: ColumnType, dialect: SqlDialect): string[] {
  const v = dialect.toDouble(group);
  const lo = `min(${v}) FILTER (WHERE ${dialect.isFinite(v)})`;
  const hi = `max(${v}) FILTER (WHERE ${dialect.isFinite(v)})`;
  const n = dialect.doubleLiteral(BUBBLEUP_NUMBER_BUCKETS);
  const width =
    type === 'integer'
      ? `greatest(1.0, ceil((${hi} - ${lo} + 1) / ${n}))`
      : `CASE WHEN ${hi} > ${lo} THEN (${hi} - ${lo}) / ${n} ELSE 1.0 END`;
  return [`${lo} AS __lo${j}`, `${width} AS __w${j}`];
}

interface BubbleUpScan {
  readonly ctes: readonly string[];
  readonly breakdowns: readonly ResolvedColumn[];
  readonly groupOf: (column: ResolvedColumn) => string;
  /** The selection's predicate over `__base`, NULL read as false. */
  readonly selected: string;
  readonly params: SqlParameters;
}

/**
 * The query's events (its time range and filters, through the same event scan as every query)
 * with the given columns as `__g<k>` in `__base`, and the selection's predicate over them.
 */
function bubbleUpScan(spec: QuerySpec, selection: BubbleUpSelection, columns: readonly ResolvedColumn[], baseSchema: QuerySchema, dialect: SqlDialect, options: CompileOptions): BubbleUpScan {
  const params = new SqlParameters(dialect);
  // Calculated fields (stored ones, such as an SLO's SLI, and the query's own) may be filtered on
  // by the query and the selection, as in any query; their constants bind to this statement's parameters.
  const fields = [...(options.calculatedFields ?? []), ...(spec.calculated_fields ?? [])];
  const schema = fields.length === 0 ? baseSchema : withCalculatedFields(baseSchema, fields, { dialect, params, fieldOf: calculatedFieldOf(spec) });
  const resolved = resolveQueryColumns(spec, schema);
  const sel = selectionPlan(selection, schema);
  const breakdowns = [...columns, ...sel.columns];
  const window = resolveQueryWindow(spec, options.nowNs);
  const ctx: CompileContext = {
    query: { spec, calculations: [], filters: resolved.filters, breakdowns },
    schema,
    dialect,
    params,
    window,
    options: { ...options, weighted: false },
  };
  // __base is read by the sample alone, once: computed in the stream rather than stored.
  const scan = buildEventScan(ctx, { readTwice: true });
  const groupOf = (column: ResolvedColumn): string => `__g${breakdowns.indexOf(column)}`;
  return { ctes: scan.ctes, breakdowns, groupOf, selected: `coalesce(${sel.predicate(groupOf, params, dialect)}, false)`, params };
}

/**
 * Counts the selection and the baseline exactly (reads only the selection's and the filters'
 * columns). One row, (selected, baseline); with `rowsPerBlock` (a store that samples blocks), one
 * row per segment instead: `__seg`, `__ts`, `__tb`, then the first and last row of each side
 * (`__s0`, `__s1`, `__b0`, `__b1`), from which blocksOfSide estimates the blocks each side spans.
 */
export function compileBubbleUpTotals(spec: QuerySpec, selection: BubbleUpSelection, schema: QuerySchema, dialect: SqlDialect, options: CompileOptions, rowsPerBlock?: number): CompiledBubbleUpTotals {
  if (rowsPerBlock === undefined) {
    const scan = bubbleUpScan(spec, selection, [], schema, dialect, options);
    const sql = `WITH ${scan.ctes.join(',\n')}\nSELECT count(*) FILTER (WHERE ${scan.selected}) AS __ts, count(*) FILTER (WHERE NOT ${scan.selected}) AS __tb FROM __base`;
    return { sql, parameters: scan.params.values() };
  }
  const [segment, row] = positionColumns();
  const scan = bubbleUpScan(spec, selection, [segment!, row!], schema, dialect, options);
  const seg = scan.groupOf(segment!);
  const r = scan.groupOf(row!);
  const sql =
    `WITH ${scan.ctes.join(',\n')}\n` +
    `SELECT ${seg} AS __seg, count(*) FILTER (WHERE __s) AS __ts, count(*) FILTER (WHERE NOT __s) AS __tb, ` +
    `min(${r}) FILTER (WHERE __s) AS __s0, max(${r}) FILTER (WHERE __s) AS __s1, min(${r}) FILTER (WHERE NOT __s) AS __b0, max(${r}) FILTER (WHERE NOT __s) AS __b1 ` +
    `FROM (SELECT ${seg}, ${r}, ${scan.selected} AS __s FROM __base) AS __p GROUP BY ${seg} ORDER BY ${seg}`;
  return { sql, parameters: scan.params.values() };
}

/**
 * Compiles BubbleUp's comparison: the query's events split into the selection and the rest (the
 * baseline), each side sampled at its rate (by a hash of the event's time and span id, so the
 * same events every time), kept once in memory (`__x`, at most ~2 × bubbleUpSampleEvents rows),
 * and for every compared column the events per value on each side in one pass: GROUPING SETS
 * give one grouping per column over the same rows. Number columns are bucketed over the sample's
 * range of the column; only the values that can matter are returned per column (the most frequent
 * on each side and the most different in share, ANALYSIS_LIMITS.bubbleUpValuesPerSide of each).
 *
 * `dimensions` are the columns to compare (bindings of the dataset's schema); `schema` resolves
 * the query's and the selection's columns.
 */
export function compileBubbleUp(
  spec: QuerySpec,
  selection: BubbleUpSelection,
  dimensions: readonly ColumnBinding[],
  schema: QuerySchema,
  dialect: SqlDialect,
  options: CompileOptions,
  sampling: BubbleUpSampling = { selectedRate: 1, baselineRate: 1 },
): CompiledBubbleUp {
  const dims: ResolvedColumn[] = dimensions.map((binding) => ({ written: binding.name, relation: 'event', binding }));
  const eventKeys: ResolvedColumn[] = [
    { written: 'timestamp', relation: 'event', binding: schema.roles.timestampNs },
    { written: 'span_id', relation: 'event', binding: schema.roles.spanId },
  ];
  const blocks = sampling.blocks;
  const sampleKeys = blocks === undefined ? eventKeys : [...eventKeys, ...positionColumns()];
  const scan = bubbleUpScan(spec, selection, [...dims, ...sampleKeys], schema, dialect, options);
  const { groupOf, params } = scan;
  const unit = dialect.sampleUnit(eventKeys.map(groupOf));
  const rate = (r: number): string => params.add({ type: 'double', value: r });
  let sampled: string;
  if (blocks === undefined) {
    // The lower rate alone is a filter on the sample keys only, which the engine can apply while
    // scanning, before it reads the other columns; the side-dependent part comes after.
    const low = Math.min(sampling.selectedRate, sampling.baselineRate);
    const high = Math.max(sampling.selectedRate, sampling.baselineRate);
    const sideOfHigh = sampling.selectedRate >= sampling.baselineRate ? '__s' : 'NOT __s';
    sampled = low >= 1 ? '' : ` WHERE ${unit} < ${rate(high)} AND (${sideOfHigh} OR ${unit} < ${rate(low)})`;
  } else {
    // The store's relation already reads only the blocks below the higher block rate (so the scan
    // decodes nothing else); each side keeps the blocks below its own rate (the same unit), then
    // its share of their events.
    const [segment, row] = positionColumns();
    const blockUnit = blockSampleUnit(dialect.sampleUnit, groupOf(row!), groupOf(segment!), blocks.rowsPerBlock);
    const side = (s: SideSampling): string => {
      const terms = [...(s.blockRate < 1 ? [`${blockUnit} < ${rate(s.blockRate)}`] : []), ...(s.keepRate < 1 ? [`${unit} < ${rate(s.keepRate)}`] : [])];
      return terms.length === 0 ? 'true' : terms.join(' AND ');
    };
    const all = sampling.selectedRate >= 1 && sampling.baselineRate >= 1;
    sampled = all ? '' : ` WHERE CASE WHEN __s THEN ${side(blocks.selected)} ELSE ${side(blocks.baseline)} END`;
  }

  const numeric = dims.map((d, j) => ({ d, j })).filter(({ d }) => isNumeric(d.binding.type));
  const dimSql = dims.map((d, j) => (isNumeric(d.binding.type) ? bucketSql(groupOf(d), j, dialect) : groupOf(d)));
  const sets = dims.map((_, j) => `(__d${j})`).join(', ');
  const setOf = `CASE ${dims.map((_, j) => `WHEN GROUPING(__d${j}) = 0 THEN ${j}`).join(' ')} END`;
  const valueOf = `CASE ${dims.map((_, j) => `WHEN GROUPING(__d${j}) = 0 THEN ${dialect.toText(`__d${j}`)}`).join(' ')} END`;
  const perSet = (column: (j: number) => string): string =>
    numeric.length === 0 ? dialect.typedNull('double') : `CASE __set ${numeric.map(({ j }) => `WHEN ${j} THEN ${column(j)}`).join(' ')} END`;
  const keep = ANALYSIS_LIMITS.bubbleUpValuesPerSide.value;
  const share = (count: string, total: string): string => `${dialect.toDouble(count)} / greatest(${total}, 1)`;

  const ctes = [
    ...scan.ctes,
    // The sample, kept: read twice (ranges, groupings), and small whatever the range holds.
    `__x AS ${dialect.materializedCte()} (SELECT * FROM (SELECT ${[...dims.map(groupOf), `${scan.selected} AS __s`, ...sampleKeys.map(groupOf)].join(', ')} FROM __base) AS __all${sampled})`,
    `__rng AS (SELECT ${[...numeric.flatMap(({ d, j }) => rangeSql(groupOf(d), j, d.binding.type, dialect)), 'count(*) FILTER (WHERE __s) AS __ts', 'count(*) FILTER (WHERE NOT __s) AS __tb'].join(', ')} FROM __x)`,
    `__agg AS (SELECT ${setOf} AS __set, ${valueOf} AS __v, count(*) FILTER (WHERE __s) AS __ns, count(*) FILTER (WHERE NOT __s) AS __nb ` +
      `FROM (SELECT ${[...dimSql.map((q, j) => `${q} AS __d${j}`), '__s'].join(', ')} FROM __x CROSS JOIN __rng) AS __y GROUP BY GROUPING SETS (${sets}))`,
    `__ranked AS (SELECT __set, __v, __ns, __nb, ` +
      `row_number() OVER (PARTITION BY __set ORDER BY __ns DESC, __v NULLS FIRST) AS __rs, ` +
      `row_number() OVER (PARTITION BY __set ORDER BY __nb DESC, __v NULLS FIRST) AS __rb, ` +
      `row_number() OVER (PARTITION BY __set ORDER BY abs(${share('__ns', '__rng.__ts')} - ${share('__nb', '__rng.__tb')}) DESC, __v NULLS FIRST) AS __rd ` +
      `FROM __agg CROSS JOIN __rng)`,
  ];
  const sql =
    `WITH ${ctes.join(',\n')}\n` +
    `SELECT __set, __v, __ns, __nb, ${perSet((j) => `__rng.__lo${j}`)} AS __lo, ${perSet((j) => `__rng.__w${j}`)} AS __w, __rng.__ts AS __ts, __rng.__tb AS __tb ` +
    `FROM __ranked CROSS JOIN __rng WHERE __rs <= ${keep} OR __rb <= ${keep} OR __rd <= ${keep} ORDER BY __set, __v NULLS LAST`;
  return { sql, parameters: params.values(), columns: dims.map((d) => ({ name: d.binding.name, type: d.binding.type })), sampling };
}
