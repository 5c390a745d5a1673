import type { CalculationOp } from '../query-spec.js';
import type { SqlDialect } from './sql-dialect.js';

/** Values bucketed by HEATMAP between the column's min and max over the query's range. */
export const HEATMAP_BUCKETS = 50;

/**
 * Inputs of an aggregate: the column value expression (absent for COUNT/CONCURRENCY) and the
 * sample-rate weight expression when results are weighted.
 */
export interface AggregateInput {
  readonly value: string;
  readonly weight: string | undefined;
  readonly dialect: SqlDialect;
}

/**
 * How an aggregate treats a column that is an integer divided by a constant (a binding's
 * `scaledInteger`, such as duration_ms): `divide-result` aggregates the integer and divides the
 * result (linear and order-preserving ops), `same-result` aggregates the integer as it is (the
 * count of distinct values does not change). Other ops read the divided value.
 */
export type ScaledInput = 'divide-result' | 'same-result';

/**
 * How each op is computed.
 * - `aggregate`: one SQL aggregate over the group's (or bucket's) events.
 * - `heatmap`: a histogram of value-bucket indexes (needs the column's min/max first).
 * - `concurrency`: spans in flight per bucket (a span counts in every bucket its [start, end)
 *   overlaps, clipped to the range; events without a duration are not spans and do not count);
 *   over the whole range, the peak of the series.
 * - `rate`: the difference between a bucket's aggregate and the previous bucket's (NULL when the
 *   previous bucket is empty); over the whole range, the mean of those differences.
 */
export type CalculationPlan =
  | { readonly kind: 'aggregate'; readonly sql: (input: AggregateInput) => string; readonly scaled?: ScaledInput }
  | { readonly kind: 'heatmap' }
  | { readonly kind: 'concurrency' }
  | { readonly kind: 'rate'; readonly base: 'MAX' | 'AVG' | 'SUM' };

/**
 * Weighting by sample rate (when the query asks for it): COUNT sums the rates, SUM multiplies by
 * them, AVG is the weighted mean. Percentiles, MIN, MAX, COUNT_DISTINCT and HEATMAP counts are
 * computed over the stored events, unweighted.
 */
export function countSql(input: AggregateInput): string {
  return input.weight === undefined ? 'count(*)' : `coalesce(sum(${input.weight}), 0)`;
}

function sumSql({ value, weight }: AggregateInput): string {
  return weight === undefined ? `sum(${value})` : `sum(${value} * ${weight})`;
}

function avgSql({ value, weight, dialect }: AggregateInput): string {
  if (weight === undefined) return `avg(${value})`;
  return `${dialect.toDouble(`sum(${value} * ${weight})`)} / sum(CASE WHEN ${value} IS NOT NULL THEN ${weight} END)`;
}

const percentile = (fraction: number): CalculationPlan => ({
  kind: 'aggregate',
  sql: ({ value, dialect }) => dialect.percentile(value, fraction),
  scaled: 'divide-result',
});

export const CALCULATION_PLANS: Record<CalculationOp, CalculationPlan> = {
  COUNT: { kind: 'aggregate', sql: countSql },
  CONCURRENCY: { kind: 'concurrency' },
  SUM: { kind: 'aggregate', sql: sumSql, scaled: 'divide-result' },
  AVG: { kind: 'aggregate', sql: avgSql, scaled: 'divide-result' },
  COUNT_DISTINCT: { kind: 'aggregate', sql: ({ value, dialect }) => dialect.countDistinct(value), scaled: 'same-result' },
  HEATMAP: { kind: 'heatmap' },
  MAX: { kind: 'aggregate', sql: ({ value }) => `max(${value})`, scaled: 'divide-result' },
  MIN: { kind: 'aggregate', sql: ({ value }) => `min(${value})`, scaled: 'divide-result' },
  P001: percentile(0.001),
  P01: percentile(0.01),
  P05: percentile(0.05),
  P10: percentile(0.1),
  P20: percentile(0.2),
  P25: percentile(0.25),
  P50: percentile(0.5),
  P75: percentile(0.75),
  P80: percentile(0.8),
  P90: percentile(0.9),
  P95: percentile(0.95),
  P99: percentile(0.99),
  P999: percentile(0.999),
  RATE_AVG: { kind: 'rate', base: 'AVG' },
  RATE_SUM: { kind: 'rate', base: 'SUM' },
  RATE_MAX: { kind: 'rate', base: 'MAX' },
};

/** The aggregate a RATE_* op differences. */
export const RATE_BASE_SQL: Record<'MAX' | 'AVG' | 'SUM', (input: AggregateInput) => string> = {
  MAX: ({ value }) => `max(${value})`,
  AVG: avgSql,
  SUM: sumSql,
};
