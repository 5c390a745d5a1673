/** Durations as people type them in the query language and the time picker: 10m, 2h, 7d, 90s. */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Parses `90s`, `10m`, `2h`, `7d`, `1w` (or a bare number of seconds); null when malformed or not positive. */
export function parseDurationSeconds(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase() || 's';
  const seconds = Math.round(amount * (UNIT_SECONDS[unit] ?? 1));
  return seconds > 0 ? seconds : null;
}

/** The largest unit that divides the duration exactly: 7200 → `2h`, 90 → `90s`. */
export function formatDurationSeconds(seconds: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit]!;
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** A span or query duration for reading: 0.42 ms, 12.3 ms, 1.52 s, 2m 3s. */
export function formatMillis(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs < 1) return `${trim(ms.toFixed(3))} ms`;
  if (abs < 10) return `${trim(ms.toFixed(2))} ms`;
  if (abs < 1000) return `${trim(ms.toFixed(1))} ms`;
  if (abs < 60_000) return `${trim((ms / 1000).toFixed(2))} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return `${minutes}m ${seconds}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

function trim(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
