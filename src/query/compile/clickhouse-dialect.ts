import { clickhouseDerivedSql } from '../../derived/derived-sql-dialect.js';
import type { QueryParameter } from './compiled-query.js';
import type { SqlDialect } from './sql-dialect.js';

/** ClickHouse's type of each bound parameter. */
const PARAMETER_TYPE: Record<QueryParameter['type'], string> = { varchar: 'String', bigint: 'Int64', double: 'Float64', boolean: 'Bool' };

/** The name the 1-based parameter `index` is bound under (`{p3:Int64}` → query_params.p3). */
export function clickhouseParameterName(index: number): string {
  return `p${index}`;
}

/**
 * ClickHouse (24.8 and newer; tested on 26.7 through chdb). Statements run with join_use_nulls,
 * group_by_use_nulls and standard GROUPING (see ClickHouseConnection), so NULLs mean what they
 * mean in DuckDB. Percentiles use quantileExactInclusive: the same linear interpolation as
 * DuckDB's quantile_cont (quantileExact picks a rank and differs). Values are `{pN:Type}`
 * parameters, bound by the server, never spliced into the text.
 */
export const clickhouseDialect: SqlDialect = {
  name: 'clickhouse',
  quoteIdentifier: (name) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  placeholder: (index, type) => `{${clickhouseParameterName(index)}:${PARAMETER_TYPE[type]}}`,
  // lag() is lagInFrame here; a Nullable argument makes the first row of a partition NULL, not 0.
  previousInWindow: (value, window) => `lagInFrame(toNullable(${value})) ${window}`,
  bucketIndex: (ts, origin, g) => `intDiv(${ts} - ${origin}, ${g})`,
  expandRange: (first, last) => `arrayJoin(range(${first}, ${last} + 1))`,
  // argMin skips NULL values; wrapped in a tuple the NULL is kept, as arg_min_null does.
  valueAtMin: (value, order) => `argMin(tuple(${value}), ${order}).1`,
  percentile: (value, fraction) => `quantileExactInclusive(${fraction})(${value})`,
  countDistinct: (value) => `uniqExact(${value})`,
  sampleUnit: (values) => `(cityHash64(${values.join(', ')}) % 1000000) / 1e6`,
  low32Bits: (id) => `toInt64(toUInt32(${id}))`,
  // ClickHouse has no MATERIALIZED CTE keyword: a CTE is inlined where it is used.
  materializedCte: () => '',
  // ClickHouse inlines a CTE wherever it is read: the aggregation, read by the groups and the cells
  // (and through the top groups by both halves of the UNION), ran three times over the events.
  // MATERIALIZED (enable_materialized_cte, 26.x) computes it once; ClickHouseConnection drops the
  // keyword on a server without it.
  sharedCte: () => 'MATERIALIZED',
  typedNull: (type) => `CAST(NULL, '${type === 'varchar' ? 'Nullable(String)' : 'Nullable(Float64)'}')`,
  toText: (value) => `toString(${value})`,
  textBytes: (text) => `length(${text})`,
  isFinite: (value) => `isFinite(${value})`,
  // A Map(index → count): read back as an object of counts, as the result shaper accepts.
  histogram: (index) => `sumMap(map(assumeNotNull(${index}), toUInt64(${index} IS NOT NULL)))`,
  startsWith: (value, prefix) => `startsWith(${value}, ${prefix})`,
  endsWith: (value, suffix) => `endsWith(${value}, ${suffix})`,
  contains: (value, part) => `(position(${value}, ${part}) > 0)`,
  nullSafeEquals: (a, b) => `isNotDistinctFrom(${a}, ${b})`,
  toDouble: (value) => `toFloat64(${value})`,
  // A comparison is a UInt8 in ClickHouse.
  asBoolean: (predicate) => `CAST(${predicate}, 'Nullable(Bool)')`,
  // ClickHouse inlines every CTE where it is read.
  recomputedCte: () => '',
  doubleLiteral: (value) => `toFloat64(${value.toExponential()})`,
  nullBigint: () => "CAST(NULL, 'Nullable(Int64)')",
  floorToInteger: (value) => `toInt32(floor(${value}))`,
  derivedFunctions: clickhouseDerivedSql,
  // count() is a UInt64, and so is the sum of UInt64 counts.
  sumOfCounts: (counts) => `sum(${counts})`,
};
