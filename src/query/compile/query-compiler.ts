import { withCalculatedFields } from '../../derived/calculated-field-schema.js';
import { seriesGroupsWithin, valuesPerGroup } from '../answer-values.js';
import { CALCULATION_OP_TRAITS } from '../calculation-op-traits.js';
import { resolveQueryColumns } from '../query-column-resolver.js';
import type { QuerySchema } from '../query-schema.js';
import { DEFAULT_LIMIT, type QuerySpec } from '../query-spec.js';
import type { ResolvedCalculation } from '../resolved-query.js';
import { CALCULATION_PLANS, HEATMAP_BUCKETS, RATE_BASE_SQL, countSql, type CalculationPlan } from './calculation-sql.js';
import type { CompileContext, CompileOptions } from './compile-context.js';
import type { CompiledQuery } from './compiled-query.js';
import { buildEventScan, scaledInput, type EventScan } from './event-scan-sql.js';
import { resolveQueryWindow, type QueryWindow } from './query-window.js';
import type { SqlDialect } from './sql-dialect.js';
import { SqlParameters } from './sql-parameters.js';

const HAVING_SQL = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' } as const;

/** The compiler's view of one query while it writes the statement. */
interface Plan {
  readonly ctx: CompileContext;
  readonly scan: EventScan;
  readonly groups: readonly string[];
  readonly calcs: readonly ResolvedCalculation[];
  readonly weight: string | undefined;
  /** Whether the aggregation also yields one row per (groups, bucket): for the series and RATE_*. */
  readonly cells: boolean;
  /** Cells of the top groups only, in a second pass over the events (see topGroupsFirst). */
  readonly topCellsOnly: boolean;
  /** Placeholders of the bucket origin and size (epoch ns), each bound once, when first used. */
  readonly origin: () => string;
  readonly granularity: () => string;
}

function once(f: () => string): () => string {
  let value: string | undefined;
  return () => (value ??= f());
}

function dialectOf(plan: Plan): SqlDialect {
  return plan.ctx.dialect;
}

function match(plan: Plan, a: string, b: string): string {
  if (plan.groups.length === 0) return 'TRUE';
  return plan.groups.map((g) => dialectOf(plan).nullSafeEquals(`${a}.${g}`, `${b}.${g}`)).join(' AND ');
}

function groupBy(keys: readonly string[]): string {
  return keys.length === 0 ? '' : ` GROUP BY ${keys.join(', ')}`;
}

function columns(prefix: string, names: readonly string[]): string[] {
  return names.map((n) => `${prefix}.${n}`);
}

function indexesOf(plan: Plan, kind: CalculationPlan['kind']): number[] {
  return plan.calcs.flatMap((c, k) => (CALCULATION_PLANS[c.op].kind === kind ? [k] : []));
}

function heatmapIndex(plan: Plan, k: number, value: string): string {
  const d = dialectOf(plan);
  const lo = `__hm${k}.__lo`;
  const hi = `__hm${k}.__hi`;
  const scaled = d.floorToInteger(`(${d.toDouble(value)} - ${lo}) * ${HEATMAP_BUCKETS} / (${hi} - ${lo})`);
  return `CASE WHEN ${value} IS NULL THEN NULL WHEN ${hi} = ${lo} THEN 0 ELSE least(${scaled}, ${HEATMAP_BUCKETS - 1}) END`;
}

/**
 * Every aggregate the calculations need, written once: `__a<k>` for aggregates and heatmaps,
 * `__rb<k>` for the per-bucket base of RATE_*. CONCURRENCY is computed apart (see concurrencyCte).
 */
function aggregates(plan: Plan): string[] {
  const out: string[] = [];
  plan.calcs.forEach((calc, k) => {
    const p = CALCULATION_PLANS[calc.op];
    const value = calc.column === undefined ? '' : plan.scan.valueColumn(calc);
    const input = { value, weight: plan.weight, dialect: dialectOf(plan) };
    const divisor = scaledInput(calc);
    if (calc.op === 'COUNT' && plan.scan.countColumn !== undefined) out.push(`${eventCount(plan)} AS __a${k}`);
    else if (p.kind === 'aggregate') out.push(`${divisor !== undefined && p.scaled === 'divide-result' ? `${p.sql(input)} / ${dialectOf(plan).doubleLiteral(divisor)}` : p.sql(input)} AS __a${k}`);
    if (p.kind === 'heatmap') out.push(`${dialectOf(plan).histogram(heatmapIndex(plan, k, value))} AS __a${k}`);
    if (p.kind === 'rate') out.push(`${RATE_BASE_SQL[p.base](input)} AS __rb${k}`);
  });
  return out;
}

