import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import type { QueryParameter } from '../compile/compiled-query.js';
import type { RelationWindow } from '../compile/compile-context.js';
import type { SqlDialect } from '../compile/sql-dialect.js';
import { SqlParameters } from '../compile/sql-parameters.js';
import type { ColumnBinding, QuerySchema } from '../query-schema.js';

export interface ServiceMapCompileOptions {
  /** The spans whose calls are mapped: the store's relation of the selected datasets. */
  readonly relation: (physicalColumns: readonly string[], window: RelationWindow) => string;
  /** Where their parents are looked for: every dataset (a call crosses services, so datasets). */
  readonly parentRelation: (physicalColumns: readonly string[], window: RelationWindow) => string;
  /** How far before the window a parent may have started (a caller starts before its callee). */
  readonly parentMarginNs: bigint;
  /**
   * Join only the traces whose id's low 32 bits are a multiple of this (1: every trace). Whole traces, so each
   * call found is found with its parent; the nodes are counted over every span all the same.
   */
  readonly traceSampleRate: number;
}

/**
 * One statement for the service map. Rows: `__kind` 0 for a service (`__a` its name, `__n` spans,
 * `__e` spans with an error), 1 for an edge (`__a` the parent's service, `__b` the child's, `__n`
 * calls, `__e` calls whose child span failed, `__p50`/`__p95` the child spans' duration in ms).
 */
export interface CompiledServiceMap {
  readonly sql: string;
  readonly parameters: readonly QueryParameter[];
}

function physical(...bindings: readonly ColumnBinding[]): string[] {
  return [...new Set(bindings.flatMap((b) => b.physicalColumns))].sort();
}

function required(schema: QuerySchema, name: string): ColumnBinding {
  const binding = schema.column(name);
  if (binding === undefined) throw new Error(`the store's schema lacks the core column ${name}`);
  return binding;
}

/**
 * The calls between services in [window.startNs, window.endNs): an edge for each span whose parent
 * span belongs to another service, found by a self-join on (trace id, parent id = span id) within
 * the window (parents within the window widened by parentMarginNs before it). Spans only: span
 * events and links (meta.annotation_type) carry their span's id as parent id but are no calls.
 * A call is counted once however often its span or its parent was delivered.
 */
