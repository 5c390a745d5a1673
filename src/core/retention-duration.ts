/** Retention durations as people write them (`60d`, `12h`), to and from nanoseconds. */

const UNIT_NS: Record<string, bigint> = { s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n };

/** Longest retention accepted (100 years): beyond it the cutoff arithmetic leaves int64. */
export const MAX_RETENTION_NS = 36_500n * UNIT_NS['d']!;

/** Parses a retention such as `60d`, `12h`, `30m` or `90s` to nanoseconds; null when malformed. */
export function parseRetention(text: string): bigint | null {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (!match) return null;
  const ns = BigInt(match[1]!) * UNIT_NS[match[2]!]!;
  return ns <= 0n || ns > MAX_RETENTION_NS ? null : ns;
}

/** The shortest exact text for a retention: `60d`, `36h`, `90m`, `45s`. */
export function formatRetention(ns: bigint): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = UNIT_NS[unit]!;
    if (ns % size === 0n) return `${ns / size}${unit}`;
  }
  return `${ns / UNIT_NS['s']!}s`;
}
