/** Durations in the text language: `90s`, `15m`, `2h`, `7d`, `1w`, or compounds like `1h30m`. */

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
const PRINT_ORDER = ['w', 'd', 'h', 'm'] as const;

/** Seconds of a duration token; undefined when the text is not one. */
export function parseDurationText(text: string): number | undefined {
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(part[1]) * UNIT_SECONDS[part[2]!]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest single-unit form: 7200 → `2h`, 5400 → `90m`, 61 → `61s`. */
export function formatDurationText(seconds: number): string {
  for (const unit of PRINT_ORDER) {
    const size = UNIT_SECONDS[unit]!;
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
