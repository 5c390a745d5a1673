import type { ColumnBinding } from '../query-schema.js';
import type { ResolvedCalculation, ResolvedColumn, ResolvedFilter } from '../resolved-query.js';
import { CALCULATION_PLANS } from './calculation-sql.js';
import type { ClientParentSource, ClientPositions } from './client-parent-source.js';
import { CLIENT_SERVER_MEASURE_SQL } from './client-server-timing-sql.js';
import type { CompileContext, RelationWindow } from './compile-context.js';
import { FILTER_SQL } from './filter-sql.js';
import { typedValueParameter } from './typed-value-parameter.js';
import { ROW_POSITION_COLUMNS } from '../../store/span-store.js';

/**
 * The first stage of every query: the events in the time range that pass the filters, with
 * their group keys and calculation inputs, as the CTE `__base`
 * (`__b`? bucket index, `__ts`/`__dur`? for CONCURRENCY, `__w`? weight, `__g0..`, `__v0..`).
 *
 * `root.` and `parent.` columns come from LEFT JOINs on the trace's root span (parent id NULL)
 * and on the span whose id is this event's parent id; `any.`/`none.` filters are semi/anti joins
 * on trace id. Related events are looked up within the query's range widened by
 * options.relatedMarginNs (default 0): a root span that started before that is not found and its
 * columns read as missing. The events themselves are read from the relation of the exact range,
 * so the store can skip whatever lies outside it.
 *
 * Derived columns (bindings with a `derivation`) join what they are computed from only when the
 * query uses them: `client-server-timing` joins the event's parent when it is a CLIENT span
 * (`__client`), looked up like the other related spans.
 */
export interface EventScan {
  readonly ctes: readonly string[];
  readonly groupColumns: readonly string[];
  /** The `__base` column holding a calculation's input (the integer itself for a scaled one, see scaledInput). */
  readonly valueColumn: (calc: ResolvedCalculation) => string;
  readonly weighted: boolean;
  readonly withDuration: boolean;
  /** Whether `__base` joins related spans (root., parent., network.*): costly to compute twice. */
  readonly joinsRelated: boolean;
  /**
   * Set when `__base` rows are events counted per trace (and bucket) rather than events: the
   * column holding each row's count, which COUNT adds up (see EventScanOptions.countPerTrace).
   */
  readonly countColumn?: string;
}

export interface EventScanOptions {
  /** SQL of the bucket index of an epoch-ns expression, when `__base` must carry `__b`. */
  readonly bucketIndex?: (tsNs: string) => string;
  /** `__base` will be read twice: have the engine recompute it (a rescan) rather than store it, unless it joins related spans. */
  readonly readTwice?: boolean;
  /** `__base` carries `__ts`, the event's start (epoch ns), to list raw events newest first. */
  readonly withTimestamp?: boolean;
  /**
   * The caller adds up `countColumn` for COUNT (and the events per group): when the query reads
   * nothing of the events but their trace (COUNT by and where `root.`/`any.`/`none.` columns),
   * the events are counted per (trace, bucket) before the join to the roots, which then joins one
   * row per trace and bucket instead of one per event (BENCHMARKS.md run Y).
   */
  readonly countPerTrace?: boolean;
}

/** Assigns one alias per distinct binding expression. */
class Slots {
  private readonly byName = new Map<string, { alias: string; binding: ColumnBinding }>();
  constructor(private readonly prefix: string) {}
  alias(binding: ColumnBinding): string {
    let slot = this.byName.get(binding.sql);
    if (!slot) {
      slot = { alias: `${this.prefix}${this.byName.size}`, binding };
      this.byName.set(binding.sql, slot);
    }
    return slot.alias;
  }
  entries(): ReadonlyArray<{ alias: string; binding: ColumnBinding }> {
    return [...this.byName.values()];
  }
  get size(): number {
    return this.byName.size;
  }
}

/** The query's range, or for related spans (root./parent./any./none.) the range widened by options.relatedMarginNs. */
function rangeOf(ctx: CompileContext, related: boolean): RelationWindow {
  const margin = related ? (ctx.options.relatedMarginNs ?? 0n) : 0n;
  return { startNs: ctx.window.startNs - margin, endNs: ctx.window.endNs + margin };
}

