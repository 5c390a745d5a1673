import { BadRequestError } from '../core/errors.js';
import type { TriggerRecipientRef } from './trigger-definition.js';
import { integerIn } from './trigger-definition.js';

/** Honeycomb's SLO: an SLI (a calculated field returning true/false/null) and a target over a period. */
export interface StoredSlo {
  id: string;
  dataset: string;
  name: string;
  description: string;
  sli: { alias: string };
  time_period_days: number;
  target_per_million: number;
  created_at: string;
  updated_at: string;
}

export const BURN_ALERT_TYPES = ['exhaustion_time', 'budget_rate'] as const;
export type BurnAlertType = (typeof BURN_ALERT_TYPES)[number];

/** Honeycomb's burn alert on an SLO. */
export interface StoredBurnAlert {
  id: string;
  dataset: string;
  slo_id: string;
  alert_type: BurnAlertType;
  description: string;
  exhaustion_minutes?: number;
  budget_rate_window_minutes?: number;
  budget_rate_decrease_threshold_per_million?: number;
  recipients: TriggerRecipientRef[];
  created_at: string;
  updated_at: string;
}

export function parseSloNumbers(body: Record<string, unknown>, current?: StoredSlo): Pick<StoredSlo, 'time_period_days' | 'target_per_million'> {
  return {
    time_period_days: integerIn(body['time_period_days'] ?? current?.time_period_days, 'time_period_days', 1, 90, 30),
    target_per_million: requiredTarget(body['target_per_million'] ?? current?.target_per_million),
  };
}

function requiredTarget(value: unknown): number {
  if (value === undefined || value === null) throw new BadRequestError('target_per_million: required, e.g. 990000 for 99 %');
  return integerIn(value, 'target_per_million', 0, 999_999, 0);
}

export function parseSliAlias(body: Record<string, unknown>, current?: StoredSlo): string {
  const sli = body['sli'] ?? current?.sli;
  if (typeof sli !== 'object' || sli === null || typeof (sli as Record<string, unknown>)['alias'] !== 'string' || (sli as { alias: string }).alias === '') {
    throw new BadRequestError('sli: required, {alias} naming a calculated field that returns true (good), false (bad) or null (not eligible)');
  }
  return (sli as { alias: string }).alias;
}

/** The kind and numbers of a burn alert: exhaustion_minutes for exhaustion_time, the window and threshold for budget_rate. */
export function parseBurnAlertRule(body: Record<string, unknown>, current?: StoredBurnAlert): Pick<StoredBurnAlert, 'alert_type' | 'exhaustion_minutes' | 'budget_rate_window_minutes' | 'budget_rate_decrease_threshold_per_million'> {
  const type = body['alert_type'] ?? current?.alert_type ?? 'exhaustion_time';
  if (typeof type !== 'string' || !(BURN_ALERT_TYPES as readonly string[]).includes(type)) throw new BadRequestError(`alert_type: one of ${BURN_ALERT_TYPES.join(', ')}`);
  if (type === 'exhaustion_time') {
    const minutes = body['exhaustion_minutes'] ?? current?.exhaustion_minutes;
    if (minutes === undefined) throw new BadRequestError('exhaustion_minutes: required for an exhaustion_time burn alert');
    return { alert_type: 'exhaustion_time', exhaustion_minutes: integerIn(minutes, 'exhaustion_minutes', 0, 90 * 1440, 0) };
  }
  const window = body['budget_rate_window_minutes'] ?? current?.budget_rate_window_minutes;
  const threshold = body['budget_rate_decrease_threshold_per_million'] ?? current?.budget_rate_decrease_threshold_per_million;
  if (window === undefined) throw new BadRequestError('budget_rate_window_minutes: required for a budget_rate burn alert');
  if (threshold === undefined) throw new BadRequestError('budget_rate_decrease_threshold_per_million: required for a budget_rate burn alert');
  return {
    alert_type: 'budget_rate',
    budget_rate_window_minutes: integerIn(window, 'budget_rate_window_minutes', 60, 90 * 1440, 60),
    budget_rate_decrease_threshold_per_million: integerIn(threshold, 'budget_rate_decrease_threshold_per_million', 1, 1_000_000, 1),
  };
}
