/**
 * Values with their units, for axes, tooltips and tables. A column's unit is read from its name
 * as OpenTelemetry and Honeycomb spell them (`duration_ms`, `*.duration_ms`, `http.response.body.size`
 * in bytes, `*_bytes`, `*_seconds`); a calculation's (`P95(duration_ms)`) is its column's, except
 * for counts, which have none.
 */
import { formatMillis } from './duration-format-model.js';

export type ValueUnit = 'ms' | 'seconds' | 'bytes' | 'none';

const COUNT_OPS = /^(COUNT|COUNT_DISTINCT|CONCURRENCY)\b/;

/** The unit of a column, or of a calculation label such as `P95(duration_ms)`. */
export function unitOf(columnOrLabel: string): ValueUnit {
  if (COUNT_OPS.test(columnOrLabel)) return 'none';
  const inner = /^[A-Z0-9_]+\((.*)\)$/.exec(columnOrLabel)?.[1] ?? columnOrLabel;
  const name = inner.toLowerCase();
  if (/(^|[._])duration_ms$|_ms$|\.ms$|latency_ms$/.test(name)) return 'ms';
  if (/(_seconds|\.seconds|_secs)$/.test(name)) return 'seconds';
  if (/(_bytes|\.bytes|body\.size|\.size_bytes)$/.test(name)) return 'bytes';
  return 'none';
}

function plain(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  const text = i === 0 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
  return `${value < 0 ? '-' : ''}${text} ${units[i]}`;
}

/** A number with the unit its column or calculation carries: `12.3 ms`, `1.5 KiB`, `1,204`. */
export function formatWithUnit(columnOrLabel: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unitOf(columnOrLabel)) {
    case 'ms':
      return formatMillis(value);
    case 'seconds':
      return formatMillis(value * 1000);
    case 'bytes':
      return bytes(value);
    case 'none':
      return plain(value);
  }
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

/** A results-table cell of a calculation: numbers with the calculation's unit, the rest as they are. */
export function formatCalculationCell(label: string, value: unknown, plainCell: (value: unknown) => string): string {
  return typeof value === 'number' && unitOf(label) !== 'none' ? formatWithUnit(label, value) : plainCell(value);
}