/**
 * The store's relation for the range, and the range predicate over it. Related spans come from
 * options.relatedRelation (every dataset: a trace crosses datasets) when the store gives one.
 */
function source(ctx: CompileContext, related: boolean, bindings: ReadonlyArray<ColumnBinding | undefined>): { relation: string; range: string } {
  const range = rangeOf(ctx, related);
  const ts = `(${ctx.schema.roles.timestampNs.sql})`;
  const start = ctx.params.add({ type: 'bigint', value: range.startNs });
  const end = ctx.params.add({ type: 'bigint', value: range.endNs });
  const relation = related ? (ctx.options.relatedRelation ?? ctx.options.relation) : ctx.options.relation;
  return { relation: relation(physical(ctx.schema.roles.timestampNs, ...bindings), range), range: `${ts} >= ${start} AND ${ts} < ${end}` };
}

function physical(...bindings: ReadonlyArray<ColumnBinding | undefined>): string[] {
  const all = new Set<string>();
  for (const b of bindings) for (const c of b?.physicalColumns ?? []) all.add(c);
  return [...all].sort();
}

function predicate(ctx: CompileContext, filter: ResolvedFilter, columnSql: string): string {
  const placeholders = filter.values.map((v) => ctx.params.add(typedValueParameter(v)));
  return FILTER_SQL[filter.op](columnSql, placeholders, ctx.dialect);
}

/**
 * Related spans keyed by ids, one row per key: when ids repeat (duplicate delivery) the columns
 * of the earliest-started copy are kept, so joins never multiply events. Grouping (a hash
 * aggregate) rather than numbering rows per key (a sort) keeps this cheap.
 */
function relatedSpans(
  ctx: CompileContext,
  name: string,
  slots: Slots,
  keys: ReadonlyArray<[string, ColumnBinding]>,
  extraWhere: string,
  extraColumns: readonly ColumnBinding[],
): string {
  const ts = ctx.schema.roles.timestampNs.sql;
  const keyList = keys.map(([alias, b]) => `(${b.sql}) AS ${alias}`);
  const cols = slots.entries().map(({ alias, binding }) => `${ctx.dialect.valueAtMin(`(${binding.sql})`, `(${ts})`)} AS ${alias}`);
  const { relation, range } = source(ctx, true, [...extraColumns, ...keys.map(([, b]) => b), ...slots.entries().map((e) => e.binding)]);
  const notNull = keys.map(([, b]) => `(${b.sql}) IS NOT NULL`).join(' AND ');
  return (
    `${name} AS (SELECT ${[...keyList, ...cols].join(', ')} FROM ${relation} AS __e ` +
    `WHERE ${range} AND ${notNull}${extraWhere} GROUP BY ${keys.map(([, b]) => `(${b.sql})`).join(', ')})`
  );
}

/**
 * CLIENT spans with a duration in the related range that are the parent of a server span of
 * `__ev` (that semi-join first: most client spans are database calls, and it halves the cost),
 * one per (trace, span id), the earliest-started copy when a span was delivered twice.
 */
function clientSpans(ctx: CompileContext): string {
  const { traceId, spanId, timestampNs, durationNs, spanKind } = ctx.schema.roles;
  const { relation, range } = source(ctx, true, [traceId, spanId, durationNs, spanKind]);
  const ts = `(${timestampNs.sql})`;
  return (
    `__client AS (SELECT (${traceId.sql}) AS __trace, (${spanId.sql}) AS __span, min(${ts}) AS __ts, ${ctx.dialect.valueAtMin(`(${durationNs.sql})`, ts)} AS __dur ` +
    `FROM ${relation} AS __e WHERE ${range} AND (${spanKind.sql}) = 'client' AND (${traceId.sql}) IS NOT NULL AND (${durationNs.sql}) IS NOT NULL ` +
    `AND (${spanId.sql}) IN (SELECT __server_parent FROM __ev) GROUP BY (${traceId.sql}), (${spanId.sql}))`
  );
}

