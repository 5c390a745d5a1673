import type { AlertCheck, CheckOutcome } from './alert-scheduler.js';
import { budgetDecreasePerMillion, budgetRemainingPercent, compliancePercent, exhaustionLookbackMinutes, minutesToExhaustion } from './slo-budget-math.js';
import type { StoredBurnAlert, StoredSlo } from './slo-definition.js';
import { sliCounts } from './slo-status.js';
import type { AlertQueryRunner } from './trigger-check.js';

/** Burn alerts are evaluated every minute, as Honeycomb's. */
const BURN_ALERT_FREQUENCY_SECONDS = 60;

/**
 * A burn alert as the scheduler runs it. exhaustion_time: fires when, at the burn rate of the last
 * quarter of its horizon (exhaustionLookbackMinutes), the budget left would be spent within
 * exhaustion_minutes. budget_rate: fires when the bad events of the last budget_rate_window_minutes
 * spent more than budget_rate_decrease_threshold_per_million of the period's budget. Both resolve
 * (OK) on the first evaluation that no longer says so.
 */
export function burnAlertCheck(alert: StoredBurnAlert, slo: StoredSlo, run: AlertQueryRunner, sloUrl: string): AlertCheck {
  const counts = async (nowMs: number, windowMinutes: number) => {
    const endS = Math.floor(nowMs / 1000);
    const period = await sliCounts(run, slo, endS - slo.time_period_days * 86_400, endS);
    const recent = await sliCounts(run, slo, endS - windowMinutes * 60, endS);
    return { period, recent };
  };
  return {
    id: alert.id,
    kind: 'burn_alert',
    frequencySeconds: BURN_ALERT_FREQUENCY_SECONDS,
    disabled: false,
    recipientIds: alert.recipients.map((r) => r.id),
    rules: { exceededLimit: 1, alertType: 'on_change' },
    evaluate: async (nowMs): Promise<CheckOutcome> => {
      if (alert.alert_type === 'exhaustion_time') {
        const lookback = exhaustionLookbackMinutes(alert.exhaustion_minutes ?? 0);
        const { period, recent } = await counts(nowMs, lookback);
        const minutes = minutesToExhaustion(period, slo.target_per_million, recent.bad, lookback);
        const value = Number.isFinite(minutes) ? minutes : null;
        return { value, exceeded: minutes <= (alert.exhaustion_minutes ?? 0), groups: [{ group: { compliance: compliancePercent(period), budget_remaining: budgetRemainingPercent(period, slo.target_per_million) }, value, crossed: minutes <= (alert.exhaustion_minutes ?? 0) }] };
      }
      const { period, recent } = await counts(nowMs, alert.budget_rate_window_minutes ?? 60);
      const drop = budgetDecreasePerMillion(period, slo.target_per_million, recent.bad);
      const exceeded = drop >= (alert.budget_rate_decrease_threshold_per_million ?? Infinity);
      return { value: drop, exceeded, groups: [{ group: { compliance: compliancePercent(period), budget_remaining: budgetRemainingPercent(period, slo.target_per_million) }, value: drop, crossed: exceeded }] };
    },
    payload: (status, outcome, nowMs) => ({
      version: 'v0.1.0',
      id: alert.id,
      name: slo.name,
      status,
      summary: `${status === 'TRIGGERED' ? 'Triggered' : 'Resolved'}: burn alert on SLO ${slo.name}`,
      alert_type: alert.alert_type,
      description: alert.description,
      dataset: slo.dataset,
      timestamp: new Date(nowMs).toISOString(),
      ...(alert.alert_type === 'exhaustion_time'
        ? { exhaustion_minutes: alert.exhaustion_minutes, minutes_to_exhaustion: outcome.value }
        : { budget_rate_window_minutes: alert.budget_rate_window_minutes, budget_rate_decrease_threshold_per_million: alert.budget_rate_decrease_threshold_per_million, budget_decrease_per_million: outcome.value }),
      slo: { id: slo.id, name: slo.name, target_per_million: slo.target_per_million, time_period_days: slo.time_period_days, ...outcome.groups[0]?.group },
      slo_url: sloUrl,
      is_test: false,
    }),
  };
}