export function compileServiceMap(schema: QuerySchema, dialect: SqlDialect, window: RelationWindow, options: ServiceMapCompileOptions): CompiledServiceMap {
  const rate = Math.trunc(options.traceSampleRate);
  if (!(rate >= 1)) throw new Error(`a service map's trace sample rate must be a whole number from 1, got ${options.traceSampleRate}`);
  const params = new SqlParameters(dialect);
  const { traceId, spanId, parentId, durationNs, timestampNs } = schema.roles;
  const service = required(schema, 'service.name');
  const error = required(schema, 'error');
  const annotation = required(schema, 'meta.annotation_type');
  const ts = `(${timestampNs.sql})`;
  const start = params.add({ type: 'bigint', value: window.startNs });
  const end = params.add({ type: 'bigint', value: window.endNs });
  const spans = options.relation(physical(timestampNs, traceId, spanId, parentId, durationNs, service, error, annotation), window);
  const parents = callers(schema, window, options, params);
  const ms = (value: string, q: number): string => `${dialect.percentile(value, q)} / ${dialect.doubleLiteral(1e6)}`;
  const inWindow = `${ts} >= ${start} AND ${ts} < ${end} AND (${annotation.sql}) IS NULL AND (${spanId.sql}) IS NOT NULL`;
  // The rate is a whole number checked above, written as a literal so the scan can filter by it.
  const sampled = rate === 1 ? '' : ` AND ${dialect.low32Bits(traceId.sql)} % ${rate} = 0`;
  // Sampled, both sides are kept (DuckDB: MATERIALIZED) before the join. Read straight from the
  // segments, the join kept buffers for each segment it read: over 31 segments (30M spans a day)
  // it ran out of 358 MiB even joining 1 in 20 traces, and 4 maps at once at any rate; kept, its
  // memory follows the traces joined (1 in 3 answered there, in 12 s). Not for every map: at 10M
  // spans (11 segments) keeping them made the exact map 7.2 s against 4.4 (BENCHMARKS.md run BC).
  const kept = rate === 1 ? '' : `${dialect.materializedCte()} `;
  // The spans are read twice, by the nodes and by the join, not through one CTE: DuckDB keeps a CTE
  // referenced twice materialized (every span of the window, 7 columns: ~650 MB at 10M), and with
  // that beside the join's hash table the map over 24 h at 10M ran out of the default pool (358 MiB)
  // in one run of two; read twice, it answers at 256 MiB, faster (run BA: 4.3-6.4 s against 7-10 s).
  const ctes = [
    `__s AS ${kept}(SELECT (${traceId.sql}) AS __trace, (${spanId.sql}) AS __span, ${ts} AS __ts, (${parentId.sql}) AS __parent, (${service.sql}) AS __svc, coalesce((${error.sql}), false) AS __err, (${durationNs.sql}) AS __dur ` +
      `FROM ${spans} AS __e WHERE ${inWindow}${sampled})`,
    `__p AS ${kept}(SELECT (${traceId.sql}) AS __trace, (${spanId.sql}) AS __span, (${service.sql}) AS __svc FROM ${parents.relation} AS __e WHERE ${parents.condition}${sampled})`,
    `__nodes AS (SELECT (${service.sql}) AS __svc, count(*) AS __n, count(*) FILTER (WHERE coalesce((${error.sql}), false)) AS __e FROM ${spans} AS __r WHERE ${inWindow} GROUP BY 1)`,
    // One hash join, then duplicates removed among the few cross-service pairs only (a span or its
    // parent delivered twice): cheaper than de-duplicating every parent first (measured 1.1 s of
    // 2.4 s at 1M spans).
    `__calls AS (SELECT DISTINCT __s.__trace, __s.__span, __s.__ts, __p.__svc AS __a, __s.__svc AS __b, __s.__err, __s.__dur ` +
      `FROM __s JOIN __p ON __p.__trace = __s.__trace AND __p.__span = __s.__parent WHERE __p.__svc IS DISTINCT FROM __s.__svc)`,
    `__edges AS (SELECT __a, __b, count(*) AS __n, count(*) FILTER (WHERE __err) AS __e, ${ms('__dur', 0.5)} AS __p50, ${ms('__dur', 0.95)} AS __p95 ` +
      `FROM __calls GROUP BY __a, __b ORDER BY __n DESC, __a, __b LIMIT ${ANALYSIS_LIMITS.serviceMapEdges.value})`,
  ];
  const sql =
    `WITH ${ctes.join(',\n')}\n` +
    `SELECT 0 AS __kind, __svc AS __a, ${dialect.typedNull('varchar')} AS __b, __n, __e, ${dialect.typedNull('double')} AS __p50, ${dialect.typedNull('double')} AS __p95 FROM __nodes\n` +
    `UNION ALL SELECT 1, __a, __b, __n, __e, __p50, __p95 FROM __edges\nORDER BY 1, 4 DESC, 2, 3`;
  return { sql, parameters: params.values() };
}

/** What finding the callers takes of the map's options. */
type CallerOptions = Pick<ServiceMapCompileOptions, 'parentRelation' | 'parentMarginNs'>;

/** Where the map looks for callers, and which of the relation's rows can be one. */
function callers(schema: QuerySchema, window: RelationWindow, options: CallerOptions, params: SqlParameters): { relation: string; condition: string } {
  const { traceId, spanId, timestampNs } = schema.roles;
  const service = required(schema, 'service.name');
  const annotation = required(schema, 'meta.annotation_type');
  const ts = `(${timestampNs.sql})`;
  const startNs = window.startNs - options.parentMarginNs;
  const relation = options.parentRelation(physical(timestampNs, traceId, spanId, service, annotation), { startNs, endNs: window.endNs });
  const start = params.add({ type: 'bigint', value: startNs });
  const end = params.add({ type: 'bigint', value: window.endNs });
  return { relation, condition: `${ts} >= ${start} AND ${ts} < ${end} AND (${annotation.sql}) IS NULL AND (${spanId.sql}) IS NOT NULL` };
}

/**
 * The number of spans the map's join would look for callers among (one row, `__n`): what decides
 * its trace sample rate (ANALYSIS_LIMITS.serviceMapSpansPerPoolMiB). A scan of three columns, no join.
 */
export function compileServiceMapCallerCount(schema: QuerySchema, dialect: SqlDialect, window: RelationWindow, options: CallerOptions): CompiledServiceMap {
  const params = new SqlParameters(dialect);
  const parents = callers(schema, window, options, params);
  return { sql: `SELECT count(*) AS __n FROM ${parents.relation} AS __e WHERE ${parents.condition}`, parameters: params.values() };
}

/** The smallest whole rate that brings `spans` to at most `maxSpans` (1: no sampling). */
export function serviceMapTraceSampleRate(spans: number, maxSpans: number): number {
  if (!(maxSpans >= 1) || spans <= maxSpans) return 1;
  return Math.ceil(spans / maxSpans);
}
