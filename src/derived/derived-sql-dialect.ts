/**
 * What differs between engines when compiling calculated fields, beside the query compiler's own
 * SqlDialect hooks (startsWith, endsWith, contains, toDouble). Each hook receives SQL fragments
 * built by the compiler; user values only arrive as placeholders. A new engine (ClickHouse) adds
 * one object of this shape next to its SqlDialect.
 */
export interface DerivedSqlDialect {
  /** The engine's SQL type names for the four value types. */
  readonly typeNames: { readonly string: string; readonly integer: string; readonly float: string; readonly boolean: string };
  /** A cast that yields NULL instead of failing (an unparseable string). */
  tryCast(value: string, type: 'integer' | 'float'): string;
  /** Integer arithmetic widened so that adding or multiplying two 64-bit integers cannot overflow; the caller narrows back with tryCast. */
  wideInteger(value: string): string;
  truncate(value: string): string;
  /** A string as an integer, the fraction cut off ("12.7" → 12, never rounded), NULL when it does not parse. */
  parseIntegerTruncating(value: string): string;
  log10(value: string): string;
  floor(value: string): string;
  least(values: readonly string[]): string;
  greatest(values: readonly string[]): string;
  concat(values: readonly string[]): string;
  lower(value: string): string;
  charLength(value: string): string;
  byteLength(value: string): string;
  /** Whether the RE2 `pattern` matches anywhere in `value`. */
  regexMatches(value: string, pattern: string): string;
  /** Group `group` (a compiler constant) of the first match, NULL when there is none. */
  regexExtract(value: string, pattern: string, group: number): string;
  regexCount(value: string, pattern: string): string;
  /** An RFC 3339 string as Unix seconds (float), NULL when it does not parse. */
  parseTimestampSeconds(value: string): string;
  /** Unix seconds (float) formatted with a strftime format, in UTC. */
  formatUnixSeconds(format: string, seconds: string): string;
  /**
   * Unix seconds (float) of an integer count of 1/`unitsPerSecond` seconds since the epoch (a
   * compiler constant: 1e9 for event times in ns, 1e3 for ingest times in ms), NULL staying NULL:
   * EVENT_TIMESTAMP() and INGEST_TIMESTAMP() go through it, so both answer the same type and unit.
   */
  epochSeconds(count: string, unitsPerSecond: number): string;
}