/** count(*) of events, or the sum of the events' counts when `__base` rows are events counted per trace. */
function eventCount(plan: Plan): string {
  const column = plan.scan.countColumn;
  return column === undefined ? 'count(*)' : dialectOf(plan).sumOfCounts(column);
}

function heatmapJoins(plan: Plan): string {
  return indexesOf(plan, 'heatmap').map((k) => ` CROSS JOIN __hm${k}`).join('');
}

function rankOrder(plan: Plan): string {
  const { spec } = plan.ctx.query;
  const terms: string[] = [];
  const labels = plan.calcs.map((c) => c.label);
  for (const o of spec.orders) {
    const dir = o.order === 'descending' ? 'DESC' : 'ASC';
    const target = o.op === undefined ? `__g${spec.breakdowns.indexOf(o.column ?? '')}` : `__a${labels.indexOf(o.column === undefined ? o.op : `${o.op}(${o.column})`)}`;
    terms.push(`${target} ${dir} NULLS LAST`);
  }
  if (terms.length === 0) {
    const first = plan.calcs.findIndex((c) => CALCULATION_OP_TRAITS[c.op].scalarResult);
    terms.push(first >= 0 ? `__a${first} DESC NULLS LAST` : '__n DESC');
  }
  for (const g of plan.groups) terms.push(`${g} ASC NULLS LAST`);
  return terms.join(', ');
}

/**
 * One pass over `__base` for the whole range and, with cells, for every (groups, bucket) at once:
 * GROUPING SETS computes both from the same scan, so decomposable and holistic calculations
 * (percentiles, COUNT_DISTINCT, HEATMAP) alike need no second read of the events. `__whole` tells
 * the whole-range rows (1) from the cells (0).
 */
function aggregationCtes(plan: Plan): string[] {
  const d = dialectOf(plan);
  const heatmaps = indexesOf(plan, 'heatmap').map((k) => {
    const value = plan.scan.valueColumn(plan.calcs[k]!);
    return `__hm${k} AS (SELECT ${d.toDouble(`min(${value})`)} AS __lo, ${d.toDouble(`max(${value})`)} AS __hi FROM __base)`;
  });
  // __n (events per group) also keeps the select list non-empty when every calculation is computed apart.
  const values = [...aggregates(plan), `${eventCount(plan)} AS __n`];
  if (!plan.cells || plan.topCellsOnly) return [...heatmaps, `__groups AS (SELECT ${[...plan.groups, ...values].join(', ')} FROM __base${heatmapJoins(plan)}${groupBy(plan.groups)})`];
  const sets = `GROUPING SETS ((${[...plan.groups, '__b'].join(', ')}), (${plan.groups.join(', ')}))`;
  // COUNT_DISTINCT alone: deduplicating (groups, bucket, value) first shrinks what both grouping
  // sets' distinct tables are fed (a third less work measured at 10M spans); __n, then counting
  // distinct rows, is not used since COUNT_DISTINCT ranks the groups.
  const distinctValues = new Set(plan.calcs.map((c) => (c.op === 'COUNT_DISTINCT' ? plan.scan.valueColumn(c) : '')));
  const [distinct] = distinctValues;
  const source = distinctValues.size === 1 && distinct !== '' ? `(SELECT DISTINCT ${[...plan.groups, '__b', distinct].join(', ')} FROM __base) AS __base` : '__base';
  const names = values.map((v) => v.slice(v.lastIndexOf(' AS ') + 4));
  const rates = indexesOf(plan, 'rate');
  const window = `OVER (${plan.groups.length === 0 ? '' : `PARTITION BY ${plan.groups.join(', ')} `}ORDER BY __b)`;
  const diffs = rates.map((k) => `CASE WHEN ${d.previousInWindow('__b', window)} = __b - 1 THEN __rb${k} - ${d.previousInWindow(`__rb${k}`, window)} END AS __r${k}`);
  return [
    ...heatmaps,
    `__agg AS ${sharedCte(d)}(SELECT ${[...plan.groups, '__b', 'GROUPING(__b) AS __whole', ...values].join(', ')} FROM ${source}${heatmapJoins(plan)} GROUP BY ${sets})`,
    `__groups AS (SELECT ${[...plan.groups, ...names].join(', ')} FROM __agg WHERE __whole = 1)`,
    `__cells AS (SELECT ${[...plan.groups, '__b', ...names, ...diffs].join(', ')} FROM __agg WHERE __whole = 0)`,
  ];
}

