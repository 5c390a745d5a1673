import { BadRequestError } from '../core/errors.js';
import type { CalculatedField } from '../derived/calculated-field.js';
import { schemaWithFields } from '../query/query-engine.js';
import type { AutocompleteCatalog } from '../query/autocomplete/autocomplete-catalog.js';
import { METRIC_COLUMNS } from '../ingest/metric-column-registry.js';
import { autocompleteQuery } from '../query/query-engine.js';
import type { FilterScalar } from '../query/query-spec.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';
import { resolveDataset } from './dataset-selector.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { dialectOf } from '../query/compile/store-dialects.js';

const TOP_VALUES = 20;
const CACHE_MS = 60_000;

/**
 * GET /api/autocomplete?dataset=&q=&cursor= → {completions}. Top values come from the store's
 * bounded sample and are cached for a minute per dataset and column, so typing is not a scan.
 */
export function addAutocompleteRoutes(router: HttpRouter, store: SpanStore, calculatedFields: (selector: DatasetSelector) => readonly CalculatedField[] = () => []): void {
  const valueCache = new Map<string, { at: number; values: FilterScalar[] }>();

  const cachedValues = (selector: DatasetSelector, column: string): FilterScalar[] | undefined => {
    const key = `${selector.kind === 'all' ? '' : selector.name}\u0000${column}`;
    const hit = valueCache.get(key);
    return hit && Date.now() - hit.at < CACHE_MS ? hit.values : undefined;
  };

  const loadValues = async (selector: DatasetSelector, column: string): Promise<void> => {
    const key = `${selector.kind === 'all' ? '' : selector.name}\u0000${column}`;
    const values = (await store.topValues(selector, column, TOP_VALUES)).map((v) => v.value);
    valueCache.set(key, { at: Date.now(), values });
    if (valueCache.size > 5000) valueCache.delete(valueCache.keys().next().value as string);
  };

  router.add('GET', '/api/autocomplete', async ({ res, url }) => {
    const dataset = url.searchParams.get('dataset') || '__all__';
    const q = url.searchParams.get('q') ?? '';
    const cursorText = url.searchParams.get('cursor');
    const cursor = cursorText === null ? q.length : Number(cursorText);
    if (!Number.isInteger(cursor) || cursor < 0 || cursor > q.length) throw new BadRequestError(`cursor: an offset from 0 to ${q.length}`);
    if (q.length > 10_000) throw new BadRequestError('q: at most 10000 characters');
    const selector = await resolveDataset(store, dataset).catch(() => ({ kind: 'all' }) as DatasetSelector);
    const derived = new Set((await store.querySchema(selector)).columns().filter((c) => c.derivation !== undefined).map((c) => c.name));
    const columns = (await store.listColumns(selector)).map((c) => ({ name: c.key_name, type: c.type, derived: derived.has(c.key_name) }));
    // Calculated fields complete like columns (their values are not sampled: they exist only in queries).
    const fields = calculatedFields(selector);
    if (fields.length > 0) {
      const schema = schemaWithFields(await store.querySchema(selector), undefined, fields, dialectOf(store.capabilities));
      for (const binding of schema.columns()) if (fields.some((f) => f.name === binding.name)) columns.push({ name: binding.name, type: binding.type, derived: false });
    }
    const wanted = new Set<string>();
    const catalog: AutocompleteCatalog = {
      columns: () => columns,
      topValues: (column) => {
        if (fields.some((f) => f.name === column)) return [];
        const values = cachedValues(selector, column);
        if (values === undefined) wanted.add(column);
        return values ?? [];
      },
    };
    let completions = autocompleteQuery(q, cursor, catalog);
    if (wanted.size > 0) {
      await Promise.all([...wanted].map((column) => loadValues(selector, column)));
      completions = autocompleteQuery(q, cursor, catalog);
    }
    // Metric columns (OTLP metrics) say so in their detail: `float · metric`.
    const metricDataset = selector.kind === 'all' ? null : selector.name;
    const marked = completions.map((c) => (c.kind === 'column' && METRIC_COLUMNS.isMetric(metricDataset, c.label.replace(/^(root|parent|any|none)\./, '')) ? { ...c, detail: `${c.detail ?? ''} · metric`.replace(/^ · /, '') } : c));
    sendJson(res, 200, { completions: marked });
  });
}
