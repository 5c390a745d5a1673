/** The browser's only door to the server: same-origin JSON requests with one error shape. */
import type { QuerySpec } from '../../../src/query/query-spec.js';
import type { QueryResult } from '../models/query-result-types.js';
import type { BubbleUpRequest, BubbleUpResponse } from '../models/bubbleup-model.js';
import type { ServiceMapData } from '../models/service-map-layout-model.js';
import type { ApiKeySummary, Board, Column, Completion, Dataset, QueryAnnotation, SavedQuery, SessionInfo, StoredQuery, TraceResponse, TraceSearchResult, TraceSummary } from './api-types.js';

/** Fired when the server answers 401 outside sign-in: the session ended, the app shows sign-in. */
export const SIGNED_OUT_EVENT = 'waggle:signed-out';

export const ALL_DATASETS = '__all__';

export class ApiError extends Error {
  readonly status: number;
  /** Character offset in a text query, when the server located the problem. */
  readonly position: number | null;
  constructor(status: number, message: string, position: number | null) {
    super(message);
    this.status = status;
    this.position = position;
    this.name = 'ApiError';
  }
}

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The Waggle server cannot be reached.', null);
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (response.status === 401 && path !== '/api/session') window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!response.ok) {
    const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const message = typeof record['error'] === 'string' ? record['error'] : `${response.status} ${response.statusText}`;
    const position = typeof record['position'] === 'number' ? record['position'] : null;
    throw new ApiError(response.status, message, position);
  }
  return json as T;
}

const seg = encodeURIComponent;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function listDatasets(signal?: AbortSignal): Promise<Dataset[]> {
  return request<Dataset[]>('GET', '/1/datasets', undefined, signal);
}

/** Sets a dataset's retention (null: the server default). A PUT replaces every setting, so the others are sent as they are. */
export async function updateDatasetRetention(dataset: Dataset, retention: string | null): Promise<Dataset> {
  return request<Dataset>('PUT', `/1/datasets/${seg(dataset.slug)}`, {
    description: dataset.description ?? '',
    expand_json_depth: dataset.expand_json_depth ?? 0,
    settings: dataset.settings ?? { delete_protected: false },
    retention,
  });
}

export async function listColumns(dataset: string, signal?: AbortSignal): Promise<Column[]> {
  return request<Column[]>('GET', `/1/columns/${seg(dataset)}`, undefined, signal);
}

/** Runs a text query in one round trip. */
export async function runTextQuery(dataset: string, q: string, signal?: AbortSignal): Promise<QueryResult> {
  return pollUntilComplete(dataset, await request<QueryResult>('POST', '/api/query', { dataset, q }, signal), signal);
}

async function pollUntilComplete(dataset: string, result: QueryResult, signal?: AbortSignal): Promise<QueryResult> {
  let current = result;
  for (let attempt = 0; !current.complete && attempt < 120; attempt++) {
    await sleep(Math.min(100 * 2 ** attempt, 1000));
    current = await request<QueryResult>('GET', `/1/query_results/${seg(dataset)}/${seg(current.id)}`, undefined, signal);
  }
  return current;
}

export async function createQuery(dataset: string, spec: Partial<QuerySpec>, signal?: AbortSignal): Promise<StoredQuery> {
  return request<StoredQuery>('POST', `/1/queries/${seg(dataset)}`, spec, signal);
}

export async function getQuery(dataset: string, id: string, signal?: AbortSignal): Promise<StoredQuery> {
  return request<StoredQuery>('GET', `/1/queries/${seg(dataset)}/${seg(id)}`, undefined, signal);
}

/** Runs a spec through Honeycomb's create-query / create-result / poll sequence. */
export async function runSpec(dataset: string, spec: Partial<QuerySpec>, options: { disableSeries?: boolean; signal?: AbortSignal } = {}): Promise<QueryResult> {
  const query = await createQuery(dataset, spec, options.signal);
  const started = await request<QueryResult>(
    'POST',
    `/1/query_results/${seg(dataset)}`,
    { query_id: query.id, disable_series: options.disableSeries ?? false },
    options.signal,
  );
  return pollUntilComplete(dataset, started, options.signal);
}

export async function listTraces(options: { service?: string; limit?: number } = {}, signal?: AbortSignal): Promise<TraceSummary[]> {
  const params = new URLSearchParams();
  if (options.service !== undefined) params.set('service.name', options.service);
  params.set('limit', String(options.limit ?? 20));
  return (await request<{ traces: TraceSummary[] }>('GET', `/api/traces?${params.toString()}`, undefined, signal)).traces;
}

/** Traces with a span matching the spec's filters in its time range (its calculations and groups are ignored). */
export async function searchTraces(dataset: string, spec: Partial<QuerySpec>, limit: number, signal?: AbortSignal): Promise<TraceSearchResult[]> {
  return (await request<{ traces: TraceSearchResult[] }>('POST', `/api/trace-search/${seg(dataset)}`, { query: spec, limit }, signal)).traces;
}

export async function getTrace(traceId: string, signal?: AbortSignal): Promise<TraceResponse> {
  return request<TraceResponse>('GET', `/api/traces/${seg(traceId)}`, undefined, signal);
}

export async function autocomplete(dataset: string, q: string, cursor: number, signal?: AbortSignal): Promise<Completion[]> {
  const params = new URLSearchParams({ dataset, q, cursor: String(cursor) });
  return (await request<{ completions: Completion[] }>('GET', `/api/autocomplete?${params.toString()}`, undefined, signal)).completions;
}

