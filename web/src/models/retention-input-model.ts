/**
 * The dataset retention field of the home page: what the operator types, checked as the server
 * will (`60d`, `12h`, `30m`, `90s`, at most 36500 days), before it is sent. An empty field means
 * "follow the server's WAGGLE_RETENTION" and is sent as null.
 */
export type RetentionInput = { ok: true; retention: string | null } | { ok: false; problem: string };

const MAX_SECONDS = 36_500 * 86_400;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

export function parseRetentionInput(text: string): RetentionInput {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return { ok: true, retention: null };
  const match = /^(\d{1,9})([smhd])$/.exec(trimmed);
  if (!match) return { ok: false, problem: 'Write a number and a unit: 30d, 12h, 45m or 90s (empty: the server default).' };
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  if (seconds <= 0) return { ok: false, problem: 'A retention must be longer than zero.' };
  if (seconds > MAX_SECONDS) return { ok: false, problem: 'At most 36500d (100 years).' };
  return { ok: true, retention: `${match[1]}${match[2]}` };
}

/** The line under a dataset's name: how long it keeps events, and whether that is its own setting. */
export function retentionLabel(retention: string | null | undefined, effective: string | null | undefined): string {
  if (effective === null || effective === undefined) return 'keeps events forever';
  return retention ? `keeps events ${effective} (own setting)` : `keeps events ${effective} (server default)`;
}
