import { CALCULATION_OP_TRAITS } from '../calculation-op-traits.js';
import { resolveQueryColumns } from '../query-column-resolver.js';
import type { QuerySchema } from '../query-schema.js';
import type { QuerySpec } from '../query-spec.js';
import type { ResolvedCalculation } from '../resolved-query.js';
import { CALCULATION_PLANS, HEATMAP_BUCKETS, RATE_BASE_SQL, countSql } from './calculation-sql.js';
import type { CompileContext, CompileOptions } from './compile-context.js';
import type { CompiledQuery } from './compiled-query.js';
import { buildEventScan, type EventScan } from './event-scan-sql.js';
import { resolveQueryWindow } from './query-window.js';
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
  readonly granularity: () => string;
}

function match(plan: Plan, a: string, b: string): string {
  if (plan.groups.length === 0) return 'TRUE';
  return plan.groups.map((g) => plan.ctx.dialect.nullSafeEquals(`${a}.${g}`, `${b}.${g}`)).join(' AND ');
}

function groupBy(keys: readonly string[]): string {
  return keys.length === 0 ? '' : ` GROUP BY ${keys.join(', ')}`;
}

function columns(prefix: string, names: readonly string[]): string[] {
  return names.map((n) => `${prefix}.${n}`);
}

function heatmapIndex(plan: Plan, k: number, value: string): string {
  const d = plan.ctx.dialect;
  const lo = `__hm${k}.__lo`;
  const hi = `__hm${k}.__hi`;
  const scaled = d.floorToInteger(`(${d.toDouble(value)} - ${lo}) * ${HEATMAP_BUCKETS} / (${hi} - ${lo})`);
  return `CASE WHEN ${value} IS NULL THEN NULL WHEN ${hi} = ${lo} THEN 0 ELSE least(${scaled}, ${HEATMAP_BUCKETS - 1}) END`;
}

/** Aggregates computed directly over events (everything but CONCURRENCY and RATE_*). */
function directAggregates(plan: Plan): string[] {
  const out: string[] = [];
  plan.calcs.forEach((calc, k) => {
    const p = CALCULATION_PLANS[calc.op];
    const value = calc.column === undefined ? '' : plan.scan.valueColumn(calc.column.binding.name);
    if (p.kind === 'aggregate') out.push(`${p.sql({ value, weight: plan.weight, dialect: plan.ctx.dialect })} AS __a${k}`);
    if (p.kind === 'heatmap') out.push(`${plan.ctx.dialect.histogram(heatmapIndex(plan, k, value))} AS __a${k}`);
  });
  return out;
}

