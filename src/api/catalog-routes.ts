import { NotFoundError } from '../core/errors.js';
import type { SpanStore } from '../store/span-store.js';
import { resolveDataset } from './dataset-selector.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';

/** GET /1/datasets, /1/datasets/:slug, /1/columns/:dataset (?key_name=). */
export function addCatalogRoutes(router: HttpRouter, store: SpanStore): void {
  router.add('GET', '/1/datasets', async ({ res }) => {
    sendJson(res, 200, await store.listDatasets());
  });

  router.add('GET', '/1/datasets/:slug', async ({ res, params }) => {
    const slug = (params['slug'] ?? '').toLowerCase();
    const dataset = (await store.listDatasets()).find((d) => d.slug === slug);
    if (!dataset) throw new NotFoundError(`dataset '${params['slug']}' not found`);
    sendJson(res, 200, dataset);
  });

  router.add('GET', '/1/columns/:dataset', async ({ res, params, url }) => {
    const selector = await resolveDataset(store, params['dataset']!);
    const columns = await store.listColumns(selector);
    const keyName = url.searchParams.get('key_name');
    if (keyName === null) {
      sendJson(res, 200, columns);
      return;
    }
    const column = columns.find((c) => c.key_name === keyName);
    if (!column) throw new NotFoundError(`no column '${keyName}' in dataset ${params['dataset']}`);
    sendJson(res, 200, column);
  });
}
