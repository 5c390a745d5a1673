import type { DeliveryRecord } from './webhook-sender.js';

/** One run of a trigger or burn alert, for its history. */
export interface AlertEvaluation {
  at: string;
  /** The number compared (the worst group's value for a trigger; minutes to exhaustion or budget drop for a burn alert). */
  value: number | null;
  exceeded: boolean;
  /** Groups (breakdown values) and their values; those crossing the threshold are flagged. */
  groups: Array<{ group: Record<string, unknown>; value: number | null; crossed: boolean }>;
  /** The state after this run. */
  triggered: boolean;
  /** What was sent: TRIGGERED, OK, or nothing. */
  notified: 'TRIGGERED' | 'OK' | null;
  error?: string;
}

/** What the scheduler keeps per trigger or burn alert, across restarts (WAGGLE_DATA_DIR/saved/alert-states.json). */
export interface AlertState {
  id: string;
  kind: 'trigger' | 'burn_alert';
  triggered: boolean;
  consecutive_exceeded: number;
  /** Epoch ms of the last evaluation; the next is due `frequency` later. */
  last_evaluated_at?: number;
  evaluations: AlertEvaluation[];
  deliveries: DeliveryRecord[];
}

export function emptyAlertState(id: string, kind: AlertState['kind']): AlertState {
  return { id, kind, triggered: false, consecutive_exceeded: 0, evaluations: [], deliveries: [] };
}
