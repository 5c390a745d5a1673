import crypto from 'node:crypto';
import { ALL_DATASETS } from '../core/dataset-name.js';
import { BadRequestError, NotFoundError, WaggleError } from '../core/errors.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { SpanStore } from '../store/span-store.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { optionalInteger, optionalText, readObjectBody } from './json-body-fields.js';

/** A marker (a deploy, an incident) on a dataset's charts, or on every dataset's (`__all__`). */
export interface StoredMarker {
  id: string;
  /** The dataset's slug, or `__all__` for an environment marker. */
  dataset: string;
  start_time: number;
  end_time?: number;
  message?: string;
  type?: string;
  url?: string;
  created_at: string;
  updated_at: string;
}

/** Unix seconds a marker may carry: up to year 9999, as a JS Date can show it. */
const MAX_UNIX_SECONDS = 253_402_300_799;

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function present(marker: StoredMarker): Omit<StoredMarker, 'dataset'> {
  const { dataset: _dataset, ...rest } = marker;
  return rest;
}

/** The fields a create or update sets; an omitted optional field is erased (Honeycomb's PUT). */
function markerFields(body: Record<string, unknown>, defaultStart: number): Pick<StoredMarker, 'start_time' | 'end_time' | 'message' | 'type' | 'url'> {
  const max = SAVED_LIMITS.markerTextChars.value;
  const startTime = optionalInteger(body, 'start_time', 0, MAX_UNIX_SECONDS) ?? defaultStart;
  const endTime = optionalInteger(body, 'end_time', 0, MAX_UNIX_SECONDS);
  if (endTime !== undefined && endTime < startTime) throw new BadRequestError('end_time: must not be before start_time');
  const fields: Pick<StoredMarker, 'start_time' | 'end_time' | 'message' | 'type' | 'url'> = { start_time: startTime };
  if (endTime !== undefined) fields.end_time = endTime;
  const message = optionalText(body, 'message', max);
  if (message !== undefined) fields.message = message;
  const type = optionalText(body, 'type', max);
  if (type !== undefined) fields.type = type;
  const url = optionalText(body, 'url', max);
  if (url !== undefined) fields.url = url;
  return fields;
}

/** Honeycomb's Markers API: /1/markers/:dataset (POST, GET) and /1/markers/:dataset/:id (PUT, DELETE). */
export function addMarkerRoutes(router: HttpRouter, store: SpanStore, markers: JsonCollectionStore<StoredMarker>): void {
  /** The slug markers of `:dataset` are kept under; 404 for an unknown dataset, as Honeycomb. */
  const datasetKey = (dataset: string): string => {
    if (dataset === ALL_DATASETS) return ALL_DATASETS;
    const found = store.findDataset(dataset);
    if (!found) throw new NotFoundError(`dataset '${dataset}' not found`);
    return found.info.slug;
  };
  const find = (dataset: string, id: string): StoredMarker => {
    const marker = markers.get(id);
    if (!marker || marker.dataset !== datasetKey(dataset)) throw new NotFoundError(`no marker ${id} in dataset ${dataset}`);
    return marker;
  };

  router.add('POST', '/1/markers/:dataset', async ({ req, res, params }) => {
    const dataset = datasetKey(params['dataset']!);
    const body = await readObjectBody(req);
    const max = SAVED_LIMITS.markersPerDataset.value;
    if (markers.list((m) => m.dataset === dataset).length >= max) throw new WaggleError('conflict', `dataset ${params['dataset']} has ${max} markers, the most Waggle keeps: delete some first`);
    const now = nowSeconds();
    let id = crypto.randomBytes(4).toString('hex');
    while (markers.get(id)) id = crypto.randomBytes(4).toString('hex');
    const marker: StoredMarker = { id, dataset, ...markerFields(body, Math.floor(Date.now() / 1000)), created_at: now, updated_at: now };
    await markers.put(marker);
    sendJson(res, 201, present(marker));
  });

  router.add('GET', '/1/markers/:dataset', async ({ res, params }) => {
    const dataset = datasetKey(params['dataset']!);
    const list = markers.list((m) => m.dataset === dataset).sort((a, b) => a.start_time - b.start_time || (a.id < b.id ? -1 : 1));
    sendJson(res, 200, list.map(present));
  });

  router.add('PUT', '/1/markers/:dataset/:id', async ({ req, res, params }) => {
    const current = find(params['dataset']!, params['id']!);
    const body = await readObjectBody(req);
    const marker: StoredMarker = { id: current.id, dataset: current.dataset, ...markerFields(body, current.start_time), created_at: current.created_at, updated_at: nowSeconds() };
    await markers.put(marker);
    sendJson(res, 200, present(marker));
  });

  // Honeycomb answers a delete with the deleted marker.
  router.add('DELETE', '/1/markers/:dataset/:id', async ({ res, params }) => {
    const marker = find(params['dataset']!, params['id']!);
    await markers.delete(marker.id);
    sendJson(res, 200, present(marker));
  });
}