/** The relation's columns of each event's position, which the store's client positions are keyed by. */
const POSITION_BINDINGS: readonly ColumnBinding[] = [
  { name: ROW_POSITION_COLUMNS.segment, type: 'integer', sql: ROW_POSITION_COLUMNS.segment, physicalColumns: [ROW_POSITION_COLUMNS.segment] },
  { name: ROW_POSITION_COLUMNS.row, type: 'integer', sql: ROW_POSITION_COLUMNS.row, physicalColumns: [ROW_POSITION_COLUMNS.row] },
];

/** How `__base` reaches each server event's client: extra CTEs, joins, and the client's start and duration. */
interface ClientJoin {
  readonly ctes: readonly string[];
  readonly joins: string;
  readonly clientStart: string;
  readonly clientDuration: string;
}

const READ_TIME_CLIENT_REFS = { clientStart: '__client.__ts', clientDuration: '__client.__dur' } as const;

/** The read-time join on (trace, span id) alone. */
function clientJoinAtReadTime(ctx: CompileContext): ClientJoin {
  return {
    ctes: [clientSpans(ctx)],
    joins: ' LEFT JOIN __client ON __client.__trace = __ev.__trace AND __client.__span = __ev.__server_parent',
    ...READ_TIME_CLIENT_REFS,
  };
}

/**
 * The same clients as clientJoinAtReadTime, from the store's precomputed client parents where
 * they cover the data (client-parent-source.ts): joined by the server event's position
 * (`__cpos`: a client with one copy is stored relative to its server, so its start and duration
 * come back from the event's; the copies of a duplicated one are grouped to the earliest in the
 * related range), plus, joined at read time by (trace, span id) as above (`__client`), the client
 * spans of the uncovered data (semi-joined to `__ev`'s server parents) and the covered client spans
 * whose server child is in uncovered data. An event's client is the earlier of the two (the
 * earliest copy of all, as grouping every copy would pick). With nothing uncovered in range,
 * `__cpos` alone.
 */
function clientJoinByPosition(ctx: CompileContext, cps: ClientParentSource, positions: ClientPositions): ClientJoin {
  const { traceId, spanId, timestampNs, durationNs, spanKind, parentId } = ctx.schema.roles;
  const related = rangeOf(ctx, true);
  const relStart = ctx.params.add({ type: 'bigint', value: related.startNs });
  const relEnd = ctx.params.add({ type: 'bigint', value: related.endNs });
  const relative = `SELECT seg AS __seg, rid AS __rid, off AS __off, rsp AS __rsp, CAST(NULL AS BIGINT) AS __cts, CAST(NULL AS BIGINT) AS __cdur FROM ${positions.relation} AS __p WHERE off IS NOT NULL`;
  const absolute =
    `SELECT seg, rid, NULL, NULL, min(cts), ${ctx.dialect.valueAtMin('cdur', 'cts')} FROM ${positions.relation} AS __p ` +
    `WHERE off IS NULL AND cts >= ${relStart} AND cts < ${relEnd} GROUP BY seg, rid`;
  const cpos = `__cpos AS (${relative}${positions.absolute ? ` UNION ALL ${absolute}` : ''})`;
  // One __cpos row per position at most (one client copy, or the copies grouped): a plain equi-join.
  // (A condition beside the keys in ON, as the range below, made DuckDB join blockwise, pair by pair.)
  const joins = ' LEFT JOIN __cpos ON __cpos.__seg = __ev.__pseg AND __cpos.__rid = __ev.__prow';
  // A relative client is found when its start (the server's minus `off`) is in the related range.
  const inRange = `__ev.__ts - __cpos.__off >= ${relStart} AND __ev.__ts - __cpos.__off < ${relEnd}`;
  const positionStart = `(CASE WHEN __cpos.__off IS NULL THEN __cpos.__cts WHEN ${inRange} THEN __ev.__ts - __cpos.__off END)`;
  const positionDuration = `(CASE WHEN __cpos.__off IS NULL THEN __cpos.__cdur WHEN ${inRange} THEN __ev.__dur + __cpos.__rsp + __cpos.__off END)`;
  if (!cps.uncoveredIn(related)) return { ctes: [cpos], joins, clientStart: positionStart, clientDuration: positionDuration };

  const ts = `(${timestampNs.sql})`;
  const relatedRange = `${ts} >= ${relStart} AND ${ts} < ${relEnd}`;
  const pick = `(${traceId.sql}) AS __trace, (${spanId.sql}) AS __span, ${ts} AS __ts, (${durationNs.sql}) AS __dur`;
  const clientColumns = physical(timestampNs, traceId, spanId, durationNs, spanKind);
  const isClient = `(${spanKind.sql}) = 'client' AND (${traceId.sql}) IS NOT NULL AND (${durationNs.sql}) IS NOT NULL`;
  const parts = [`SELECT ${pick} FROM ${cps.uncoveredRelated(clientColumns, related)} AS __e WHERE ${relatedRange} AND ${isClient} AND (${spanId.sql}) IN (SELECT __server_parent FROM __ev)`];
  if (cps.uncoveredIn(ctx.window)) {
    const eventRange = `${ts} >= ${ctx.params.add({ type: 'bigint', value: ctx.window.startNs })} AND ${ts} < ${ctx.params.add({ type: 'bigint', value: ctx.window.endNs })}`;
    const uncoveredServers =
      `SELECT (${parentId.sql}) FROM ${cps.uncoveredEvents(physical(timestampNs, spanKind, durationNs, parentId), ctx.window)} AS __s ` +
      `WHERE ${eventRange} AND (${spanKind.sql}) = 'server' AND (${durationNs.sql}) IS NOT NULL`;
    parts.push(`SELECT ${pick} FROM ${cps.coveredRelated(clientColumns, related)} AS __e WHERE ${relatedRange} AND ${isClient} AND (${spanId.sql}) IN (${uncoveredServers})`);
  }
  const client =
    `__client AS (SELECT __trace, __span, min(__ts) AS __ts, ${ctx.dialect.valueAtMin('__dur', '__ts')} AS __dur ` +
    `FROM (${parts.join(' UNION ALL ')}) AS __r GROUP BY __trace, __span)`;
  // The positional client when it started no later than the read-time one (or there is none).
  const positional = `(__client.__ts IS NULL OR ${positionStart} <= __client.__ts)`;
  return {
    ctes: [cpos, client],
    joins: `${joins} LEFT JOIN __client ON __client.__trace = __ev.__trace AND __client.__span = __ev.__server_parent`,
    clientStart: `(CASE WHEN ${positional} THEN ${positionStart} ELSE __client.__ts END)`,
    clientDuration: `(CASE WHEN ${positional} THEN ${positionDuration} ELSE __client.__dur END)`,
  };
}

