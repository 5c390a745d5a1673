import crypto from 'node:crypto';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../core/errors.js';
import { QUERY_LIMITS } from '../core/limits/query-limits.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import type { QueryResultData } from '../query/compile/query-result-shaper.js';
import type { CalculatedField } from '../derived/calculated-field.js';
import { prepareQuerySpec, prepareTextQuery, queryUiPath, querySpecToText, schemaWithFields } from '../query/query-engine.js';
import type { QueryRunner } from '../query/query-runner.js';
import type { QuerySpec } from '../query/query-spec.js';
import type { ExpiringCollectionStore } from '../store/saved/expiring-collection-store.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';
import { checkSpecColumnsInDataset } from './dataset-column-check.js';
import { resolveDataset, sameDataset } from './dataset-selector.js';
import { KeptQueryResults } from './kept-query-results.js';
import { readJsonBody, sendBytes, sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { dialectOf } from '../query/compile/store-dialects.js';

const MAX_JSON_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface StoredQuery {
  id: string;
  dataset: string;
  spec: QuerySpec;
  created_at: string;
  /** The spec as POST /1/queries received it: Honeycomb echoes what was sent, not the defaults. */
  sent?: Record<string, unknown>;
}

export interface QueryResultObject {
  id: string;
  complete: true;
  query: QuerySpec & { id: string };
  query_text: string;
  data: QueryResultData;
  links: { query_url: string };
}

export interface QueryRouteDependencies {
  store: SpanStore;
  runner: QueryRunner;
  /** Stored specs expire and are capped (SAVED_LIMITS); a write failure never fails a query. */
  queries: ExpiringCollectionStore<StoredQuery>;
  queryTimeoutMs: number;
  /** Links are built from configuration, never from the request's Host (which a client chooses). */
  publicUrl: () => string;
  /** Stored calculated fields (derived columns) a query of the selection may use. */
  calculatedFields?: (selector: DatasetSelector) => readonly CalculatedField[];
}

/** Same spec, same dataset → same id, as with Honeycomb's query ids. */
function queryId(dataset: string, spec: QuerySpec): string {
  return crypto.createHash('sha256').update(`${dataset}\n${JSON.stringify(spec)}`).digest('base64url').slice(0, 12);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Honeycomb's Query Data API plus POST /api/query (a text query in one round trip). */
export function addQueryRoutes(router: HttpRouter, deps: QueryRouteDependencies): void {
  const results = new KeptQueryResults();

  const storedFields = (selector: DatasetSelector): readonly CalculatedField[] => deps.calculatedFields?.(selector) ?? [];

  /** The result's JSON, encoded once: sent now and kept for GET (the text, not its objects). */
  const remember = (result: QueryResultObject): Buffer => {
    const json = Buffer.from(JSON.stringify(result), 'utf8');
    results.keep(result.id, json);
    return json;
  };

  /**
   * Keeps the spec so that its id resolves later (GET /1/queries, query results, saved queries).
   * Kept in memory at once and written to disk shortly after, off the request: a failed write
   * (full disk) is logged, the query still answers, and the id may be unknown after a restart.
   * The first spec sent under an id is the one echoed (Honeycomb echoes what was sent).
   */
  const storeQuery = (dataset: string, spec: QuerySpec, sent?: Record<string, unknown>): StoredQuery => {
    const id = queryId(dataset, spec);
    const existing = deps.queries.get(id);
    if (existing) return existing;
    const stored: StoredQuery = { id, dataset, spec, created_at: new Date().toISOString() };
    if (sent !== undefined) stored.sent = sent;
    // The spec as the client sent it, the size the limit (and README) names: the stored record
    // also keeps the normalised spec, which counted twice refused specs of ~33 KiB as over 64 KiB.
    const specBytes = Buffer.byteLength(JSON.stringify(sent ?? spec));
    const limit = SAVED_LIMITS.storedQuerySpecBytes.value;
    if (specBytes > limit) throw new PayloadTooLargeError(`the query spec is ${specBytes} bytes as JSON, larger than the limit of ${limit} bytes (saved.storedQuerySpecBytes)`);
    return deps.queries.put(stored);
  };

  /** The query as Honeycomb echoes it: its id and the spec as it was sent. */
  const echo = (stored: StoredQuery): Record<string, unknown> => {
    const sent: Record<string, unknown> = { ...(stored.sent ?? stored.spec) };
    delete sent['id'];
    return { id: stored.id, ...sent };
  };

  /** Columns are per dataset (as /1/columns lists them); `__all__` sees every dataset's. */
  const checkColumns = async (dataset: string, spec: QuerySpec): Promise<void> => {
    const selector = await resolveDataset(deps.store, dataset);
    if (selector.kind === 'one') checkSpecColumnsInDataset(spec, schemaWithFields(await deps.store.querySchema(selector), spec, storedFields(selector), dialectOf(deps.store.capabilities)), dataset);
  };

  const execute = async (stored: StoredQuery, disableSeries: boolean): Promise<Buffer> => {
    const selector = await resolveDataset(deps.store, stored.dataset);
    const data = await deps.runner.run(selector, stored.spec, { disableSeries, timeoutMs: deps.queryTimeoutMs });
    const result: QueryResultObject = {
      id: crypto.randomBytes(8).toString('base64url'),
      complete: true,
      query: { id: stored.id, ...stored.spec },
      query_text: querySpecToText(stored.spec),
      data,
      links: { query_url: deps.publicUrl() + queryUiPath(stored.dataset, stored.spec) },
    };
    return remember(result);
  };

  router.add('POST', '/1/queries/:dataset', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    const selector = await resolveDataset(deps.store, dataset);
    const schema = await deps.store.querySchema({ kind: 'all' });
    const body = objectBody(await readJsonBody(req, MAX_JSON_BYTES));
    const spec = prepareQuerySpec(body, schema, { calculatedFields: storedFields(selector), dialect: dialectOf(deps.store.capabilities) });
    await checkColumns(dataset, spec);
    const stored = storeQuery(dataset, spec, body);
    sendJson(res, 200, echo(stored));
  });

  router.add('GET', '/1/queries/:dataset/:id', async ({ res, params }) => {
    const stored = deps.queries.get(params['id']!);
    if (!stored || !sameDataset(stored.dataset, params['dataset']!)) throw new NotFoundError(`no query ${params['id']} in dataset ${params['dataset']}`);
    sendJson(res, 200, echo(stored));
  });

  router.add('POST', '/1/query_results/:dataset', async ({ req, res, params }) => {
    const body = objectBody(await readJsonBody(req, MAX_JSON_BYTES));
    const queryIdValue = body['query_id'];
    if (typeof queryIdValue !== 'string') throw new BadRequestError('query_id: required, the id returned by POST /1/queries/:dataset');
    const disableSeries = body['disable_series'] === true;
    if (body['disable_series'] !== undefined && typeof body['disable_series'] !== 'boolean') throw new BadRequestError('disable_series: must be true or false');
    const stored = deps.queries.get(queryIdValue);
    if (!stored || !sameDataset(stored.dataset, params['dataset']!)) throw new NotFoundError(`no query ${queryIdValue} in dataset ${params['dataset']}`);
    let toRun = stored;
    // Honeycomb documents `limit` here as applying only with disable_series (up to 10 000 groups);
    // with series on it is ignored, not refused.
    if (disableSeries && body['limit'] !== undefined) {
      const limit = body['limit'];
      const schema = await deps.store.querySchema({ kind: 'all' });
      const spec = prepareQuerySpec({ ...stored.spec, limit }, schema, { disableSeries, calculatedFields: storedFields(await resolveDataset(deps.store, stored.dataset)), dialect: dialectOf(deps.store.capabilities) });
      toRun = { ...stored, spec };
    }
    // 201: a query result is created (Honeycomb's status), even though Waggle's is complete at once.
    sendBytes(res, 201, JSON_CONTENT_TYPE, await execute(toRun, disableSeries));
  });

  router.add('GET', '/1/query_results/:dataset/:id', async ({ res, params }) => {
    const result = results.get(params['id']!);
    if (!result) {
      throw new NotFoundError(
        `no query result ${params['id']}: results are kept for the last ${QUERY_LIMITS.keptResults.value} queries, up to ${QUERY_LIMITS.keptResultBytes.value} bytes of their JSON (query.keptResults, query.keptResultBytes)`,
      );
    }
    sendBytes(res, 200, JSON_CONTENT_TYPE, result);
  });

  router.add('POST', '/api/query', async ({ req, res }) => {
    const body = objectBody(await readJsonBody(req, MAX_JSON_BYTES));
    const dataset = typeof body['dataset'] === 'string' && body['dataset'] !== '' ? body['dataset'] : '__all__';
    const text = body['q'];
    if (typeof text !== 'string') throw new BadRequestError('q: required, a text query such as "VISUALIZE COUNT GROUP BY service.name"');
    const disableSeries = body['disable_series'] === true;
    const selector = await resolveDataset(deps.store, dataset);
    const schema = await deps.store.querySchema({ kind: 'all' });
    const spec = prepareTextQuery(text, schema, { disableSeries, calculatedFields: storedFields(selector), dialect: dialectOf(deps.store.capabilities) });
    await checkColumns(dataset, spec);
    const stored = storeQuery(dataset, spec);
    sendBytes(res, 200, JSON_CONTENT_TYPE, await execute(stored, disableSeries));
  });
}