function indexesOf(plan: Plan, kind: string): number[] {
  return plan.calcs.flatMap((c, k) => (CALCULATION_PLANS[c.op].kind === kind ? [k] : []));
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

function rateCtes(plan: Plan, source: string): string[] {
  const rates = indexesOf(plan, 'rate');
  if (rates.length === 0) return [];
  const d = plan.ctx.dialect;
  const bases = rates.map((k) => {
    const calc = plan.calcs[k]!;
    const p = CALCULATION_PLANS[calc.op];
    const base = p.kind === 'rate' ? p.base : 'SUM';
    const value = plan.scan.valueColumn(calc.column!.binding.name);
    return `${RATE_BASE_SQL[base]({ value, weight: plan.weight, dialect: d })} AS __rb${k}`;
  });
  const keys = [...plan.groups, '__bucket'];
  const partition = plan.groups.length === 0 ? '' : `PARTITION BY ${plan.groups.join(', ')} `;
  const over = `OVER (${partition}ORDER BY __bucket)`;
  const diffs = rates.map((k) => `CASE WHEN lag(__bucket) ${over} = __bucket - ${plan.granularity()} THEN __rb${k} - lag(__rb${k}) ${over} END AS __r${k}`);
  return [
    `__rb AS (SELECT ${[...keys, ...bases].join(', ')} FROM ${source}${groupBy(keys)})`,
    `__rates AS (SELECT ${[...keys, ...diffs].join(', ')} FROM __rb)`,
  ];
}

function concurrencyCte(plan: Plan): string[] {
  if (indexesOf(plan, 'concurrency').length === 0) return [];
  const d = plan.ctx.dialect;
  const g = plan.granularity();
  const lastNs = plan.ctx.params.add({ type: 'bigint', value: plan.ctx.window.endNs - 1n });
  const lastInstant = `least(greatest(__ts + __dur - 1, __ts), ${lastNs})`;
  const spread = d.expandBuckets(d.timeBucket('__ts', g), d.timeBucket(lastInstant, plan.granularity()), plan.granularity());
  const inner = [...plan.groups, ...(plan.weight === undefined ? [] : ['__w']), `${spread} AS __bucket`];
  const keys = [...plan.groups, '__bucket'];
  const count = countSql({ value: '', weight: plan.weight, dialect: d });
  return [`__cb AS (SELECT ${[...keys, `${count} AS __cc`].join(', ')} FROM (SELECT ${inner.join(', ')} FROM __base WHERE __dur IS NOT NULL) AS __x${groupBy(keys)})`];
}

function resultsCtes(plan: Plan): string[] {
  const { ctx } = plan;
  const heatmaps = indexesOf(plan, 'heatmap').map((k) => {
    const value = plan.scan.valueColumn(plan.calcs[k]!.column!.binding.name);
    return `__hm${k} AS (SELECT ${ctx.dialect.toDouble(`min(${value})`)} AS __lo, ${ctx.dialect.toDouble(`max(${value})`)} AS __hi FROM __base)`;
  });
  const order = rankOrder(plan);
  // __n (events per group) also keeps the select list non-empty when every calculation is derived.
  const direct = [...plan.groups, ...directAggregates(plan), 'count(*) AS __n'];
  const ctes = [...heatmaps, `__groups AS (SELECT ${direct.join(', ')} FROM __base${heatmapJoins(plan)}${groupBy(plan.groups)})`];
  ctes.push(...concurrencyCte(plan));
  const rates = indexesOf(plan, 'rate');
  if (rates.length > 0) ctes.push(`__bb AS (SELECT __base.*, ${ctx.dialect.timeBucket('__base.__ts', plan.granularity())} AS __bucket FROM __base)`, ...rateCtes(plan, '__bb'));

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
  if (rates.length > 0) {
    const aggs = rates.map((k) => `avg(__r${k}) AS __a${k}`);
    from += ` LEFT JOIN (SELECT ${[...plan.groups, ...aggs].join(', ')} FROM __rates${groupBy(plan.groups)}) AS __rg ON ${match(plan, '__rg', '__groups')}`;
  }
  ctes.push(`__results AS (SELECT ${select.join(', ')} FROM ${from})`);

  const havings = ctx.query.spec.havings.map((h) => {
    const k = plan.calcs.findIndex((c) => c.op === h.calculate_op && c.column?.written === h.column);
    return `__a${k} ${HAVING_SQL[h.op]} ${ctx.params.add({ type: 'double', value: h.value })}`;
  });
  const where = havings.length === 0 ? '' : ` WHERE ${havings.join(' AND ')}`;
  const limit = ctx.params.add({ type: 'bigint', value: BigInt(ctx.query.spec.limit) });
  ctes.push(
    `__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY ${order}) AS __rank FROM __results${where}) AS __t WHERE __rank <= ${limit})`,
  );
  return ctes;
}

function seriesCtes(plan: Plan): string[] {
  const d = plan.ctx.dialect;
  const keys = [...plan.groups, '__bucket'];
  const ctes = [
    `__sb AS (SELECT __base.*, ${d.timeBucket('__base.__ts', plan.granularity())} AS __bucket FROM __base JOIN __top ON ${match(plan, '__base', '__top')})`,
    `__series AS (SELECT ${[...keys, ...directAggregates(plan)].join(', ')} FROM __sb${heatmapJoins(plan)}${groupBy(keys)})`,
  ];
  const conc = indexesOf(plan, 'concurrency');
  const rates = indexesOf(plan, 'rate');
  const keySource = conc.length > 0 ? '__skeys' : '__series';
  if (conc.length > 0) {
    ctes.push(`__skeys AS (SELECT ${keys.join(', ')} FROM __series UNION SELECT ${columns('__cb', keys).join(', ')} FROM __cb JOIN __top ON ${match(plan, '__cb', '__top')})`);
  }
  const on = (alias: string): string => `${match(plan, alias, '__k')} AND ${alias}.__bucket = __k.__bucket`;
  let from = `${keySource} AS __k`;
  if (keySource !== '__series') from += ` LEFT JOIN __series ON ${on('__series')}`;
  if (conc.length > 0) from += ` LEFT JOIN __cb ON ${on('__cb')}`;
  if (rates.length > 0) from += ` LEFT JOIN __rates ON ${on('__rates')}`;
  const select = columns('__k', keys);
  const direct = keySource === '__series' ? '__k' : '__series';
  plan.calcs.forEach((calc, k) => {
    const kind = CALCULATION_PLANS[calc.op].kind;
    if (kind === 'concurrency') select.push(`__cb.__cc AS __a${k}`);
    else if (kind === 'rate') select.push(`__rates.__r${k} AS __a${k}`);
    else if (calc.op === 'COUNT' && direct !== '__k') select.push(`coalesce(${direct}.__a${k}, 0) AS __a${k}`);
    else select.push(`${direct}.__a${k} AS __a${k}`);
  });
  ctes.push(`__sf AS (SELECT ${select.join(', ')} FROM ${from})`);
  return ctes;
}

/**
 * Compiles a validated spec into one SQL statement over the store's relation. Column names are
 * resolved against the schema (unknown → InvalidQueryError); values become bound parameters.
 * The results are the top `limit` groups over the whole range, ordered by the spec's orders (by
 * default the first calculation, descending); the series holds, per time bucket, the same
 * calculations for those groups only.
 */
export function compileQuery(spec: QuerySpec, schema: QuerySchema, dialect: SqlDialect, options: CompileOptions): CompiledQuery {
  const query = resolveQueryColumns(spec, schema);
  const params = new SqlParameters(dialect);
  const window = resolveQueryWindow(spec, options.nowNs);
  const ctx: CompileContext = { query, schema, dialect, params, window, options };
  const scan = buildEventScan(ctx);
  const plan: Plan = {
    ctx,
    scan,
    groups: scan.groupColumns,
    calcs: query.calculations,
    weight: scan.weighted ? '__w' : undefined,
    granularity: () => params.add({ type: 'bigint', value: window.granularityNs }),
  };
  const ctes = [...scan.ctes, ...resultsCtes(plan)];
  const withSeries = !options.disableSeries;
  if (withSeries) ctes.push(...seriesCtes(plan));

  const heatmaps = indexesOf(plan, 'heatmap');
  const hmCols = heatmaps.flatMap((k) => [`__hm${k}.__lo AS __hm${k}_lo`, `__hm${k}.__hi AS __hm${k}_hi`]);
  const outputs = [...plan.groups, ...plan.calcs.map((_, k) => `__a${k}`)];
  const resultsSelect = [`0 AS __kind`, '__top.__rank AS __rank', `${dialect.nullBigint()} AS __bucket`, ...columns('__top', outputs), ...hmCols];
  let sql = `WITH ${ctes.join(',\n')}\nSELECT ${resultsSelect.join(', ')} FROM __top${heatmapJoins(plan)}`;
  if (withSeries) {
    const seriesSelect = [`1 AS __kind`, '__top.__rank AS __rank', '__sf.__bucket AS __bucket', ...columns('__sf', outputs), ...hmCols];
    sql += `\nUNION ALL\nSELECT ${seriesSelect.join(', ')} FROM __sf JOIN __top ON ${match(plan, '__sf', '__top')}${heatmapJoins(plan)}`;
  }
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
    },
  };
}