/**
 * The divisor when a calculation reads the integer behind a scaled column (duration_ns for
 * duration_ms) and accounts for the scale itself; undefined when it reads the value as is.
 */
export function scaledInput(calc: ResolvedCalculation): number | undefined {
  const plan = CALCULATION_PLANS[calc.op];
  if (plan.kind !== 'aggregate' || plan.scaled === undefined) return undefined;
  return calc.column?.binding.scaledInteger?.divisor;
}

/**
 * Whether the events can be counted per (trace, bucket) before the related joins: every
 * calculation is an unweighted COUNT, and every column used is a root span's or a trace-level
 * filter's (any./none.), so each condition and group key is the same for all events of a trace.
 * (parent. keys differ per event; event columns would make the per-trace rows as many as events.)
 */
function countsPerTrace(ctx: CompileContext, used: readonly ResolvedColumn[], options: EventScanOptions): boolean {
  const { calculations } = ctx.query;
  if (options.countPerTrace !== true || ctx.options.weighted === true || options.withTimestamp === true) return false;
  if (calculations.length === 0 || !calculations.every((c) => c.op === 'COUNT')) return false;
  if (!used.some((c) => c.relation === 'root')) return false;
  return used.every((c) => c.binding.derivation === undefined && (c.relation === 'root' || c.relation === 'any' || c.relation === 'none'));
}

