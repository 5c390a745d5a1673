/** Order statistics of a list of milliseconds (nearest-rank). */
export interface LatencySummary {
  readonly runs: number;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { runs: sorted.length, median: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}
