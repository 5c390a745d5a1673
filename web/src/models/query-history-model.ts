/** Recent queries, newest first, as kept in localStorage. Parsing never trusts what was stored. */

export interface HistoryEntry {
  readonly dataset: string;
  readonly text: string;
  /** Unix milliseconds of the run. */
  readonly ranAt: number;
}

export const HISTORY_LIMIT = 50;

/** Adds a run on top; a repeat of the same query moves up instead of appearing twice. */
export function recordRun(history: readonly HistoryEntry[], entry: HistoryEntry, limit = HISTORY_LIMIT): HistoryEntry[] {
  const rest = history.filter((h) => h.dataset !== entry.dataset || h.text !== entry.text);
  return [entry, ...rest].slice(0, limit);
}

/** Reads stored JSON, keeping only well-formed entries. */
export function parseHistory(stored: string | null): HistoryEntry[] {
  if (stored === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: HistoryEntry[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { dataset, text, ranAt } = item as Record<string, unknown>;
    if (typeof dataset === 'string' && typeof text === 'string' && typeof ranAt === 'number') out.push({ dataset, text, ranAt });
  }
  return out.slice(0, HISTORY_LIMIT);
}