export function buildEventScan(ctx: CompileContext, options: EventScanOptions = {}): EventScan {
  const { query, schema } = ctx;
  const roles = schema.roles;
  const eventSlots = new Slots('__c');
  const rootSlots = new Slots('__c');
  const parentSlots = new Slots('__c');
  const ctes: string[] = [];
  const weighted = ctx.options.weighted === true;
  const withDuration = query.calculations.some((c) => c.op === 'CONCURRENCY');
  const used = [...query.filters.map((f) => f.column), ...query.breakdowns, ...query.calculations.flatMap((c) => (c.column === undefined ? [] : [c.column]))];
  const clientTiming = used.some((c) => c.binding.derivation?.kind === 'client-server-timing');
  const needsTrace = clientTiming || used.some((c) => c.relation !== 'event');
  const needsParent = used.some((c) => c.relation === 'parent');
  const eventDuration = withDuration || clientTiming;
  const perTrace = countsPerTrace(ctx, used, options);
  const cps = clientTiming ? ctx.options.clientParents : undefined;
  const positions = cps?.positions(rangeOf(ctx, true));
  // The positional join's range parameters are needed by the refs below; the read-time join's are added where it is joined.
  const positionalJoin = cps === undefined || positions === undefined ? undefined : clientJoinByPosition(ctx, cps, positions);
  const clientRefs = positionalJoin ?? READ_TIME_CLIENT_REFS;

  const ref = (column: ResolvedColumn): string => {
    const derivation = column.binding.derivation;
    if (derivation !== undefined) {
      return CLIENT_SERVER_MEASURE_SQL[derivation.measure]({
        serverStart: '__ev.__ts',
        serverDuration: '__ev.__dur',
        clientStart: clientRefs.clientStart,
        clientDuration: clientRefs.clientDuration,
      }, ctx.dialect);
    }
    switch (column.relation) {
      case 'root':
        return `__root.${rootSlots.alias(column.binding)}`;
      case 'parent':
        return `__parent.${parentSlots.alias(column.binding)}`;
      default:
        return `__ev.${eventSlots.alias(column.binding)}`;
    }
  };

  const groupRefs = query.breakdowns.map(ref);
  const valueAliases = new Map<string, string>();
  const valueRefs: string[] = [];
  const valueKey = (calc: ResolvedCalculation): string => `${scaledInput(calc) === undefined ? 'value' : 'integer'} ${calc.column?.binding.name ?? ''}`;
  for (const calc of query.calculations) {
    const column = calc.column;
    if (column === undefined || valueAliases.has(valueKey(calc))) continue;
    valueAliases.set(valueKey(calc), `__v${valueAliases.size}`);
    const integer = scaledInput(calc) === undefined ? undefined : column.binding.scaledInteger;
    valueRefs.push(integer === undefined ? ref(column) : ref({ ...column, binding: { ...column.binding, sql: integer.sql } }));
  }

  const anyCtes: string[] = [];
  const conditions = query.filters.map((filter, i) => {
    if (filter.column.relation === 'any' || filter.column.relation === 'none') {
      const b = filter.column.binding;
      const { relation, range } = source(ctx, true, [roles.traceId, b]);
      anyCtes.push(
        `__any${i} AS (SELECT DISTINCT (${roles.traceId.sql}) AS __trace FROM ${relation} AS __e ` +
          `WHERE ${range} AND (${roles.traceId.sql}) IS NOT NULL AND (${predicate(ctx, filter, `(${b.sql})`)}))`,
      );
      return `__ev.__trace ${filter.column.relation === 'any' ? 'IN' : 'NOT IN'} (SELECT __trace FROM __any${i})`;
    }
    return predicate(ctx, filter, ref(filter.column));
  });

  const ts = `(${roles.timestampNs.sql})`;
  const evCols: string[] = [];
  if (eventDuration || options.withTimestamp === true) evCols.push(`${ts} AS __ts`);
  if (options.bucketIndex !== undefined) evCols.push(`${options.bucketIndex(ts)} AS __b`);
  if (weighted) evCols.push(`(${roles.sampleRate.sql}) AS __w`);
  if (eventDuration) evCols.push(`(${roles.durationNs.sql}) AS __dur`);
  if (needsTrace) evCols.push(`(${roles.traceId.sql}) AS __trace`);
  if (needsParent) evCols.push(`(${roles.parentId.sql}) AS __parent`);
  if (clientTiming) {
    // The parent id of server spans only: the one key of the client join, so the join is a plain equi-join.
    evCols.push(`CASE WHEN (${roles.spanKind.sql}) = 'server' AND (${roles.durationNs.sql}) IS NOT NULL THEN (${roles.parentId.sql}) END AS __server_parent`);
    if (positions !== undefined) evCols.push(`(${ROW_POSITION_COLUMNS.segment}) AS __pseg`, `(${ROW_POSITION_COLUMNS.row}) AS __prow`);
  }
  for (const { alias, binding } of eventSlots.entries()) evCols.push(`(${binding.sql}) AS ${alias}`);
  // Keeps the select list non-empty for a plain COUNT.
  if (evCols.length === 0) evCols.push('1 AS __one');
  const ev = source(ctx, false, [
    weighted ? roles.sampleRate : undefined,
    eventDuration ? roles.durationNs : undefined,
    needsTrace ? roles.traceId : undefined,
    needsParent || clientTiming ? roles.parentId : undefined,
    clientTiming ? roles.spanKind : undefined,
    ...(positions === undefined ? [] : POSITION_BINDINGS),
    ...eventSlots.entries().map((e) => e.binding),
  ]);
  // The client join's semi-join reads __ev a second time: rescanning beats storing every event (half the time at 10M spans).
  const evInline = clientTiming ? `${ctx.dialect.recomputedCte()} ` : '';
  if (perTrace) {
    // __ev becomes one row per (trace, bucket) with its events' count; conditions and keys read only the trace.
    const keys = options.bucketIndex === undefined ? '__trace' : '__trace, __b';
    ctes.push(`__evr AS (SELECT ${evCols.join(', ')} FROM ${ev.relation} AS __e WHERE ${ev.range})`);
    ctes.push(`__ev AS (SELECT ${keys}, count(*) AS __cnt FROM __evr GROUP BY ${keys})`);
  } else {
    ctes.push(`__ev AS ${evInline}(SELECT ${evCols.join(', ')} FROM ${ev.relation} AS __e WHERE ${ev.range})`);
  }

  let from = '__ev';
  if (rootSlots.size > 0) {
    ctes.push(relatedSpans(ctx, '__root', rootSlots, [['__trace', roles.traceId]], ` AND (${roles.parentId.sql}) IS NULL AND (${roles.spanId.sql}) IS NOT NULL`, [roles.parentId, roles.spanId]));
    from += ' LEFT JOIN __root ON __root.__trace = __ev.__trace';
  }
  if (parentSlots.size > 0) {
    ctes.push(relatedSpans(ctx, '__parent', parentSlots, [['__trace', roles.traceId], ['__span', roles.spanId]], '', []));
    from += ' LEFT JOIN __parent ON __parent.__trace = __ev.__trace AND __parent.__span = __ev.__parent';
  }
  if (clientTiming) {
    const clientJoin = positionalJoin ?? clientJoinAtReadTime(ctx);
    ctes.push(...clientJoin.ctes);
    from += clientJoin.joins;
  }
  ctes.push(...anyCtes);

  const baseCols: string[] = [];
  if (options.bucketIndex !== undefined) baseCols.push('__ev.__b AS __b');
  if (withDuration) baseCols.push('__ev.__ts AS __ts', '__ev.__dur AS __dur');
  else if (options.withTimestamp === true) baseCols.push('__ev.__ts AS __ts');
  if (weighted) baseCols.push('__ev.__w AS __w');
  if (perTrace) baseCols.push('__ev.__cnt AS __cnt');
  groupRefs.forEach((r, j) => baseCols.push(`${r} AS __g${j}`));
  valueRefs.forEach((r, m) => baseCols.push(`${r} AS __v${m}`));
  if (baseCols.length === 0) baseCols.push('1 AS __one');
  const combinator = ` ${query.spec.filter_combination} `;
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.map((c) => `(${c})`).join(combinator)}`;
  const joinsRelated = from !== '__ev';
  const inline = options.readTwice === true && !joinsRelated ? `${ctx.dialect.recomputedCte()} ` : '';
  ctes.push(`__base AS ${inline}(SELECT ${baseCols.join(', ')} FROM ${from}${where})`);

  return {
    ctes,
    groupColumns: query.breakdowns.map((_, j) => `__g${j}`),
    valueColumn: (calc) => {
      const alias = valueAliases.get(valueKey(calc));
      if (alias === undefined) throw new Error(`no value column for ${calc.label}`);
      return alias;
    },
    weighted,
    withDuration,
    joinsRelated,
    ...(perTrace ? { countColumn: '__cnt' } : {}),
  };
}