export const duckdbDerivedSql: DerivedSqlDialect = {
  typeNames: { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN' },
  tryCast: (value, type) => `TRY_CAST(${value} AS ${type === 'integer' ? 'BIGINT' : 'DOUBLE'})`,
  wideInteger: (value) => `CAST(${value} AS HUGEINT)`,
  truncate: (value) => `trunc(${value})`,
  // A cast of '12.7' to BIGINT rounds (13): go through an exact decimal, then a double for exponent forms ('1e3').
  parseIntegerTruncating: (value) => `coalesce(TRY_CAST(trunc(TRY_CAST(${value} AS DECIMAL(38, 9))) AS BIGINT), TRY_CAST(trunc(TRY_CAST(${value} AS DOUBLE)) AS BIGINT))`,
  log10: (value) => `log10(${value})`,
  floor: (value) => `floor(${value})`,
  // DuckDB's least/greatest skip NULLs (NULL only when every argument is NULL), as Honeycomb's MIN/MAX skip empty values.
  least: (values) => `least(${values.join(', ')})`,
  greatest: (values) => `greatest(${values.join(', ')})`,
  concat: (values) => `concat(${values.join(', ')})`,
  lower: (value) => `lower(${value})`,
  charLength: (value) => `length(${value})`,
  byteLength: (value) => `strlen(${value})`,
  // try(): a pattern JavaScript accepts and RE2 does not (checked at creation, but the two differ
  // in corners) gives NULL rather than failing every query that uses the field.
  regexMatches: (value, pattern) => `try(regexp_matches(${value}, ${pattern}))`,
  regexExtract: (value, pattern, group) => `try(CASE WHEN regexp_matches(${value}, ${pattern}) THEN regexp_extract(${value}, ${pattern}, ${group}) END)`,
  regexCount: (value, pattern) => `try(len(regexp_extract_all(${value}, ${pattern})))`,
  parseTimestampSeconds: (value) => `(epoch_us(TRY_CAST(${value} AS TIMESTAMPTZ)) / 1e6)`,
  // make_timestamp(µs) is a TIMESTAMP (no zone): formatted as UTC whatever the session's time zone.
  formatUnixSeconds: (format, seconds) => `strftime(make_timestamp(TRY_CAST(${seconds} * 1e6 AS BIGINT)), ${format})`,
  epochSeconds: (count, unitsPerSecond) => `(CAST(${count} AS DOUBLE) / ${unitsPerSecond.toExponential()})`,
};

/**
 * ClickHouse (26.x through chdb, 24.8 LTS on a server). Types are Nullable (a plain cast of NULL
 * fails there); NULL-skipping least/greatest and concat are spelled out, because ClickHouse's
 * return NULL when any argument is NULL; string lengths count UTF-8 characters as DuckDB's do.
 */
export const clickhouseDerivedSql: DerivedSqlDialect = {
  typeNames: { string: 'Nullable(String)', integer: 'Nullable(Int64)', float: 'Nullable(Float64)', boolean: 'Nullable(Bool)' },
  // accurateCastOrNull: NULL for text that does not parse and for numbers out of Int64's range (TRY_CAST's meaning).
  tryCast: (value, type) => `accurateCastOrNull(${value}, '${type === 'integer' ? 'Int64' : 'Float64'}')`,
  wideInteger: (value) => `toInt128(${value})`,
  truncate: (value) => `trunc(${value})`,
  parseIntegerTruncating: (value) =>
    `coalesce(accurateCastOrNull(trunc(toDecimal128OrNull(${value}, 9)), 'Int64'), accurateCastOrNull(trunc(toFloat64OrNull(${value})), 'Int64'))`,
  log10: (value) => `log10(${value})`,
  floor: (value) => `floor(${value})`,
  least: (values) => nullSkipping('least', values),
  greatest: (values) => nullSkipping('greatest', values),
  // DuckDB's concat reads NULL as '': so does this.
  concat: (values) => `concat(${values.map((v) => `ifNull(${v}, '')`).join(', ')})`,
  lower: (value) => `lowerUTF8(${value})`,
  charLength: (value) => `lengthUTF8(${value})`,
  byteLength: (value) => `length(${value})`,
  regexMatches: (value, pattern) => `match(${value}, assumeNotNull(${pattern}))`,
  regexExtract: (value, pattern, group) =>
    `CASE WHEN match(${value}, assumeNotNull(${pattern})) THEN regexpExtract(${value}, assumeNotNull(${pattern}), ${group}) END`,
  regexCount: (value, pattern) => `toInt64(countMatches(${value}, assumeNotNull(${pattern})))`,
  parseTimestampSeconds: (value) => `(toUnixTimestamp64Micro(parseDateTime64BestEffortOrNull(${value}, 6, 'UTC')) / 1e6)`,
  formatUnixSeconds: (format, seconds) => `formatDateTime(toDateTime64(${seconds}, 6, 'UTC'), assumeNotNull(${format}), 'UTC')`,
  // toFloat64 keeps a Nullable count Nullable (NULL stays NULL).
  epochSeconds: (count, unitsPerSecond) => `(toFloat64(${count}) / toFloat64(${unitsPerSecond.toExponential()}))`,
};

/** least/greatest over the non-NULL arguments, NULL only when all are (DuckDB's meaning). */
function nullSkipping(fn: 'least' | 'greatest', values: readonly string[]): string {
  if (values.length === 1) return values[0]!;
  return `arrayReduce('${fn === 'least' ? 'min' : 'max'}', [${values.join(', ')}])`;
}
