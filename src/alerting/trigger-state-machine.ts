/** What a trigger remembers between evaluations (kept across restarts). */
export interface TriggerRunState {
  readonly triggered: boolean;
  /** Evaluations in a row whose result crossed the threshold. */
  readonly consecutiveExceeded: number;
}

export const ALERT_TYPES = ['on_change', 'on_true'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface TriggerStepRules {
  /** Crossings in a row before the trigger fires (Honeycomb's threshold.exceeded_limit, 1 to 5). */
  readonly exceededLimit: number;
  /** on_change: notify when the trigger fires and when it resolves; on_true: on every evaluation while it is firing, and when it resolves. */
  readonly alertType: AlertType;
}

/** `triggered` and `ok` are Honeycomb's webhook statuses (TRIGGERED / OK). */
export type TriggerNotification = 'triggered' | 'ok' | null;

/**
 * One evaluation's effect on a trigger. Pure: the scheduler persists the state and sends what
 * this returns. A trigger resolves on the first evaluation that does not cross the threshold.
 */
export function stepTrigger(state: TriggerRunState, exceeded: boolean, rules: TriggerStepRules): { state: TriggerRunState; notify: TriggerNotification } {
  if (!exceeded) return { state: { triggered: false, consecutiveExceeded: 0 }, notify: state.triggered ? 'ok' : null };
  const consecutiveExceeded = Math.min(state.consecutiveExceeded + 1, rules.exceededLimit);
  if (consecutiveExceeded < rules.exceededLimit) return { state: { triggered: state.triggered, consecutiveExceeded }, notify: null };
  const notify = !state.triggered || rules.alertType === 'on_true' ? 'triggered' : null;
  return { state: { triggered: true, consecutiveExceeded }, notify };
}
