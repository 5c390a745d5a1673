import type { CalculationOp } from './query-spec.js';

/** What the validator and the compiler need to know about each calculation op. */
export interface CalculationOpTraits {
  /** COUNT and CONCURRENCY count events; every other op reads a column. */
  readonly takesColumn: boolean;
  /** The column must be integer or float (COUNT_DISTINCT accepts any type). */
  readonly numericColumn: boolean;
  /** HEATMAP yields buckets, not a number: it cannot be ordered by or used in a having. */
  readonly scalarResult: boolean;
}

const counting: CalculationOpTraits = { takesColumn: false, numericColumn: false, scalarResult: true };
const numeric: CalculationOpTraits = { takesColumn: true, numericColumn: true, scalarResult: true };

export const CALCULATION_OP_TRAITS: Record<CalculationOp, CalculationOpTraits> = {
  COUNT: counting,
  CONCURRENCY: counting,
  SUM: numeric,
  AVG: numeric,
  COUNT_DISTINCT: { takesColumn: true, numericColumn: false, scalarResult: true },
  HEATMAP: { takesColumn: true, numericColumn: true, scalarResult: false },
  MAX: numeric,
  MIN: numeric,
  P001: numeric,
  P01: numeric,
  P05: numeric,
  P10: numeric,
  P20: numeric,
  P25: numeric,
  P50: numeric,
  P75: numeric,
  P80: numeric,
  P90: numeric,
  P95: numeric,
  P99: numeric,
  P999: numeric,
  RATE_AVG: numeric,
  RATE_SUM: numeric,
  RATE_MAX: numeric,
};