/** Spans in flight per (groups, bucket): each span counts in every bucket its [start, end) overlaps, clipped to the range. */
function concurrencyCte(plan: Plan): string[] {
  if (indexesOf(plan, 'concurrency').length === 0) return [];
  const d = dialectOf(plan);
  const lastNs = plan.ctx.params.add({ type: 'bigint', value: plan.ctx.window.endNs - 1n });
  const last = d.bucketIndex(`least(greatest(__ts + __dur - 1, __ts), ${lastNs})`, plan.origin(), plan.granularity());
  const inner = [...plan.groups, ...(plan.weight === undefined ? [] : ['__w']), `${d.expandRange('__b', last)} AS __in`];
  const count = countSql({ value: '', weight: plan.weight, dialect: d });
  return [`__cb AS (SELECT ${[...plan.groups, '__in AS __b', `${count} AS __cc`].join(', ')} FROM (SELECT ${inner.join(', ')} FROM __base WHERE __dur IS NOT NULL) AS __x${groupBy([...plan.groups, '__in'])})`];
}

function resultsCtes(plan: Plan): string[] {
  const { ctx } = plan;
  const ctes = [...aggregationCtes(plan), ...concurrencyCte(plan)];
  const select = [...columns('__groups', plan.groups)];
  let from = '__groups';
  plan.calcs.forEach((calc, k) => {
    const kind = CALCULATION_PLANS[calc.op].kind;
    if (kind === 'aggregate' || kind === 'heatmap') select.push(`__groups.__a${k}`);
    if (kind === 'concurrency') select.push(`__cg.__a${k}`);
    if (kind === 'rate') select.push(`__rg.__a${k}`);
  });
  select.push('__groups.__n');
  const conc = indexesOf(plan, 'concurrency');
  if (conc.length > 0) {
    const aggs = conc.map((k) => `max(__cc) AS __a${k}`);
    from += ` LEFT JOIN (SELECT ${[...plan.groups, ...aggs].join(', ')} FROM __cb${groupBy(plan.groups)}) AS __cg ON ${match(plan, '__cg', '__groups')}`;
  }
  const rates = indexesOf(plan, 'rate');
  if (rates.length > 0) {
    const aggs = rates.map((k) => `avg(__r${k}) AS __a${k}`);
    from += ` LEFT JOIN (SELECT ${[...plan.groups, ...aggs].join(', ')} FROM __cells${groupBy(plan.groups)}) AS __rg ON ${match(plan, '__rg', '__groups')}`;
  }
  ctes.push(`__results AS (SELECT ${select.join(', ')} FROM ${from})`);

  const havings = ctx.query.spec.havings.map((h) => {
    const k = plan.calcs.findIndex((c) => c.op === h.calculate_op && c.column?.written === h.column);
    return `__a${k} ${HAVING_SQL[h.op]} ${ctx.params.add({ type: 'double', value: h.value })}`;
  });
  const where = havings.length === 0 ? '' : ` WHERE ${havings.join(' AND ')}`;
  const limit = ctx.params.add({ type: 'bigint', value: BigInt(ctx.query.spec.limit) });
  // Without groups there is one row at most: nothing to rank. (Ranking it anyway, with two range
  // havings, made DuckDB's top-N window optimizer fail with an INTERNAL error; found by fuzzing.)
  const ranked =
    plan.groups.length === 0
      ? `SELECT __results.*, CAST(1 AS BIGINT) AS __rank FROM __results${where}`
      : `SELECT __results.*, row_number() OVER (ORDER BY ${rankOrder(plan)}) AS __rank FROM __results${where}`;
  ctes.push(`__top AS ${sharedCte(ctx.dialect)}(SELECT * FROM (${ranked}) AS __t WHERE __rank <= ${limit})`);
  if (plan.topCellsOnly) {
    const keys = [...columns('__base', plan.groups), '__base.__b'];
    const select = [...plan.groups.map((g) => `__base.${g} AS ${g}`), '__base.__b AS __b', ...aggregates(plan)];
    ctes.push(`__cells AS (SELECT ${select.join(', ')} FROM __base JOIN __top ON ${match(plan, '__base', '__top')}${heatmapJoins(plan)} GROUP BY ${keys.join(', ')})`);
  }
  return ctes;
}

