import { BadRequestError, InvalidQueryError } from '../core/errors.js';
import { ALERTING_LIMITS } from '../core/limits/alerting-limits.js';
import { CALCULATION_PLANS } from '../query/compile/calculation-sql.js';
import type { QuerySpec } from '../query/query-spec.js';
import { validateQuerySpec } from '../query/query-spec-validator.js';
import { ALERT_TYPES, type AlertType } from './trigger-state-machine.js';

export const THRESHOLD_OPS = ['>', '>=', '<', '<='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export interface TriggerThreshold {
  op: ThresholdOp;
  value: number;
  exceeded_limit: number;
}

/** A reference to a recipient as Honeycomb writes it in a trigger: `{id}` (and, in answers, type and target). */
export interface TriggerRecipientRef {
  id: string;
}

/** Honeycomb's trigger, as stored (the dataset's slug kept beside it). */
export interface StoredTrigger {
  id: string;
  dataset: string;
  name: string;
  description: string;
  disabled: boolean;
  /** The query as sent (Honeycomb echoes it); `spec` is what runs. */
  query: Record<string, unknown>;
  query_id?: string;
  spec: QuerySpec;
  threshold: TriggerThreshold;
  frequency: number;
  alert_type: AlertType;
  recipients: TriggerRecipientRef[];
  created_at: string;
  updated_at: string;
}

const THRESHOLD_SQL: Record<ThresholdOp, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

export function crossesThreshold(value: number, threshold: Pick<TriggerThreshold, 'op' | 'value'>): boolean {
  return THRESHOLD_SQL[threshold.op](value, threshold.value);
}

export function optionalString(body: Record<string, unknown>, field: string, fallback: string): string {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new BadRequestError(`${field}: must be a string`);
  if (value.length > ALERTING_LIMITS.textChars.value) throw new BadRequestError(`${field}: at most ${ALERTING_LIMITS.textChars.value} characters`);
  return value;
}

export function integerIn(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw new BadRequestError(`${field}: must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * A trigger's query: Honeycomb's rules — exactly one calculation (not HEATMAP or CONCURRENCY, whose
 * result is not one number per group), a relative time range of at most a day, no absolute times.
 */
export function parseTriggerQuery(raw: unknown): QuerySpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequestError('query: required, a Query Specification with one calculation (or query_id)');
  const input = raw as Record<string, unknown>;
  if (input['start_time'] !== undefined || input['end_time'] !== undefined) throw new InvalidQueryError('query.start_time: a trigger looks at the last time_range seconds; absolute times are refused', 'query.start_time');
  const spec = validateQuerySpec({ time_range: 900, ...input }, { disableSeries: true });
  if (spec.calculations.length !== 1) throw new InvalidQueryError(`query.calculations: a trigger needs exactly one calculation, got ${spec.calculations.length}`, 'query.calculations');
  const op = spec.calculations[0]!.op;
  const kind = CALCULATION_PLANS[op].kind;
  if (kind === 'heatmap' || kind === 'concurrency') throw new InvalidQueryError(`query.calculations[0].op: ${op} cannot be compared with a threshold`, 'query.calculations[0].op');
  const maxRange = ALERTING_LIMITS.maxTriggerTimeRangeSeconds.value;
  if (spec.time_range > maxRange) throw new InvalidQueryError(`query.time_range: at most ${maxRange} seconds for a trigger, got ${spec.time_range}`, 'query.time_range');
  return spec;
}

export function parseThreshold(raw: unknown): TriggerThreshold {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequestError('threshold: required, {op, value}');
  const t = raw as Record<string, unknown>;
  const op = t['op'];
  if (typeof op !== 'string' || !(THRESHOLD_OPS as readonly string[]).includes(op)) throw new BadRequestError(`threshold.op: one of ${THRESHOLD_OPS.join(' ')}`);
  const value = t['value'];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadRequestError('threshold.value: must be a finite number');
  return { op: op as ThresholdOp, value, exceeded_limit: integerIn(t['exceeded_limit'], 'threshold.exceeded_limit', 1, 5, 1) };
}

export function parseAlertType(raw: unknown): AlertType {
  if (raw === undefined || raw === null) return 'on_change';
  if (typeof raw !== 'string' || !(ALERT_TYPES as readonly string[]).includes(raw)) throw new BadRequestError(`alert_type: one of ${ALERT_TYPES.join(', ')}`);
  return raw as AlertType;
}

export function parseFrequency(raw: unknown): number {
  const min = ALERTING_LIMITS.minFrequencySeconds.value;
  const max = ALERTING_LIMITS.maxFrequencySeconds.value;
  const frequency = integerIn(raw, 'frequency', min, max, 900);
  if (frequency % 60 !== 0) throw new BadRequestError('frequency: must be a whole number of minutes (a multiple of 60 seconds)');
  return frequency;
}

/** `[{id}]`; each id must name a recipient (checked by the caller, which knows them). */
export function parseRecipientRefs(raw: unknown, field = 'recipients'): Array<{ id?: string; type?: string; target?: string }> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new BadRequestError(`${field}: must be a list of {id}`);
  if (raw.length > 100) throw new BadRequestError(`${field}: at most 100`);
  return raw.map((r, i) => {
    if (typeof r !== 'object' || r === null) throw new BadRequestError(`${field}[${i}]: must be {id} or {type, target}`);
    const o = r as Record<string, unknown>;
    const pick = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    return { ...(pick('id') === undefined ? {} : { id: pick('id')! }), ...(pick('type') === undefined ? {} : { type: pick('type')! }), ...(pick('target') === undefined ? {} : { target: pick('target')! }) };
  });
}
