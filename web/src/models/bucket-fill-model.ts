/**
 * Empty time buckets of a series, filled. The server returns a series point only for buckets that
 * hold events, so a line drawn from the points alone bridges gaps (a COUNT of 5, nothing for an
 * hour, then 5 again reads as a flat 5) and a window with one busy bucket has one point, which
 * draws nothing. The buckets are the server's: epoch-aligned multiples of the granularity from the
 * one at or before the window's start (src/query/compile/query-window.ts), up to its end.
 */
import { CALCULATION_OP_TRAITS } from '../../../src/query/calculation-op-traits.js';
import { defaultGranularity } from '../../../src/query/compile/query-window.js';
import type { CalculationOp } from '../../../src/query/query-spec.js';

export interface BucketGrid {
  /** The query's window, Unix seconds, [start, end). */
  readonly startSec: number;
  readonly endSec: number;
  /** Seconds per bucket. */
  readonly granularitySec: number;
}

/** Beyond this many buckets the grid is not filled (a malformed granularity must not hang the page). */
const MAX_BUCKETS = 10_000;

/** The grid of a query's window: its stated granularity, or the server's default for the range. */
export function bucketGrid(window: { startSec: number; endSec: number }, granularitySec?: number): BucketGrid {
  const range = Math.max(1, window.endSec - window.startSec);
  return { startSec: window.startSec, endSec: window.endSec, granularitySec: granularitySec ?? defaultGranularity(range) };
}

/** Start times of every bucket of the grid, oldest first; empty when the grid is unusable. */
export function bucketTimes(grid: BucketGrid): number[] {
  const { startSec, endSec, granularitySec: g } = grid;
  if (!(g > 0) || !Number.isFinite(startSec) || !Number.isFinite(endSec) || endSec <= startSec) return [];
  const origin = Math.floor(startSec / g) * g;
  const count = Math.ceil((endSec - origin) / g);
  if (count > MAX_BUCKETS) return [];
  return Array.from({ length: count }, (_, k) => origin + k * g);
}

/**
 * What an empty bucket holds: 0 for ops that count or add (no events means none counted, a sum of
 * nothing), null — a gap in the line — for ops that have no value without events (AVG, MAX,
 * percentiles) and for RATE_*, a difference that needs two neighbours.
 */
const EMPTY_VALUE: Record<CalculationOp, 0 | null> = {
  COUNT: 0,
  CONCURRENCY: 0,
  SUM: 0,
  COUNT_DISTINCT: 0,
  HEATMAP: null,
  AVG: null,
  MAX: null,
  MIN: null,
  P001: null,
  P01: null,
  P05: null,
  P10: null,
  P20: null,
  P25: null,
  P50: null,
  P75: null,
  P80: null,
  P90: null,
  P95: null,
  P99: null,
  P999: null,
  RATE_AVG: null,
  RATE_SUM: null,
  RATE_MAX: null,
};

export function emptyBucketValue(op: CalculationOp): 0 | null {
  return EMPTY_VALUE[op];
}

/** Whether a chart of this op counts from zero (its y axis then starts at 0). */
export function countsFromZero(op: CalculationOp): boolean {
  return EMPTY_VALUE[op] === 0 && CALCULATION_OP_TRAITS[op].scalarResult;
}

/**
 * The times to draw: every bucket of the grid, plus any point time off the grid (a server with
 * another clock, a result from elsewhere), so no point is ever dropped. Sorted, unique.
 */
export function filledTimes(grid: BucketGrid | null, pointTimes: readonly number[]): number[] {
  const all = new Set(grid === null ? [] : bucketTimes(grid));
  for (const t of pointTimes) all.add(t);
  return [...all].sort((a, b) => a - b);
}

/**
 * Indexes of values with no value on either side: a line cannot be drawn through them, so the
 * chart marks them as dots (otherwise a lone P95 between empty buckets is invisible).
 */
export function isolatedIndexes(values: ReadonlyArray<number | null>): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    const before = i > 0 ? values[i - 1] : null;
    const after = i < values.length - 1 ? values[i + 1] : null;
    if ((before === null || before === undefined) && (after === null || after === undefined)) out.push(i);
  });
  return out;
}
