import type { QueryResultData } from '../query/compile/query-result-shaper.js';
import type { QuerySpec } from '../query/query-spec.js';
import type { AlertCheck, CheckOutcome } from './alert-scheduler.js';
import type { StoredTrigger, ThresholdOp } from './trigger-definition.js';
import { triggerGroups } from './trigger-evaluation.js';

/** Runs a spec through the query engine (dataset as the API names it); results only unless `series`. */
export type AlertQueryRunner = (dataset: string, spec: QuerySpec, options?: { readonly series?: boolean }) => Promise<QueryResultData>;

const OPERATOR_WORDS: Record<ThresholdOp, string> = { '>': 'greater than', '>=': 'greater than or equal to', '<': 'less than', '<=': 'less than or equal to' };

/** The trigger's relative query pinned to the scheduler's clock: the last time_range seconds before `nowMs`. */
export function specAt(spec: QuerySpec, nowMs: number): QuerySpec {
  const end = Math.floor(nowMs / 1000);
  return { ...spec, start_time: end - spec.time_range, end_time: end };
}

export interface TriggerLinks {
  readonly queryUrl: (dataset: string, spec: QuerySpec) => string;
  readonly triggerUrl: (dataset: string, id: string) => string;
}

/** A stored trigger as the scheduler runs it; the webhook payload follows Honeycomb's trigger webhook. */
export function triggerCheck(trigger: StoredTrigger, run: AlertQueryRunner, links: TriggerLinks): AlertCheck {
  return {
    id: trigger.id,
    kind: 'trigger',
    frequencySeconds: trigger.frequency,
    disabled: trigger.disabled,
    recipientIds: trigger.recipients.map((r) => r.id),
    rules: { exceededLimit: trigger.threshold.exceeded_limit, alertType: trigger.alert_type },
    evaluate: async (nowMs): Promise<CheckOutcome> => {
      const data = await run(trigger.dataset, specAt(trigger.spec, nowMs));
      const groups = triggerGroups(trigger.spec, data, trigger.threshold);
      const crossed = groups.filter((g) => g.crossed);
      const values = (crossed.length > 0 ? crossed : groups).map((g) => g.value).filter((v): v is number => v !== null);
      const worst = values.length === 0 ? null : trigger.threshold.op.startsWith('>') ? Math.max(...values) : Math.min(...values);
      return { value: worst, exceeded: crossed.length > 0, groups };
    },
    payload: (status, outcome, nowMs) => {
      const asResult = (g: CheckOutcome['groups'][number]): { Group: Record<string, unknown>; Result: number | null } => ({ Group: g.group, Result: g.value });
      return {
        version: 'v0.1.0',
        id: trigger.id,
        name: trigger.name,
        description: trigger.description,
        status,
        summary: `${status === 'TRIGGERED' ? 'Triggered' : 'Resolved'}: ${trigger.name}`,
        dataset: trigger.dataset,
        operator: OPERATOR_WORDS[trigger.threshold.op],
        threshold: trigger.threshold.value,
        alert_type: trigger.alert_type,
        timestamp: new Date(nowMs).toISOString(),
        result_url: links.queryUrl(trigger.dataset, specAt(trigger.spec, nowMs)),
        trigger_url: links.triggerUrl(trigger.dataset, trigger.id),
        result_groups: outcome.groups.map(asResult),
        result_groups_triggered: outcome.groups.filter((g) => g.crossed).map(asResult),
        is_test: false,
      };
    },
  };
}
