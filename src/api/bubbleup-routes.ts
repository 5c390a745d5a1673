import { BadRequestError, InvalidQueryError } from '../core/errors.js';
import { validateBubbleUpSelection } from '../query/bubbleup/bubbleup-request.js';
import type { BubbleUpRunner } from '../query/bubbleup/bubbleup-runner.js';
import type { CalculatedField } from '../derived/calculated-field.js';
import { prepareQuerySpec, schemaWithFields } from '../query/query-engine.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';
import { checkSpecColumnsInDataset } from './dataset-column-check.js';
import { resolveDataset } from './dataset-selector.js';
import { readJsonBody, sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';

/** A query spec and a selection: a few kB; 100 filters of long values stay well within it. */
const MAX_JSON_BYTES = 1024 * 1024;

export interface BubbleUpRouteDependencies {
  store: SpanStore;
  runner: BubbleUpRunner;
  queryTimeoutMs: number;
  /** Stored calculated fields (derived columns, SLIs) the query and the selection may filter on. */
  calculatedFields?: (selector: DatasetSelector) => readonly CalculatedField[];
}

/** Errors of the query part name their field under `query.`, as the selection's do under `selection.`. */
function prefixed<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof InvalidQueryError) {
      const field = error.field === undefined || error.field === '' ? prefix : `${prefix}.${error.field}`;
      const message = error.field !== undefined && error.message.startsWith(`${error.field}:`) ? `${prefix}.${error.message}` : `${prefix}: ${error.message}`;
      throw new InvalidQueryError(message, field);
    }
    throw error;
  }
}

/**
 * POST /api/bubbleup/:dataset: `{query, selection}` → the selection compared with the rest of the
 * query's events across every column (src/query/bubbleup/). Admitted like any query.
 */
export function addBubbleUpRoutes(router: HttpRouter, deps: BubbleUpRouteDependencies): void {
  router.add('POST', '/api/bubbleup/:dataset', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    const selector = await resolveDataset(deps.store, dataset);
    const body = await readJsonBody(req, MAX_JSON_BYTES);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('request body must be a JSON object: {"query": {...}, "selection": {...}}');
    const fields = body as Record<string, unknown>;
    const unknown = Object.keys(fields).find((k) => k !== 'query' && k !== 'selection');
    if (unknown !== undefined) throw new InvalidQueryError(`${unknown}: unknown field (expected query and selection)`, unknown);
    const schema = await deps.store.querySchema({ kind: 'all' });
    const stored = deps.calculatedFields?.(selector) ?? [];
    const spec = prefixed('query', () => prepareQuerySpec(fields['query'] ?? {}, schema, { disableSeries: true, calculatedFields: stored }));
    if (selector.kind === 'one') {
      const own = schemaWithFields(await deps.store.querySchema(selector), spec, stored);
      prefixed('query', () => checkSpecColumnsInDataset(spec, own, dataset));
    }
    const selection = validateBubbleUpSelection(fields['selection']);
    sendJson(res, 200, await deps.runner.run(selector, spec, selection, deps.queryTimeoutMs));
  });
}
