/** Opening and creating saved queries (query annotations). */
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { validateQuerySpec } from '../../../../src/query/query-spec-validator.js';
import { createAnnotation, createQuery, getQuery, updateAnnotation } from '../../api/api-client.js';
import type { QueryAnnotation, SavedQuery } from '../../api/api-types.js';
import { specText, syncFromText } from '../../models/query-text-sync-model.js';
import { queryHref } from '../../routing/router.js';

const SPEC_FIELDS = ['calculations', 'filters', 'filter_combination', 'breakdowns', 'orders', 'havings', 'limit', 'time_range', 'start_time', 'end_time', 'granularity'] as const;

/** The spec behind a saved query, normalized the way the text language normalizes it. */
export async function savedQuerySpec(saved: Pick<SavedQuery, 'dataset' | 'query_id'>, signal?: AbortSignal): Promise<QuerySpec> {
  const stored = (await getQuery(saved.dataset, saved.query_id, signal)) as unknown as Record<string, unknown>;
  const spec: Record<string, unknown> = {};
  for (const field of SPEC_FIELDS) if (stored[field] !== undefined && stored[field] !== null) spec[field] = stored[field];
  return validateQuerySpec(spec);
}

export async function savedQueryHref(saved: SavedQuery, signal?: AbortSignal): Promise<string> {
  return queryHref(saved.dataset, specText(await savedQuerySpec(saved, signal)));
}

export async function saveTextQuery(dataset: string, name: string, description: string, text: string): Promise<QueryAnnotation> {
  const synced = syncFromText(text);
  if (!synced.ok) throw new Error(synced.message);
  const query = await createQuery(dataset, synced.spec);
  return createAnnotation(dataset, { name, description, query_id: query.id });
}

/** A saved query with a new name, description and query text (the text becomes a new stored query). */
export async function editSavedQuery(saved: SavedQuery, edit: { name: string; description: string; text: string }): Promise<QueryAnnotation> {
  const synced = syncFromText(edit.text);
  if (!synced.ok) throw new Error(synced.message);
  const query = await createQuery(saved.dataset, synced.spec);
  return updateAnnotation(saved.dataset, saved.id, { name: edit.name, description: edit.description, query_id: query.id });
}
