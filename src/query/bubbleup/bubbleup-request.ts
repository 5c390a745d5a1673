import { InvalidQueryError } from '../../core/errors.js';
import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import { QUERY_LIMITS } from '../../core/limits/query-limits.js';
import type { Filter } from '../query-spec.js';
import { validateQuerySpec } from '../query-spec-validator.js';

/**
 * What BubbleUp compares against the rest of the query's events: a box of a heatmap (a time range
 * × a value range of one numeric column), or the events matching extra filters.
 */
export type BubbleUpSelection =
  | {
      readonly kind: 'box';
      /** Epoch nanoseconds, start inclusive, end exclusive (as heatmap buckets). */
      readonly startNs: bigint;
      readonly endNs: bigint;
      readonly column: string;
      /** Inclusive value range. */
      readonly min: number;
      readonly max: number;
    }
  | { readonly kind: 'filters'; readonly filters: readonly Filter[] };

function fail(field: string, message: string): never {
  throw new InvalidQueryError(`${field}: ${message}`, field);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `must be a finite number, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

/** Unix seconds (fractions allowed, kept to the microsecond) → epoch nanoseconds. */
function secondsToNs(value: unknown, field: string): bigint {
  const seconds = finiteNumber(value, field);
  if (seconds < 0 || seconds > QUERY_LIMITS.maxTimestampSeconds.value) fail(field, `must be Unix seconds between 0 and ${QUERY_LIMITS.maxTimestampSeconds.value}, got ${seconds}`);
  return BigInt(Math.round(seconds * 1e6)) * 1000n;
}

const BOX_FIELDS = ['start_time', 'end_time', 'column', 'min', 'max'] as const;

/**
 * Checks the `selection` of a BubbleUp request (as decoded from JSON).
 * @throws InvalidQueryError naming the field, e.g. `selection.min: must be a finite number`.
 */
export function validateBubbleUpSelection(input: unknown): BubbleUpSelection {
  if (!isObject(input)) fail('selection', 'required: {"start_time", "end_time", "column", "min", "max"} or {"filters": [...]}');
  const keys = Object.keys(input);
  if (keys.includes('filters')) {
    const extra = keys.find((k) => k !== 'filters');
    if (extra !== undefined) fail(`selection.${extra}`, 'a selection is either a box or filters, not both');
    const raw = input['filters'];
    if (!Array.isArray(raw) || raw.length === 0) fail('selection.filters', 'must be a non-empty list of filters');
    const max = ANALYSIS_LIMITS.bubbleUpSelectionFilters.value;
    if (raw.length > max) fail('selection.filters', `at most ${max} filters, got ${raw.length}`);
    try {
      // The spec validator checks each filter as it does a query's (op, value kinds, list sizes).
      return { kind: 'filters', filters: validateQuerySpec({ filters: raw }).filters };
    } catch (error) {
      if (error instanceof InvalidQueryError) {
        const field = `selection.${error.field ?? 'filters'}`;
        throw new InvalidQueryError(error.message.startsWith(`${error.field ?? ''}:`) ? `selection.${error.message}` : `${field}: ${error.message}`, field);
      }
      throw error;
    }
  }
  for (const key of keys) if (!(BOX_FIELDS as readonly string[]).includes(key)) fail(`selection.${key}`, 'unknown field');
  for (const key of BOX_FIELDS) if (input[key] === undefined) fail(`selection.${key}`, 'required');
  const startNs = secondsToNs(input['start_time'], 'selection.start_time');
  const endNs = secondsToNs(input['end_time'], 'selection.end_time');
  if (endNs <= startNs) fail('selection.end_time', 'must be after start_time');
  const column = input['column'];
  if (typeof column !== 'string' || column === '') fail('selection.column', 'must be a column name');
  const min = finiteNumber(input['min'], 'selection.min');
  const max = finiteNumber(input['max'], 'selection.max');
  if (max < min) fail('selection.max', `must be at least min (${min}), got ${max}`);
  return { kind: 'box', startNs, endNs, column, min, max };
}
