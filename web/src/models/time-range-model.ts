/**
 * Time windows of a query as Honeycomb's spec states them: `time_range` (seconds, default 7200)
 * alone means "the last N seconds"; with `start_time` or `end_time` it anchors one end; with both
 * start and end the window is explicit. All values are Unix seconds.
 */
export interface SpecTimeFields {
  time_range?: number | undefined;
  start_time?: number | undefined;
  end_time?: number | undefined;
  granularity?: number | undefined;
}

export interface TimeWindow {
  startSec: number;
  endSec: number;
}

export interface TimePreset {
  /** What the text language writes after LAST. */
  readonly short: string;
  readonly label: string;
  readonly seconds: number;
}

export const DEFAULT_TIME_RANGE_SECONDS = 7200;

export const TIME_PRESETS: readonly TimePreset[] = [
  { short: '10m', label: 'Last 10 minutes', seconds: 600 },
  { short: '1h', label: 'Last hour', seconds: 3600 },
  { short: '2h', label: 'Last 2 hours', seconds: 7200 },
  { short: '24h', label: 'Last 24 hours', seconds: 86400 },
  { short: '7d', label: 'Last 7 days', seconds: 604800 },
];

const NICE_GRANULARITIES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];

/** The concrete window a spec covers at `nowSec`. */
export function resolveTimeWindow(time: SpecTimeFields, nowSec: number): TimeWindow {
  const { start_time: start, end_time: end } = time;
  const range = time.time_range ?? DEFAULT_TIME_RANGE_SECONDS;
  if (start !== undefined && end !== undefined) return { startSec: start, endSec: end };
  if (start !== undefined) return { startSec: start, endSec: start + range };
  if (end !== undefined) return { startSec: end - range, endSec: end };
  return { startSec: nowSec - range, endSec: nowSec };
}

/** The preset a spec's time fields amount to, or null for a custom window. */
export function presetOf(time: SpecTimeFields): TimePreset | null {
  if (time.start_time !== undefined || time.end_time !== undefined) return null;
  const range = time.time_range ?? DEFAULT_TIME_RANGE_SECONDS;
  return TIME_PRESETS.find((preset) => preset.seconds === range) ?? null;
}

/**
 * The length of a relative window ("the last N seconds": no start_time or end_time), or null for
 * an anchored one. `LAST 30m` is relative although no preset is 30 minutes.
 */
export function relativeSeconds(time: SpecTimeFields): number | null {
  if (time.start_time !== undefined || time.end_time !== undefined) return null;
  return time.time_range ?? DEFAULT_TIME_RANGE_SECONDS;
}

const UNIT_WORDS: ReadonlyArray<readonly [number, string]> = [
  [604800, 'week'],
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** How the picker names a relative window: `Last 30 minutes`, `Last 3 days`, `Last 90 seconds`. */
export function relativeLabel(seconds: number): string {
  const preset = TIME_PRESETS.find((p) => p.seconds === seconds);
  if (preset) return preset.label;
  for (const [size, word] of UNIT_WORDS) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? `Last ${word}` : `Last ${n} ${word}s`;
    }
  }
  return `Last ${seconds} seconds`;
}

/** Spec time fields for "the last N seconds"; granularity kept only while it stays valid. */
export function relativeTime(seconds: number, granularity?: number): SpecTimeFields {
  const next: SpecTimeFields = { time_range: seconds };
  if (granularity !== undefined && isValidGranularity(granularity, seconds)) next.granularity = granularity;
  return next;
}

/** Spec time fields for an explicit window; granularity kept only while it stays valid. */
export function absoluteTime(window: TimeWindow, granularity?: number): SpecTimeFields {
  const next: SpecTimeFields = { start_time: window.startSec, end_time: window.endSec };
  if (granularity !== undefined && isValidGranularity(granularity, window.endSec - window.startSec)) next.granularity = granularity;
  return next;
}

/** Honeycomb's rule: granularity lies between time_range/1000 and time_range. */
export function isValidGranularity(granularity: number, rangeSeconds: number): boolean {
  return granularity >= rangeSeconds / 1000 && granularity <= rangeSeconds;
}

/** Round granularities valid for a window, for the picker. */
export function granularityChoices(rangeSeconds: number): number[] {
  return NICE_GRANULARITIES.filter((g) => isValidGranularity(g, rangeSeconds));
}

/** `YYYY-MM-DDTHH:MM` in local time, the value format of <input type="datetime-local">. */
export function toDatetimeLocal(sec: number): string {
  const date = new Date(sec * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Unix seconds of a datetime-local value (local time); null when malformed. */
export function fromDatetimeLocal(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  const ms = date.getTime();
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
