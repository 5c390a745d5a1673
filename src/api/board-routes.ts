import { BadRequestError, NotFoundError } from '../core/errors.js';
import { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { QueryAnnotation } from './annotation-routes.js';
import { readJsonBody, sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';

export type BoardPanel =
  | { type: 'query'; query_panel: { query_annotation_id: string } }
  | { type: 'text'; text_panel: { content: string } };

/** A board: saved queries laid out together as live charts (Honeycomb's boards). */
export interface Board {
  id: string;
  name: string;
  description: string;
  panels: BoardPanel[];
  created_at: string;
  updated_at: string;
}

const MAX_JSON_BYTES = 256 * 1024;
const MAX_PANELS = 100;

function parsePanels(value: unknown, annotations: JsonCollectionStore<QueryAnnotation>): BoardPanel[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new BadRequestError('panels: must be a list');
  if (value.length > MAX_PANELS) throw new BadRequestError(`panels: at most ${MAX_PANELS}`);
  return value.map((panel: unknown, index): BoardPanel => {
    const p = panel as { type?: unknown; query_panel?: { query_annotation_id?: unknown }; text_panel?: { content?: unknown } };
    if (p?.type === 'query') {
      const id = p.query_panel?.query_annotation_id;
      if (typeof id !== 'string') throw new BadRequestError(`panels[${index}].query_panel.query_annotation_id: required`);
      if (!annotations.get(id)) throw new BadRequestError(`panels[${index}].query_panel.query_annotation_id: no query annotation ${id}`);
      return { type: 'query', query_panel: { query_annotation_id: id } };
    }
    if (p?.type === 'text') {
      const content = p.text_panel?.content;
      if (typeof content !== 'string' || content.length > 10_000) throw new BadRequestError(`panels[${index}].text_panel.content: a string of at most 10000 characters`);
      return { type: 'text', text_panel: { content } };
    }
    throw new BadRequestError(`panels[${index}].type: must be 'query' or 'text'`);
  });
}

function fields(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('request body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalText(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new BadRequestError(`${field}: a string of at most ${max} characters`);
  return value;
}

/** /1/boards — create, list, get, update, delete. */
export function addBoardRoutes(router: HttpRouter, boards: JsonCollectionStore<Board>, annotations: JsonCollectionStore<QueryAnnotation>): void {
  const find = (id: string): Board => {
    const board = boards.get(id);
    if (!board) throw new NotFoundError(`no board ${id}`);
    return board;
  };

  router.add('POST', '/1/boards', async ({ req, res }) => {
    const body = fields(await readJsonBody(req, MAX_JSON_BYTES));
    const name = optionalText(body, 'name', 255);
    if (name === undefined || name.trim() === '') throw new BadRequestError('name: required');
    const now = new Date().toISOString();
    const board = await boards.put({
      id: JsonCollectionStore.newId(),
      name,
      description: optionalText(body, 'description', 1024) ?? '',
      panels: parsePanels(body['panels'], annotations),
      created_at: now,
      updated_at: now,
    });
    sendJson(res, 201, board);
  });

  router.add('GET', '/1/boards', async ({ res }) => {
    sendJson(res, 200, boards.list().sort((a, b) => b.updated_at.localeCompare(a.updated_at)));
  });

  router.add('GET', '/1/boards/:id', async ({ res, params }) => {
    sendJson(res, 200, find(params['id']!));
  });

  router.add('PUT', '/1/boards/:id', async ({ req, res, params }) => {
    const existing = find(params['id']!);
    const body = fields(await readJsonBody(req, MAX_JSON_BYTES));
    const board = await boards.put({
      ...existing,
      name: optionalText(body, 'name', 255) ?? existing.name,
      description: optionalText(body, 'description', 1024) ?? existing.description,
      panels: body['panels'] === undefined ? existing.panels : parsePanels(body['panels'], annotations),
      updated_at: new Date().toISOString(),
    });
    sendJson(res, 200, board);
  });

  router.add('DELETE', '/1/boards/:id', async ({ res, params }) => {
    find(params['id']!);
    await boards.delete(params['id']!);
    res.writeHead(204).end();
  });
}
