import { InvalidQueryError } from '../core/errors.js';
import { nowNs } from '../core/unix-nanos.js';
import { resolveQueryWindow } from '../query/compile/query-window.js';
import { validateQuerySpec } from '../query/query-spec-validator.js';
import type { ServiceMapRunner } from '../query/service-map/service-map-runner.js';
import type { SpanStore } from '../store/span-store.js';
import { resolveDataset } from './dataset-selector.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';

export interface ServiceMapRouteDependencies {
  store: SpanStore;
  runner: ServiceMapRunner;
  queryTimeoutMs: number;
}

const TIME_PARAMETERS = ['time_range', 'start_time', 'end_time'] as const;

/**
 * GET /api/service-map?dataset=&time_range= (or start_time/end_time, Unix seconds, as in a query
 * spec and checked by the same rules) → `{nodes, edges}` (src/query/service-map/).
 */
export function addServiceMapRoutes(router: HttpRouter, deps: ServiceMapRouteDependencies): void {
  router.add('GET', '/api/service-map', async ({ res, url }) => {
    const dataset = url.searchParams.get('dataset') || '__all__';
    const selector = await resolveDataset(deps.store, dataset);
    const times: Record<string, number> = {};
    for (const name of TIME_PARAMETERS) {
      const text = url.searchParams.get(name);
      if (text === null || text === '') continue;
      if (!/^\d{1,12}$/.test(text)) throw new InvalidQueryError(`${name}: must be a whole number of seconds, got '${text.slice(0, 40)}'`, name);
      times[name] = Number(text);
    }
    const window = resolveQueryWindow(validateQuerySpec(times), nowNs());
    sendJson(res, 200, await deps.runner.run(selector, { startNs: window.startNs, endNs: window.endNs }, deps.queryTimeoutMs));
  });
}
