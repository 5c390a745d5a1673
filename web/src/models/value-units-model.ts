/**
 * Units of result values, read from the column a value is about: `duration_ms` and every `*_ms`
 * column are milliseconds, `*_ns`/`*_us`/`*_s` likewise, `*.bytes`/`*_bytes`/`*.size` bytes. A
 * calculation carries its column's unit when it keeps it (P95, AVG, SUM, MIN, MAX, RATE_*); counts
 * have none. Pure: the results table asks it how to write each cell.
 */
import { CALCULATION_OPS, type CalculationOp } from '../../../src/query/query-spec.js';
import { formatMillis } from './duration-format-model.js';

export type ValueUnit = 'ms' | 'ns' | 'us' | 's' | 'bytes' | null;

const SUFFIX_UNITS: ReadonlyArray<readonly [RegExp, Exclude<ValueUnit, null>]> = [
  [/(?:^|[._-])(?:ms|millis|milliseconds)$/i, 'ms'],
  [/(?:^|[._-])(?:ns|nanos|nanoseconds)$/i, 'ns'],
  [/(?:^|[._-])(?:us|micros|microseconds)$/i, 'us'],
  [/(?:^|[._-])(?:s|secs|seconds)$/i, 's'],
  [/(?:^|[._-])(?:bytes|size)$/i, 'bytes'],
];

/** Ops whose result is in the unit of their column (a count of durations is not a duration). */
const KEEPS_UNIT: Record<CalculationOp, boolean> = Object.fromEntries(
  CALCULATION_OPS.map((op) => [op, !['COUNT', 'COUNT_DISTINCT', 'CONCURRENCY', 'HEATMAP'].includes(op)]),
) as Record<CalculationOp, boolean>;

/** The unit of a plain column's values. */
export function columnUnit(column: string): ValueUnit {
  for (const [pattern, unit] of SUFFIX_UNITS) if (pattern.test(column)) return unit;
  return null;
}

/** The unit of a results-table column: a breakdown (`duration_ms`) or a calculation (`P95(duration_ms)`). */
export function resultColumnUnit(key: string): ValueUnit {
  const calc = /^([A-Z0-9_]+)\((.*)\)$/.exec(key);
  if (calc) {
    const op = calc[1] as CalculationOp;
    return (CALCULATION_OPS as readonly string[]).includes(op) && KEEPS_UNIT[op] ? columnUnit(calc[2]!) : null;
  }
  return columnUnit(key);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

function trimmed(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** A number with its unit for reading: `12.3 ms`, `1.52 s`, `340 µs`, `1.5 MB`; other values unchanged (null: not a number). */
export function formatWithUnit(value: number, unit: ValueUnit): string | null {
  if (!Number.isFinite(value)) return null;
  switch (unit) {
    case 'ms':
      return formatMillis(value);
    case 'us':
      return Math.abs(value) < 1000 ? `${trimmed(value, 1)} µs` : formatMillis(value / 1000);
    case 'ns':
      return Math.abs(value) < 1000 ? `${trimmed(value, 0)} ns` : Math.abs(value) < 1e6 ? `${trimmed(value / 1000, 1)} µs` : formatMillis(value / 1e6);
    case 's':
      return formatMillis(value * 1000);
    case 'bytes': {
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
        v /= 1024;
        i += 1;
      }
      return i === 0 ? `${trimmed(v, 0)} B` : `${trimmed(v, 1)} ${BYTE_UNITS[i]}`;
    }
    case null:
      return null;
  }
}

/** Whether a column or calculation label (`P95(duration_ms)`) has a unit to show. */
export function hasUnit(columnOrLabel: string): boolean {
  return resultColumnUnit(columnOrLabel) !== null;
}

function plainNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}

/** A number as a chart axis, tooltip or BubbleUp bucket writes it: with its label's unit, or plainly (`1,204`, `1.235`). */
export function formatLabelValue(columnOrLabel: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return formatWithUnit(value, resultColumnUnit(columnOrLabel)) ?? plainNumber(value);
}

/**
 * Time labels of a chart axis spanning `spanSec`: times of day within a day, the date and time
 * beyond (a range of days would otherwise repeat the same hours), the date alone beyond 60 days.
 * `timeZone` is for tests; the browser's zone otherwise.
 */
export function formatAxisTime(unixSec: number, spanSec: number, timeZone?: string): string {
  const date = new Date(unixSec * 1000);
  const zone = timeZone === undefined ? {} : { timeZone };
  if (spanSec <= 86_400) return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', ...zone });
  if (spanSec <= 60 * 86_400) {
    return `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...zone })} ${date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', ...zone })}`;
  }
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', ...zone });
}
