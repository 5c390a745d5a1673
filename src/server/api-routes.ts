import type { HttpRouter } from '../api/http-router.js';
import type { SpanStore } from '../store/span-store.js';
import type { WaggleConfig } from './waggle-config.js';

export interface ApiDependencies {
  store: SpanStore;
  config: WaggleConfig;
}

/** The Honeycomb-compatible query API and the UI's helper endpoints. */
export function addApiRoutes(router: HttpRouter, deps: ApiDependencies): void {
  void router;
  void deps;
}