/** The series rows: the cells of the top groups (plus buckets where only spans in flight are). */
function seriesSelect(plan: Plan, hmCols: readonly string[]): string {
  const keys = [...plan.groups, '__b'];
  const conc = indexesOf(plan, 'concurrency').length > 0;
  const on = (alias: string): string => `${match(plan, alias, '__k')} AND ${alias}.__b = __k.__b`;
  // With CONCURRENCY a bucket may hold spans in flight and no span start: its keys come from __cb too.
  let from = conc
    ? `(SELECT ${keys.join(', ')} FROM __cells UNION SELECT ${keys.join(', ')} FROM __cb) AS __k JOIN __top ON ${match(plan, '__k', '__top')} LEFT JOIN __cells ON ${on('__cells')} LEFT JOIN __cb ON ${on('__cb')}`
    : `__cells AS __k JOIN __top ON ${match(plan, '__k', '__top')}`;
  from += heatmapJoins(plan);
  const cell = conc ? '__cells' : '__k';
  const values = plan.calcs.map((calc, k) => {
    const kind = CALCULATION_PLANS[calc.op].kind;
    if (kind === 'concurrency') return `__cb.__cc AS __a${k}`;
    if (kind === 'rate') return `${cell}.__r${k} AS __a${k}`;
    if (calc.op === 'COUNT' && conc) return `coalesce(${cell}.__a${k}, 0) AS __a${k}`;
    return `${cell}.__a${k} AS __a${k}`;
  });
  const bucket = `${plan.origin()} + __k.__b * ${plan.granularity()} AS __bucket`;
  const select = ['1 AS __kind', '__top.__rank AS __rank', bucket, ...columns('__k', plan.groups), ...values, ...hmCols];
  return `SELECT ${select.join(', ')} FROM ${from}`;
}

/**
 * Whether to rank the groups first and compute the series of the top groups in a second pass
 * (rather than every group's cells in the one pass). One pass is the cheaper plan when every
 * group makes the top (8 services: 208 vs 317 ms CPU at 10M spans); ranking first when most
 * groups are dropped (top 10 of 50 000 users: 926 vs 1233 ms). The store gives no cardinality, so
 * the spec's own signal decides: a limit below the default asks for the top few of many groups.
 * RATE_* may rank the groups, so it needs every group's cells.
 */
function topGroupsFirst(spec: QuerySpec, calcs: readonly ResolvedCalculation[]): boolean {
  return spec.breakdowns.length > 0 && spec.limit < DEFAULT_LIMIT && !calcs.some((c) => CALCULATION_PLANS[c.op].kind === 'rate');
}

/** Errors in the spec's own calculated fields name `calculated_fields[i].expression`. */
export function calculatedFieldOf(spec: QuerySpec): (name: string) => string {
  return (name) => {
    const i = (spec.calculated_fields ?? []).findIndex((f) => f.name === name);
    return i < 0 ? `calculated field ${name}` : `calculated_fields[${i}].expression`;
  };
}

/**
 * Compiles a validated spec into one SQL statement over the store's relation. Column names are
 * resolved against the schema (unknown → InvalidQueryError); values become bound parameters.
 * The results are the top `limit` groups over the whole range, ordered by the spec's orders (by
 * default the first calculation, descending); the series holds, per time bucket, the same
 * calculations for those groups only. Results and series come from one aggregation over the
 * events (see aggregationCtes).
 */
