import { BadRequestError, NotFoundError } from '../core/errors.js';
import type { ExpiringCollectionStore } from '../store/saved/expiring-collection-store.js';
import { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import { sameDataset } from './dataset-selector.js';
import { readJsonBody, sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import type { StoredQuery } from './query-routes.js';

/** A saved query: Honeycomb's query annotation, a name and description on a stored query. */
export interface QueryAnnotation {
  id: string;
  dataset: string;
  name: string;
  description: string;
  query_id: string;
  created_at: string;
  updated_at: string;
}

const MAX_JSON_BYTES = 256 * 1024;

function text(body: Record<string, unknown>, field: string, required: boolean, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw new BadRequestError(`${field}: required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new BadRequestError(`${field}: must be a string`);
  if (required && value.trim() === '') throw new BadRequestError(`${field}: must not be empty`);
  if (value.length > max) throw new BadRequestError(`${field}: at most ${max} characters`);
  return value;
}

async function objectBody(req: Parameters<typeof readJsonBody>[0]): Promise<Record<string, unknown>> {
  const body = await readJsonBody(req, MAX_JSON_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('request body must be a JSON object');
  return body as Record<string, unknown>;
}

function present(annotation: QueryAnnotation): Omit<QueryAnnotation, 'dataset'> {
  const { dataset: _dataset, ...rest } = annotation;
  return rest;
}

/** /1/query_annotations/:dataset — create, list, get, update, delete. */
export function addAnnotationRoutes(router: HttpRouter, annotations: JsonCollectionStore<QueryAnnotation>, queries: Pick<ExpiringCollectionStore<StoredQuery>, 'get' | 'flush'>): void {
  const find = (dataset: string, id: string): QueryAnnotation => {
    const annotation = annotations.get(id);
    if (!annotation || !sameDataset(annotation.dataset, dataset)) throw new NotFoundError(`no query annotation ${id} in dataset ${dataset}`);
    return annotation;
  };
  const checkQuery = (dataset: string, queryId: string): void => {
    const query = queries.get(queryId);
    if (!query || !sameDataset(query.dataset, dataset)) throw new BadRequestError(`query_id: no query ${queryId} in dataset ${dataset}; create it with POST /1/queries/${dataset}`);
  };

  router.add('POST', '/1/query_annotations/:dataset', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    const body = await objectBody(req);
    const name = text(body, 'name', true, 320)!;
    const description = text(body, 'description', false, 1023) ?? '';
    const queryId = text(body, 'query_id', true, 64)!;
    checkQuery(dataset, queryId);
    // A saved query lasts forever: its stored spec (written lazily otherwise) is on disk first.
    await queries.flush();
    const now = new Date().toISOString();
    const annotation = await annotations.put({ id: JsonCollectionStore.newId(), dataset, name, description, query_id: queryId, created_at: now, updated_at: now });
    sendJson(res, 201, present(annotation));
  });

  router.add('GET', '/1/query_annotations/:dataset', async ({ res, params }) => {
    const list = annotations.list((a) => sameDataset(a.dataset, params['dataset']!)).sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    sendJson(res, 200, list.map(present));
  });

  router.add('GET', '/1/query_annotations/:dataset/:id', async ({ res, params }) => {
    sendJson(res, 200, present(find(params['dataset']!, params['id']!)));
  });

  router.add('PUT', '/1/query_annotations/:dataset/:id', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    const existing = find(dataset, params['id']!);
    const body = await objectBody(req);
    const queryId = text(body, 'query_id', false, 64) ?? existing.query_id;
    checkQuery(dataset, queryId);
    await queries.flush();
    const updated = await annotations.put({
      ...existing,
      name: text(body, 'name', false, 320) ?? existing.name,
      description: text(body, 'description', false, 1023) ?? existing.description,
      query_id: queryId,
      updated_at: new Date().toISOString(),
    });
    sendJson(res, 200, present(updated));
  });

  router.add('DELETE', '/1/query_annotations/:dataset/:id', async ({ res, params }) => {
    const existing = find(params['dataset']!, params['id']!);
    await annotations.delete(existing.id);
    res.writeHead(204).end();
  });
}
