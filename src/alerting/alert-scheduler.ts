import crypto from 'node:crypto';
import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import { emptyAlertState, type AlertEvaluation, type AlertState } from './alert-state.js';
import type { StoredRecipient } from './recipient.js';
import { stepTrigger, type TriggerStepRules } from './trigger-state-machine.js';
import type { DeliveryRecord, WebhookSender } from './webhook-sender.js';

/** What one run of a check found. */
export interface CheckOutcome {
  value: number | null;
  exceeded: boolean;
  groups: AlertEvaluation['groups'];
}

/** A trigger or burn alert as the scheduler runs it: built afresh from the stored definitions on every pass. */
export interface AlertCheck {
  readonly id: string;
  readonly kind: AlertState['kind'];
  readonly frequencySeconds: number;
  readonly disabled: boolean;
  readonly recipientIds: readonly string[];
  readonly rules: TriggerStepRules;
  /** Runs the check's query through the query engine (and its admission) as of `nowMs`. */
  evaluate(nowMs: number): Promise<CheckOutcome>;
  /** The JSON a webhook receives (Honeycomb's payload). */
  payload(status: 'TRIGGERED' | 'OK', outcome: CheckOutcome, nowMs: number): unknown;
}

export interface AlertSchedulerDependencies {
  readonly checks: () => readonly AlertCheck[];
  readonly states: JsonCollectionStore<AlertState>;
  readonly recipient: (id: string) => StoredRecipient | undefined;
  readonly sender: WebhookSender;
  /** The clock (epoch ms); tests pass their own. */
  readonly now: () => number;
  readonly log: (message: string) => void;
}

function keepLast<T>(list: T[], n: number): void {
  if (list.length > n) list.splice(0, list.length - n);
}

/**
 * Runs every enabled trigger and burn alert when it is due (its frequency after its last run),
 * one at a time, each through the normal query engine: so alerting takes its turn in the query
 * admission like any reader and never floods it. State (fired or not, crossings in a row, the last
 * runs and deliveries) is saved after each run, so a restart neither forgets a firing trigger nor
 * notifies twice. Notifications are delivered in the background (retries wait), and recorded.
 */
export class AlertScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly deliveries = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly forgotten = new Set<string>();

  constructor(private readonly deps: AlertSchedulerDependencies) {}

  state(id: string): AlertState | undefined {
    return this.deps.states.get(id);
  }

  /** Checks every `intervalMs` for due work (a timer that does not keep the process alive). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      void this.evaluateDue().catch((error: unknown) => this.deps.log(`alerting pass failed: ${String(error)}`));
    }, intervalMs);
    this.timer.unref();
  }

  /** Runs what is due now; answers how many checks ran. Overlapping calls share one pass. */
  evaluateDue(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once every delivery started so far is finished (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Forgets the state of a deleted check. */
  async forget(id: string): Promise<void> {
    this.forgotten.add(id);
    await this.deps.states.delete(id);
  }

  private async pass(): Promise<number> {
    let ran = 0;
    for (const check of this.deps.checks()) {
      if (this.stopped) break;
      if (check.disabled) continue;
      const state = this.deps.states.get(check.id) ?? emptyAlertState(check.id, check.kind);
      const now = this.deps.now();
      if (state.last_evaluated_at !== undefined && now - state.last_evaluated_at < check.frequencySeconds * 1000) continue;
      await this.run(check, state, now);
      ran++;
    }
    return ran;
  }

  private async run(check: AlertCheck, state: AlertState, now: number): Promise<void> {
    let outcome: CheckOutcome;
    try {
      outcome = await check.evaluate(now);
    } catch (error) {
      // A failed query (timeout, busy store) changes nothing: the trigger neither fires nor resolves on it.
      const message = error instanceof Error ? error.message : String(error);
      state.evaluations.push({ at: new Date(now).toISOString(), value: null, exceeded: false, groups: [], triggered: state.triggered, notified: null, error: message });
      keepLast(state.evaluations, ALERTING_LIMITS.historyEntries.value);
      state.last_evaluated_at = now;
      await this.save(state);
      this.deps.log(`alerting: ${check.kind} ${check.id} could not be evaluated: ${message}`);
      return;
    }
    const step = stepTrigger({ triggered: state.triggered, consecutiveExceeded: state.consecutive_exceeded }, outcome.exceeded, check.rules);
    const notified = step.notify === 'triggered' ? 'TRIGGERED' : step.notify === 'ok' ? 'OK' : null;
    state.triggered = step.state.triggered;
    state.consecutive_exceeded = step.state.consecutiveExceeded;
    state.last_evaluated_at = now;
    state.evaluations.push({ at: new Date(now).toISOString(), value: outcome.value, exceeded: outcome.exceeded, groups: outcome.groups, triggered: state.triggered, notified });
    keepLast(state.evaluations, ALERTING_LIMITS.historyEntries.value);
    if (notified !== null) {
      const payload = check.payload(notified, outcome, now);
      for (const recipientId of check.recipientIds) this.notify(state, recipientId, notified, payload, now);
    }
    await this.save(state);
  }

  private notify(state: AlertState, recipientId: string, notification: 'TRIGGERED' | 'OK', payload: unknown, now: number): void {
    const recipient = this.deps.recipient(recipientId);
    const record: DeliveryRecord = {
      id: crypto.randomBytes(6).toString('base64url'),
      recipient_id: recipientId,
      recipient_type: recipient?.type ?? 'webhook',
      notification,
      outcome: 'pending',
      attempts: [],
      created_at: new Date(now).toISOString(),
    };
    state.deliveries.push(record);
    keepLast(state.deliveries, ALERTING_LIMITS.historyEntries.value);
    if (recipient === undefined) {
      record.outcome = 'failed';
      record.attempts.push({ at: record.created_at, error: `recipient ${recipientId} no longer exists` });
      return;
    }
    const delivery = this.deps.sender
      .deliver(recipient, payload, record)
      .catch((error: unknown) => this.deps.log(`alerting: delivery ${record.id} failed: ${String(error)}`))
      .finally(() => {
        this.deliveries.delete(delivery);
        void this.save(state);
      });
    this.deliveries.add(delivery);
  }

  private async save(state: AlertState): Promise<void> {
    // A check deleted while it ran (or while a delivery was retried) is not brought back.
    if (this.forgotten.has(state.id)) return;
    try {
      await this.deps.states.put(state);
    } catch (error) {
      this.deps.log(`alerting: could not save the state of ${state.id}: ${String(error)}`);
    }
  }
}
