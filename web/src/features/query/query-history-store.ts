/** Query history persisted in localStorage (the pure rules live in models/query-history-model). */
import { parseHistory, recordRun, type HistoryEntry } from '../../models/query-history-model.js';

const KEY = 'waggle.queryHistory';

export function loadHistory(): HistoryEntry[] {
  try {
    return parseHistory(window.localStorage.getItem(KEY));
  } catch {
    return [];
  }
}

export function saveRun(entry: HistoryEntry): HistoryEntry[] {
  const next = recordRun(loadHistory(), entry);
  try {
    window.localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: history is a convenience, the query still ran.
  }
  return next;
}
