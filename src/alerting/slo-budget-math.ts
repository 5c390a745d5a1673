/**
 * Error-budget arithmetic of an SLO (pure; unit-tested). An SLI sorts each eligible event into good
 * (true) and bad (false); null events are not eligible. The target is a fraction of good events
 * (target_per_million / 1e6); the budget is the bad events the target allows over the period.
 */

export interface SliCounts {
  readonly good: number;
  readonly bad: number;
}

export const PER_MILLION = 1_000_000;

/** Good events as a percentage of eligible ones; 100 when there were none (nothing failed). */
export function compliancePercent(counts: SliCounts): number {
  const eligible = counts.good + counts.bad;
  return eligible === 0 ? 100 : (counts.good / eligible) * 100;
}

/** Bad events the target allows among these eligible events. */
export function allowedBadEvents(counts: SliCounts, targetPerMillion: number): number {
  return (counts.good + counts.bad) * (1 - targetPerMillion / PER_MILLION);
}

/**
 * What is left of the error budget, as a percentage of it (negative once overspent, as Honeycomb
 * shows it). With no eligible events nothing is spent: 100. A target of 100 % allows no bad event:
 * any bad event spends all of it.
 */
export function budgetRemainingPercent(counts: SliCounts, targetPerMillion: number): number {
  const allowed = allowedBadEvents(counts, targetPerMillion);
  if (allowed <= 0) return counts.bad === 0 ? 100 : -Infinity;
  return ((allowed - counts.bad) / allowed) * 100;
}

/**
 * Minutes until the budget is spent if bad events keep arriving at the rate of the lookback
 * window (`recentBad` over `lookbackMinutes`): Infinity when nothing is burning, 0 when the budget
 * is already spent and still burning.
 */
export function minutesToExhaustion(period: SliCounts, targetPerMillion: number, recentBad: number, lookbackMinutes: number): number {
  if (recentBad <= 0 || lookbackMinutes <= 0) return Infinity;
  const left = allowedBadEvents(period, targetPerMillion) - period.bad;
  if (left <= 0) return 0;
  return left / (recentBad / lookbackMinutes);
}

/**
 * How much of the whole budget the window's bad events spent, per million of the budget (Honeycomb's
 * budget_rate_decrease_threshold_per_million is in the same unit: 10 000 = 1 % of the budget).
 */
export function budgetDecreasePerMillion(period: SliCounts, targetPerMillion: number, windowBad: number): number {
  const allowed = allowedBadEvents(period, targetPerMillion);
  if (allowed <= 0) return windowBad > 0 ? PER_MILLION : 0;
  return (windowBad / allowed) * PER_MILLION;
}

/** The lookback an exhaustion-time alert measures the burn rate over: a quarter of its horizon, at least 5 minutes. */
export function exhaustionLookbackMinutes(exhaustionMinutes: number): number {
  return Math.max(5, Math.round(exhaustionMinutes / 4));
}

/**
 * The burn-down: budget remaining (percent) at the end of each bucket of the period, counting the
 * budget over the events seen so far (so it starts at 100 and falls with every bad event).
 */
export function burnDown(buckets: ReadonlyArray<{ time: string } & SliCounts>, targetPerMillion: number): Array<{ time: string; budget_remaining: number; compliance: number }> {
  let good = 0;
  let bad = 0;
  return buckets.map((b) => {
    good += b.good;
    bad += b.bad;
    return { time: b.time, budget_remaining: budgetRemainingPercent({ good, bad }, targetPerMillion), compliance: compliancePercent({ good, bad }) };
  });
}

/**
 * The burn-down drawn over the whole period: 100 % at its start (no event seen yet) and the last
 * value carried to its end (now), so one busy bucket draws a line across the period, not a lone dot.
 */
export function burnDownOverPeriod(
  buckets: ReadonlyArray<{ time: string } & SliCounts>,
  targetPerMillion: number,
  period: { start: string; end: string },
): Array<{ time: string; budget_remaining: number; compliance: number }> {
  const inside = burnDown(buckets, targetPerMillion).filter((p) => Date.parse(p.time) > Date.parse(period.start) && Date.parse(p.time) < Date.parse(period.end));
  const last = inside.at(-1) ?? { budget_remaining: 100, compliance: 100 };
  return [{ time: period.start, budget_remaining: 100, compliance: 100 }, ...inside, { time: period.end, budget_remaining: last.budget_remaining, compliance: last.compliance }];
}
