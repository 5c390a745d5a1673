/**
 * BubbleUp's ranking, as pure functions over value counts. The score of a column is the largest
 * difference, over its values, between the value's share of the selection and its share of the
 * baseline: max |selected(v)/selected_total − baseline(v)/baseline_total|, from 0 (the two look
 * alike) to 1 (a value is all of one side and none of the other).
 *
 * Why this score: it is how Honeycomb ranks BubbleUp's dimensions (by the biggest difference in
 * proportion), it reads directly off the bars the user sees (the tallest gap between a pair), and
 * it needs only the values with the largest gaps, which the SQL keeps (bubbleUpValuesPerSide),
 * so it is exact even for a column with a million values. Measures such as a chi-square statistic
 * or the total variation distance either grow with the number of events (ranking large queries by
 * their size) or need every value of the column.
 */

/** One value of a column (a number bucket, or a string/boolean value, or missing) and its counts on both sides. */
export interface ValueCounts {
  /** What the value is shown as: the string or boolean itself, a bucket's range, or "missing". */
  readonly value: string | boolean;
  /** True for events that lack the column (a value of its own, shown as "missing"). */
  readonly missing: boolean;
  /** A number bucket's range, [lower, upper) (the last float bucket includes its upper end). */
  readonly lower?: number;
  readonly upper?: number;
  readonly selected: number;
  readonly baseline: number;
}

/** One value on one side, as the API answers it. */
export interface BubbleUpValue {
  readonly value: string | boolean;
  readonly count: number;
  /** count / the side's total events (0 when the side is empty). */
  readonly fraction: number;
  readonly missing?: true;
  readonly lower?: number;
  readonly upper?: number;
}

export interface BubbleUpDimension {
  readonly column: string;
  readonly score: number;
  readonly selected: readonly BubbleUpValue[];
  readonly baseline: readonly BubbleUpValue[];
}

export interface SideTotals {
  readonly selected: number;
  readonly baseline: number;
}

function share(count: number, total: number): number {
  return total > 0 ? count / total : 0;
}

/** The column's score: the largest difference in share of one value between the two sides. */
export function bubbleUpScore(values: readonly ValueCounts[], totals: SideTotals): number {
  let best = 0;
  for (const v of values) best = Math.max(best, Math.abs(share(v.selected, totals.selected) - share(v.baseline, totals.baseline)));
  return best;
}

/**
 * Order of values on a side: number buckets by range (a histogram), others most frequent first;
 * missing last either way. Ties by the value's text, so answers are stable.
 */
function compareValues(a: ValueCounts, b: ValueCounts, side: 'selected' | 'baseline'): number {
  if (a.missing !== b.missing) return a.missing ? 1 : -1;
  if (a.lower !== undefined && b.lower !== undefined) return a.lower - b.lower;
  return b[side] - a[side] || String(a.value).localeCompare(String(b.value));
}

function sideValues(values: readonly ValueCounts[], totals: SideTotals, side: 'selected' | 'baseline'): BubbleUpValue[] {
  return values
    .filter((v) => v[side] > 0)
    .sort((a, b) => compareValues(a, b, side))
    .map((v) => ({
      value: v.value,
      count: v[side],
      fraction: share(v[side], totals[side]),
      ...(v.missing ? { missing: true as const } : {}),
      ...(v.lower === undefined ? {} : { lower: v.lower }),
      ...(v.upper === undefined ? {} : { upper: v.upper }),
    }));
}

/** A column's answer: its score and, per side, the values that side has. */
export function bubbleUpDimension(column: string, values: readonly ValueCounts[], totals: SideTotals): BubbleUpDimension {
  return {
    column,
    score: bubbleUpScore(values, totals),
    selected: sideValues(values, totals, 'selected'),
    baseline: sideValues(values, totals, 'baseline'),
  };
}

/** Highest score first; equal scores by column name. */
export function rankBubbleUpDimensions(dimensions: readonly BubbleUpDimension[]): BubbleUpDimension[] {
  return [...dimensions].sort((a, b) => b.score - a.score || a.column.localeCompare(b.column));
}