export async function listAnnotations(dataset: string, signal?: AbortSignal): Promise<QueryAnnotation[]> {
  return request<QueryAnnotation[]>('GET', `/1/query_annotations/${seg(dataset)}`, undefined, signal);
}

/** Saved queries of every dataset (the API lists them per dataset). */
export async function listAllSavedQueries(signal?: AbortSignal): Promise<SavedQuery[]> {
  const datasets = await listDatasets(signal);
  const slugs = [ALL_DATASETS, ...datasets.map((d) => d.slug)];
  const lists = await Promise.all(
    slugs.map(async (dataset) => {
      try {
        return (await listAnnotations(dataset, signal)).map((a): SavedQuery => ({ ...a, dataset }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return [];
        throw error;
      }
    }),
  );
  const seen = new Set<string>();
  return lists.flat().filter((q) => !seen.has(q.id) && seen.add(q.id) !== undefined);
}

export async function createAnnotation(dataset: string, body: { name: string; description: string; query_id: string }): Promise<QueryAnnotation> {
  return request<QueryAnnotation>('POST', `/1/query_annotations/${seg(dataset)}`, body);
}

/** Renames a saved query, rewrites its description, or points it at another query. */
export async function updateAnnotation(dataset: string, id: string, body: { name?: string; description?: string; query_id?: string }): Promise<QueryAnnotation> {
  return request<QueryAnnotation>('PUT', `/1/query_annotations/${seg(dataset)}/${seg(id)}`, body);
}

export async function deleteAnnotation(dataset: string, id: string): Promise<void> {
  await request<unknown>('DELETE', `/1/query_annotations/${seg(dataset)}/${seg(id)}`);
}

export async function listBoards(signal?: AbortSignal): Promise<Board[]> {
  return request<Board[]>('GET', '/1/boards', undefined, signal);
}

export async function getBoard(id: string, signal?: AbortSignal): Promise<Board> {
  return request<Board>('GET', `/1/boards/${seg(id)}`, undefined, signal);
}

export async function createBoard(board: Omit<Board, 'id'>): Promise<Board> {
  return request<Board>('POST', '/1/boards', board);
}

export async function updateBoard(board: Board): Promise<Board> {
  return request<Board>('PUT', `/1/boards/${seg(board.id)}`, board);
}

export async function deleteBoard(id: string): Promise<void> {
  await request<unknown>('DELETE', `/1/boards/${seg(id)}`);
}

/** The session cookie is HttpOnly: script never sees it, only whether the server knows it. */
export async function getSession(signal?: AbortSignal): Promise<SessionInfo> {
  return request<SessionInfo>('GET', '/api/session', undefined, signal);
}

export async function signIn(key: string): Promise<SessionInfo> {
  return request<SessionInfo>('POST', '/api/session', { key });
}

export async function signOut(): Promise<SessionInfo> {
  return request<SessionInfo>('DELETE', '/api/session');
}

export async function listKeys(signal?: AbortSignal): Promise<ApiKeySummary[]> {
  return request<ApiKeySummary[]>('GET', '/api/keys', undefined, signal);
}

/** The answer holds the new key's secret: shown once, never stored by the UI. */
export async function createKey(name: string, permissions: string[]): Promise<ApiKeySummary & { secret: string }> {
  return request<ApiKeySummary & { secret: string }>('POST', '/api/keys', { name, permissions });
}

export async function revokeKey(id: string): Promise<ApiKeySummary> {
  return request<ApiKeySummary>('DELETE', `/api/keys/${seg(id)}`);
}

/** A marker as /1/markers returns it (Unix seconds). */
export interface MarkerRecord {
  id: string;
  start_time: number;
  end_time?: number;
  message?: string;
  type?: string;
  url?: string;
}

export async function listMarkers(dataset: string, signal?: AbortSignal): Promise<MarkerRecord[]> {
  return request<MarkerRecord[]>('GET', `/1/markers/${seg(dataset)}`, undefined, signal);
}

/** One page of GET /api/raw-events: the events behind a text query, newest first. */
export interface RawEventsPage {
  columns: string[];
  events: Array<Record<string, string | number | boolean | null>>;
  limit: number;
  offset: number;
  has_more: boolean;
  columns_truncated: boolean;
}

/** Where GET /api/raw-events answers; `format: 'csv'` for a download. */
export function rawEventsUrl(dataset: string, q: string, options: { limit?: number; offset?: number; format?: 'json' | 'csv' } = {}): string {
  const params = new URLSearchParams({ dataset, q });
  if (options.limit !== undefined) params.set('limit', String(options.limit));
  if (options.offset !== undefined) params.set('offset', String(options.offset));
  if (options.format !== undefined) params.set('format', options.format);
  return `/api/raw-events?${params.toString()}`;
}

export async function listRawEvents(dataset: string, q: string, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<RawEventsPage> {
  return request<RawEventsPage>('GET', rawEventsUrl(dataset, q, page), undefined, signal);
}

/** BubbleUp: the query's events in a selection compared with the rest, column by column. */
export async function bubbleUp(dataset: string, body: BubbleUpRequest, signal?: AbortSignal): Promise<BubbleUpResponse> {
  return request<BubbleUpResponse>('POST', `/api/bubbleup/${seg(dataset)}`, body, signal);
}

/** Calls between services over the last `timeRangeSec` seconds. */
export async function getServiceMap(dataset: string, timeRangeSec: number, signal?: AbortSignal): Promise<ServiceMapData> {
  return request<ServiceMapData>('GET', `/api/service-map?${new URLSearchParams({ dataset, time_range: String(timeRangeSec) }).toString()}`, undefined, signal);
}
