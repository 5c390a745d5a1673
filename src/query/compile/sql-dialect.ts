import type { DerivedSqlDialect } from '../../derived/derived-sql-dialect.js';
import type { QueryParameter } from './compiled-query.js';

/**
 * What differs between SQL engines, as small hooks of the one query compiler. Every hook receives
 * SQL fragments the compiler built from the schema's store-generated bindings and its own aliases;
 * user values only ever arrive as placeholders.
 */
export interface SqlDialect {
  readonly name: string;
  /** Quotes an identifier (the store uses it when it builds column bindings). */
  quoteIdentifier(name: string): string;
  /** The placeholder of the 1-based parameter `index` of that type; the same index may appear several times. */
  placeholder(index: number, type: QueryParameter['type']): string;
  /** Aggregate-free: `value` of the previous row of `window` (an `OVER (...)` clause), NULL on its first row. */
  previousInWindow(value: string, window: string): string;

  /**
   * Index of the time bucket holding `tsNs`, counted from `originNs` (a bucket boundary at or
   * before every ts given, so the integer division never sees a negative numerator).
   */
  bucketIndex(tsNs: string, originNs: string, granularityNs: string): string;
  /** Set-returning select item: one row per integer from `first` to `last` inclusive. */
  expandRange(first: string, last: string): string;
  /** Aggregate: `value` at the row where `order` is least (a NULL value included, not skipped). */
  valueAtMin(value: string, order: string): string;
  /** Exact percentile, `fraction` in [0, 1] (a constant from the compiler's table). */
  percentile(value: string, fraction: number): string;
  countDistinct(value: string): string;
  /** Aggregate: counts of each integer bucket index; read back as [{key, value}] pairs. */
  histogram(bucketIndex: string): string;
  startsWith(value: string, prefix: string): string;
  endsWith(value: string, suffix: string): string;
  contains(value: string, part: string): string;
  /** a = b where NULL equals NULL (group keys may be NULL). */
  nullSafeEquals(a: string, b: string): string;
  toDouble(value: string): string;
  /** A predicate's value as the engine's BOOLEAN (results then read true/false, not 1/0). */
  asBoolean(predicate: string): string;
  /** Written between `name AS` and a CTE's body so the engine inlines it wherever it is read (empty if it always does). */
  recomputedCte(): string;
  /** A finite number as a floating-point literal. */
  doubleLiteral(value: number): string;
  /** A NULL of the type that carries bucket starts (BIGINT). */
  nullBigint(): string;
  /** A floor to an integer, for heatmap bucket indexes. */
  floorToInteger(value: string): string;
  /** The functions of calculated fields (src/derived/); absent: the engine has no calculated fields yet. */
  readonly derivedFunctions?: DerivedSqlDialect;
  /** A number in [0, 1) that looks random but is fixed by the values (a hash): for sampling events repeatably. */
  sampleUnit(values: readonly string[]): string;
  /**
   * The low 32 bits of an unsigned 128-bit id (a trace id) as a BIGINT: a cheap number to sample
   * whole traces by (a 128-bit modulo took DuckDB ~2 µs a row, this ~4 ns).
   */
  low32Bits(id: string): string;
  /** Written between `name AS` and a CTE's body so the engine computes it once and keeps the rows (empty if it always does). */
  materializedCte(): string;
  /**
   * Written between `name AS` and the body of a CTE the query reads more than once (the
   * aggregation, the top groups): empty where the engine computes such a CTE once by itself.
   */
  sharedCte(): string;
  /** A typed NULL (a plain `CAST(NULL AS VARCHAR)` fails in ClickHouse, whose types are not nullable unless said). */
  typedNull(type: 'varchar' | 'double'): string;
  /** A value as text, NULL staying NULL (ClickHouse's CAST to String refuses a NULL). */
  toText(value: string): string;
  /** The length in bytes (UTF-8) of a text value, NULL staying NULL. */
  textBytes(text: string): string;
  /** Whether a floating-point value is neither NaN nor infinite. */
  isFinite(value: string): string;
  /** Aggregate: the sum of partial counts, of the type the engine's count(*) has (so a count added up from parts reads the same). */
  sumOfCounts(counts: string): string;
}
