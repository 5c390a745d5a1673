/**
 * Runs a Query Specification through Waggle's Honeycomb-compatible API the way a client does:
 * POST /1/queries/:dataset, POST /1/query_results/:dataset, then GET until complete.
 */
export interface QueryRun {
  /** Wall time of the whole exchange, as a user of the API sees it. */
  readonly httpMs: number;
  /** From the Server-Timing header of the answer that carried the result, when present. */
  readonly serverMs: number | null;
  readonly result: QueryResultBody;
}

export interface QueryResultBody {
  readonly id: string;
  readonly complete: boolean;
  readonly data?: {
    readonly results?: ReadonlyArray<{ readonly data: Readonly<Record<string, unknown>> }>;
    readonly series?: ReadonlyArray<{ readonly time: string; readonly data: Readonly<Record<string, unknown>> }>;
  };
}

/** The API answered with a status other than success; `status` tells a missing API (404) apart. */
export class QueryApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'QueryApiError';
  }
}

/**
 * The largest `dur` of a Server-Timing header: with nested metrics (total, sql, ...) the largest
 * is the whole. Null when absent or unparsable.
 */
export function parseServerTiming(header: string | null): number | null {
  if (header === null) return null;
  let best: number | null = null;
  for (const match of header.matchAll(/dur=([0-9.]+)/g)) {
    const value = Number(match[1]);
    if (Number.isFinite(value)) best = best === null ? value : Math.max(best, value);
  }
  return best;
}

async function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ json: unknown; serverMs: number | null }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new QueryApiError(response.status, `${method} ${url} → ${response.status}: ${text.slice(0, 300)}`);
  return { json: JSON.parse(text) as unknown, serverMs: parseServerTiming(response.headers.get('server-timing')) };
}

function idOf(json: unknown, what: string): string {
  const id = (json as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`${what} has no id: ${JSON.stringify(json).slice(0, 200)}`);
  return String(id);
}

export async function runQuery(apiUrl: string, dataset: string, spec: unknown, timeoutMs = 60_000): Promise<QueryRun> {
  const started = performance.now();
  const path = encodeURIComponent(dataset);
  const created = await call('POST', `${apiUrl}/1/queries/${path}`, spec);
  const queryId = idOf(created.json, 'the created query');
  let answer = await call('POST', `${apiUrl}/1/query_results/${path}`, { query_id: queryId });
  const resultId = idOf(answer.json, 'the query result');
  let pollDelayMs = 2;
  while ((answer.json as QueryResultBody).complete !== true) {
    if (performance.now() - started > timeoutMs) throw new Error(`query ${queryId} not complete after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollDelayMs));
    pollDelayMs = Math.min(50, pollDelayMs * 2);
    answer = await call('GET', `${apiUrl}/1/query_results/${path}/${encodeURIComponent(resultId)}`);
  }
  return { httpMs: performance.now() - started, serverMs: answer.serverMs, result: answer.json as QueryResultBody };
}

/** Exact number of events in [startSeconds, endSeconds) across every dataset. */
export async function countEvents(apiUrl: string, startSeconds: number, endSeconds: number): Promise<number> {
  const run = await runQuery(apiUrl, '__all__', {
    calculations: [{ op: 'COUNT' }],
    start_time: startSeconds,
    end_time: endSeconds,
  });
  const first = run.result.data?.results?.[0]?.data['COUNT'];
  // No rows means no events.
  return first === undefined ? 0 : Number(first);
}
