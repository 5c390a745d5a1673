/**
 * A trace's OTLP log records as plain data: which span each belongs to, where its marker sits on
 * that span's bar, and the line a list shows for it. Components only draw what this computes.
 *
 * Preconditions: rows are those of GET /api/traces/:id; log records carry
 * `meta.annotation_type = log`, their span in `trace.span_id` (absent for a log of the trace as a
 * whole) and an RFC 3339 `timestamp`.
 */
import { parseRfc3339Nanos } from '../../../src/core/unix-nanos.js';

type TraceRow = Readonly<Record<string, unknown>>;

export interface TraceLogGroups {
  /** Log records by the span id they name, oldest first. */
  readonly logsBySpan: ReadonlyMap<string, readonly TraceRow[]>;
  /** Every log record, oldest first. */
  readonly logRows: readonly TraceRow[];
}

/**
 * A log's time as a reader scans a list of them: local time of day to the millisecond
 * ("09:33:30.194"); the date is the trace's. Empty when the row has no usable timestamp.
 */
export function logTimeOfDay(row: TraceRow): string {
  const ns = logTimeNs(row);
  if (ns === 0n) return '';
  const at = new Date(Number(ns / 1_000_000n));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

export function logTimeNs(row: TraceRow): bigint {
  const time = row['timestamp'];
  return (typeof time === 'string' ? parseRfc3339Nanos(time) : null) ?? 0n;
}

export function groupTraceLogs(rows: readonly TraceRow[]): TraceLogGroups {
  const logRows = rows.filter((row) => row['meta.annotation_type'] === 'log');
  logRows.sort((a, b) => {
    const ta = logTimeNs(a);
    const tb = logTimeNs(b);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
  const logsBySpan = new Map<string, TraceRow[]>();
  for (const row of logRows) {
    const spanId = row['trace.span_id'];
    if (typeof spanId !== 'string' || spanId === '') continue;
    const list = logsBySpan.get(spanId) ?? [];
    list.push(row);
    logsBySpan.set(spanId, list);
  }
  return { logsBySpan, logRows };
}

/** Severity bands of OTLP's SeverityNumber (1-4 trace ... 21-24 fatal). */
export type SeverityBand = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unspecified';
const BANDS: readonly SeverityBand[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function severityBand(row: TraceRow): SeverityBand {
  const number = row['severity_number'];
  if (typeof number === 'number' && number >= 1 && number <= 24) return BANDS[Math.floor((number - 1) / 4)]!;
  const text = typeof row['severity_text'] === 'string' ? row['severity_text'].toLowerCase() : '';
  return BANDS.find((band) => text.startsWith(band)) ?? (text.startsWith('warning') ? 'warn' : 'unspecified');
}

/** The line a log list shows: `body.message` / `body.msg` of a map body, else the body itself. */
export function logMessage(row: TraceRow): string {
  for (const key of ['body.message', 'body.msg', 'body']) {
    const value = row[key];
    if (value !== null && value !== undefined && value !== '') return String(value);
  }
  return typeof row['name'] === 'string' ? row['name'] : '(no body)';
}

/**
 * Where each log sits along its span's bar, as fractions 0..1 of the span (clamped: a log just
 * before or after its span stays at the bar's edge).
 */
export function logMarkerOffsets(logs: readonly TraceRow[], startNs: bigint, durationNs: bigint): number[] {
  return logs.map((row) => {
    if (durationNs <= 0n) return 0;
    const at = logTimeNs(row) - startNs;
    if (at <= 0n) return 0;
    if (at >= durationNs) return 1;
    return Number((at * 1_000_000n) / durationNs) / 1_000_000;
  });
}
