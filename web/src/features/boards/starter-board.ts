/** The starter board, made once: its saved queries and the board itself are found before being made. */
import { ALL_DATASETS, createBoard, listAllSavedQueries, listBoards } from '../../api/api-client.js';
import type { Board, QueryAnnotation } from '../../api/api-types.js';
import { saveTextQuery } from '../saved/saved-query-actions.js';
import { STARTER_QUERIES } from '../saved/starter-queries.js';

export const STARTER_BOARD_NAME = 'Starter: latency and recent traces';

/** The starter board: the existing one of that name, or a new one over the starter queries (reused when saved before). */
export async function ensureStarterBoard(): Promise<Board> {
  const existing = (await listBoards()).find((b) => b.name === STARTER_BOARD_NAME);
  if (existing) return existing;
  const saved = await listAllSavedQueries();
  const annotations: QueryAnnotation[] = [];
  for (const starter of STARTER_QUERIES) {
    const found = saved.find((q) => q.dataset === ALL_DATASETS && q.name === starter.name);
    annotations.push(found ?? (await saveTextQuery(ALL_DATASETS, starter.name, starter.description, starter.text)));
  }
  return createBoard({
    name: STARTER_BOARD_NAME,
    description: 'Latency by user id, and the most recent traces.',
    panels: annotations.map((a) => ({ type: 'query' as const, query_panel: { query_annotation_id: a.id } })),
  });
}