export function compileQuery(spec: QuerySpec, baseSchema: QuerySchema, dialect: SqlDialect, options: CompileOptions): CompiledQuery {
  const params = new SqlParameters(dialect);
  // Calculated fields become columns whose SQL binds its literals into this statement's parameters.
  const schema = withCalculatedFields(baseSchema, [...(options.calculatedFields ?? []), ...(spec.calculated_fields ?? [])], { dialect, params, fieldOf: calculatedFieldOf(spec) });
  const query = resolveQueryColumns(spec, schema);
  const window = resolveQueryWindow(spec, options.nowNs);
  const ctx: CompileContext = { query, schema, dialect, params, window, options };
  const withSeries = !options.disableSeries;
  const needsBuckets = withSeries || query.calculations.some((c) => {
    const kind = CALCULATION_PLANS[c.op].kind;
    return kind === 'rate' || kind === 'concurrency';
  });
  const origin = once(() => params.add({ type: 'bigint', value: window.bucketOriginNs }));
  const granularity = once(() => params.add({ type: 'bigint', value: window.granularityNs }));
  const topCellsOnly = withSeries && topGroupsFirst(query.spec, query.calculations);
  const scan = buildEventScan(ctx, {
    ...(needsBuckets ? { bucketIndex: (ts: string) => dialect.bucketIndex(ts, origin(), granularity()) } : {}),
    readTwice: topCellsOnly,
    countPerTrace: true,
  });
  const plan: Plan = {
    ctx,
    scan,
    groups: scan.groupColumns,
    calcs: query.calculations,
    weight: scan.weighted ? '__w' : undefined,
    cells: withSeries || query.calculations.some((c) => CALCULATION_PLANS[c.op].kind === 'rate'),
    topCellsOnly,
    origin,
    granularity,
  };
  const ctes = [...scan.ctes, ...resultsCtes(plan)];

  const heatmaps = indexesOf(plan, 'heatmap');
  const hmCols = heatmaps.flatMap((k) => [`__hm${k}.__lo AS __hm${k}_lo`, `__hm${k}.__hi AS __hm${k}_hi`]);
  const outputs = [...plan.groups, ...plan.calcs.map((_, k) => `__a${k}`)];
  const resultsSelect = [`0 AS __kind`, '__top.__rank AS __rank', `${dialect.nullBigint()} AS __bucket`, ...columns('__top', outputs), ...hmCols];
  let sql = `WITH ${ctes.join(',\n')}\nSELECT ${resultsSelect.join(', ')} FROM __top${heatmapJoins(plan)}`;
  const seriesGroups = withSeries ? seriesGroupsOf(query.spec, window) : null;
  if (withSeries) sql += `\nUNION ALL\n${seriesSelect(plan, hmCols)}`;
  // Only the top groups whose series fit in query.seriesValues (judged on the worst case, a point in every bucket).
  if (seriesGroups !== null) sql += ` WHERE __top.__rank <= ${params.add({ type: 'bigint', value: BigInt(seriesGroups) })}`;
  sql += '\nORDER BY __kind, __bucket NULLS FIRST, __rank';

  return {
    sql,
    parameters: params.values(),
    layout: {
      columns: ['__kind', '__rank', '__bucket', ...outputs, ...heatmaps.flatMap((k) => [`__hm${k}_lo`, `__hm${k}_hi`])],
      breakdowns: query.breakdowns.map((b) => b.written),
      calculations: plan.calcs.map((c) => ({ op: c.op, label: c.label })),
      startNs: window.startNs,
      endNs: window.endNs,
      granularitySeconds: window.granularitySeconds,
      seriesIncluded: withSeries,
      seriesGroups,
    },
  };
}

/**
 * How many of the top groups have their series, when fewer than the answer's groups
 * (query.seriesValues); null when every group's series fits.
 */
function seriesGroupsOf(spec: QuerySpec, window: QueryWindow): number | null {
  const groups = spec.breakdowns.length === 0 ? 1 : spec.limit;
  const buckets = Number((window.endNs - window.bucketOriginNs) / window.granularityNs) + 1;
  const within = seriesGroupsWithin(buckets, valuesPerGroup(spec.breakdowns.length, spec.calculations));
  return within < groups ? within : null;
}

/** The keyword, and its space, that makes the engine compute a CTE read more than once only once (nothing where it already does). */
function sharedCte(dialect: SqlDialect): string {
  const keyword = dialect.sharedCte();
  return keyword === '' ? '' : `${keyword} `;
}
