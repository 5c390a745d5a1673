/**
 * The duration-over-time scatter plot of trace search results (as Jaeger draws it above its
 * list): one dot per trace, x its start, y its duration from 0, both as fractions of the plot.
 * Sorting orders are Jaeger's.
 */
import { parseRfc3339Nanos } from '../../../src/core/unix-nanos.js';

export interface ScatterTrace {
  readonly trace_id: string;
  readonly start: string;
  readonly duration_ms: number;
  readonly span_count: number;
  readonly error: boolean;
}

export interface ScatterPoint {
  readonly traceId: string;
  /** 0 (earliest start) .. 1 (latest); 0.5 when all start together. */
  readonly x: number;
  /** 0 (no duration) .. 1 (the longest). */
  readonly y: number;
  readonly error: boolean;
}

export interface ScatterModel {
  readonly points: readonly ScatterPoint[];
  /** Epoch milliseconds of the x axis ends. */
  readonly startMs: number;
  readonly endMs: number;
  readonly maxDurationMs: number;
}

export function scatterModel(traces: readonly ScatterTrace[]): ScatterModel {
  const starts = traces.map((t) => parseRfc3339Nanos(t.start));
  const known = starts.filter((s): s is bigint => s !== null);
  const min = known.length > 0 ? known.reduce((a, b) => (b < a ? b : a)) : 0n;
  const max = known.length > 0 ? known.reduce((a, b) => (b > a ? b : a)) : 0n;
  const maxDurationMs = traces.reduce((m, t) => (Number.isFinite(t.duration_ms) && t.duration_ms > m ? t.duration_ms : m), 0);
  const points: ScatterPoint[] = [];
  traces.forEach((t, i) => {
    const start = starts[i];
    if (start === null || start === undefined) return;
    const x = max === min ? 0.5 : Number(((start - min) * 1_000_000n) / (max - min)) / 1_000_000;
    const y = maxDurationMs > 0 && Number.isFinite(t.duration_ms) ? Math.max(0, t.duration_ms) / maxDurationMs : 0;
    points.push({ traceId: t.trace_id, x, y, error: t.error });
  });
  return { points, startMs: Number(min / 1_000_000n), endMs: Number(max / 1_000_000n), maxDurationMs };
}

export type TraceSort = 'most-recent' | 'longest' | 'shortest' | 'most-spans' | 'least-spans';

export const TRACE_SORT_LABELS: Record<TraceSort, string> = {
  'most-recent': 'Most recent',
  longest: 'Longest first',
  shortest: 'Shortest first',
  'most-spans': 'Most spans',
  'least-spans': 'Least spans',
};

/** A sorted copy; ties keep the newest first, then the trace id, so the order is stable. */
export function sortTraces<T extends ScatterTrace>(traces: readonly T[], sort: TraceSort): T[] {
  const startOf = (t: T): bigint => parseRfc3339Nanos(t.start) ?? 0n;
  const newest = (a: T, b: T): number => {
    const sa = startOf(a);
    const sb = startOf(b);
    if (sa !== sb) return sa > sb ? -1 : 1;
    return a.trace_id < b.trace_id ? -1 : a.trace_id > b.trace_id ? 1 : 0;
  };
  const by: Record<TraceSort, (a: T, b: T) => number> = {
    'most-recent': () => 0,
    longest: (a, b) => b.duration_ms - a.duration_ms,
    shortest: (a, b) => a.duration_ms - b.duration_ms,
    'most-spans': (a, b) => b.span_count - a.span_count,
    'least-spans': (a, b) => a.span_count - b.span_count,
  };
  return [...traces].sort((a, b) => by[sort](a, b) || newest(a, b));
}
