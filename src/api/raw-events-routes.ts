import { BadRequestError } from '../core/errors.js';
import { QUERY_LIMITS } from '../core/limits/query-limits.js';
import { prepareTextQuery } from '../query/query-engine.js';
import type { QueryRunner } from '../query/query-runner.js';
import type { ColumnBinding } from '../query/query-schema.js';
import type { SpanStore } from '../store/span-store.js';
import { rowsToCsv } from './csv-writer.js';
import { checkSpecColumnsInDataset } from './dataset-column-check.js';
import { resolveDataset } from './dataset-selector.js';
import { sendBytes, sendJsonList } from './http-io.js';
import { QueryAdmission } from '../query/query-admission.js';
import type { HttpRouter } from './http-router.js';

export interface RawEventsRouteDependencies {
  store: SpanStore;
  runner: QueryRunner;
  queryTimeoutMs: number;
}

const DEFAULT_LIMIT = 100;
const DEFAULT_QUERY = 'VISUALIZE COUNT';
/** The event's own start is always the first column; an attribute of that name would shadow it. */
const TIMESTAMP = 'timestamp';

function wholeNumber(text: string | null, name: string, fallback: number, min: number, max: number, limitName: string): number {
  if (text === null || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new BadRequestError(`${name}: a whole number from ${min} to ${max} (${limitName}), not '${text.slice(0, 40)}'`);
  return value;
}

/** The dataset's columns in the schema's order (core columns, then attributes as they arrived); derived columns (network.*) only when asked for. */
function defaultColumns(columns: readonly ColumnBinding[]): string[] {
  return columns.filter((c) => c.derivation === undefined && c.name !== TIMESTAMP).map((c) => c.name);
}

/**
 * GET /api/raw-events?dataset=&q=&limit=&offset=&columns=&format= → the events behind a text
 * query (its filters and time range; calculations and groups play no part), newest first:
 * `{columns, events, limit, offset, has_more, columns_truncated}`, or with `format=csv` the same
 * rows as CSV. Bounded by QUERY_LIMITS.rawEvents*; run through the query compiler and the query
 * admission like every query.
 */
export function addRawEventsRoutes(router: HttpRouter, deps: RawEventsRouteDependencies): void {
  // An answer is built under one of these slots, from its query to its JSON (query.rawEventsAnswers).
  const answers = new QueryAdmission({ concurrent: QUERY_LIMITS.rawEventsAnswers.value, queued: QUERY_LIMITS.queuedQueries.value });
  router.add('GET', '/api/raw-events', async ({ res, url }) => {
    const params = url.searchParams;
    const dataset = params.get('dataset') || '__all__';
    const text = params.get('q') || DEFAULT_QUERY;
    const format = params.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new BadRequestError(`format: json or csv, not '${format.slice(0, 40)}'`);
    const limit = wholeNumber(params.get('limit'), 'limit', DEFAULT_LIMIT, 1, QUERY_LIMITS.rawEventsRows.value, 'query.rawEventsRows');
    const offset = wholeNumber(params.get('offset'), 'offset', 0, 0, QUERY_LIMITS.rawEventsOffset.value, 'query.rawEventsOffset');
    const maxColumns = QUERY_LIMITS.rawEventsColumns.value;
    const asked = params.get('columns');
    const askedColumns = asked === null || asked === '' ? null : [...new Set(asked.split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== TIMESTAMP))];
    if (askedColumns !== null && askedColumns.length > maxColumns) throw new BadRequestError(`columns: at most ${maxColumns} (query.rawEventsColumns), not ${askedColumns.length}`);

    const selector = await resolveDataset(deps.store, dataset);
    const schema = await deps.store.querySchema({ kind: 'all' });
    const spec = prepareTextQuery(text, schema);
    const datasetSchema = selector.kind === 'one' ? await deps.store.querySchema(selector) : schema;
    if (selector.kind === 'one') checkSpecColumnsInDataset({ ...spec, breakdowns: askedColumns ?? [] }, datasetSchema, dataset);
    const all = askedColumns ?? defaultColumns(datasetSchema.columns());
    const columns = all.slice(0, maxColumns);
    await answers.admit(deps.queryTimeoutMs, async (remainingMs) => {
      // One row more than asked tells whether another page follows; wide or long values make a
      // shorter page (query.rawEventsAnswerBytes), and then another page follows too.
      const page = { columns, limit: limit + 1, offset, maxBytes: QUERY_LIMITS.rawEventsAnswerBytes.value };
      const { events: rows, pageRows } = await deps.runner.runRawEvents(selector, spec, page, { timeoutMs: remainingMs });
      const events = rows.slice(0, limit);
      const hasMore = pageRows > events.length;
      const names = [TIMESTAMP, ...columns];
      if (format === 'csv') {
        const headers = { 'content-disposition': 'attachment; filename="waggle-events.csv"', 'x-waggle-has-more': String(hasMore) };
        sendBytes(res, 200, 'text/csv; charset=utf-8', Buffer.from(rowsToCsv(names, events)), headers);
        return;
      }
      await sendJsonList(res, 200, { columns: names, limit, offset, has_more: hasMore, columns_truncated: all.length > columns.length }, 'events', events);
    });
  });
}
