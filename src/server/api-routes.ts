import path from 'node:path';
import { addAnnotationRoutes, type QueryAnnotation } from '../api/annotation-routes.js';
import { addAutocompleteRoutes } from '../api/autocomplete-routes.js';
import { addBoardRoutes, type Board } from '../api/board-routes.js';
import { addBubbleUpRoutes } from '../api/bubbleup-routes.js';
import { addServiceMapRoutes } from '../api/service-map-routes.js';
import { BubbleUpRunner } from '../query/bubbleup/bubbleup-runner.js';
import { ServiceMapRunner } from '../query/service-map/service-map-runner.js';
import { addAuthRoutes, type AuthRouteOptions } from '../api/auth-routes.js';
import { addCatalogRoutes, type DatasetSettings } from '../api/catalog-routes.js';
import { addColumnRoutes, type ColumnSettings } from '../api/column-routes.js';
import { addMarkerRoutes, type StoredMarker } from '../api/marker-routes.js';
import type { HttpRouter } from '../api/http-router.js';
import type { QueryMetrics } from '../observability/query-metrics.js';
import { addQueryRoutes, type StoredQuery } from '../api/query-routes.js';
import { QueryRunner } from '../query/query-runner.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import { ExpiringCollectionStore } from '../store/saved/expiring-collection-store.js';
import { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { SpanStore } from '../store/span-store.js';
import type { WaggleConfig } from './waggle-config.js';

export interface ApiDependencies {
  store: SpanStore;
  config: WaggleConfig;
  /** Where people open Waggle (WAGGLE_PUBLIC_URL or http://localhost:<port>), for links. */
  publicUrl: () => string;
  auth: AuthRouteOptions;
  /** Where queries run are counted and timed (absent: not measured). */
  queryMetrics?: QueryMetrics;
}

/** What a stopping server waits for: stored query specs still to be written. */
export interface ApiRoutesHandle {
  flush(): Promise<void>;
}

/** The Honeycomb-compatible query API, saved queries, boards and the UI's helper endpoints. */
export function addApiRoutes(router: HttpRouter, deps: ApiDependencies): ApiRoutesHandle {
  const savedDir = path.join(deps.config.dataDir, 'saved');
  const annotations = JsonCollectionStore.open<QueryAnnotation>(savedDir, 'query-annotations');
  const queries = ExpiringCollectionStore.open<StoredQuery>(savedDir, 'queries', {
    retentionMs: SAVED_LIMITS.storedQueryRetentionDays.value * 86_400_000,
    maxCount: SAVED_LIMITS.storedQueries.value,
    maxBytes: SAVED_LIMITS.storedQueryBytes.value,
    // A saved query (annotation) keeps its spec for as long as it exists.
    pinnedIds: () => new Set(annotations.list().map((annotation) => annotation.query_id)),
    writeDelayMs: 1_000,
    clock: Date.now,
    log: (message) => process.stderr.write(`waggle: ${message}\n`),
  });
  const boards = JsonCollectionStore.open<Board>(savedDir, 'boards');
  const datasetSettings = JsonCollectionStore.open<DatasetSettings>(savedDir, 'dataset-settings');
  const columnSettings = JsonCollectionStore.open<ColumnSettings>(savedDir, 'column-settings');
  const markers = JsonCollectionStore.open<StoredMarker>(savedDir, 'markers');
  addAuthRoutes(router, deps.auth);
  addCatalogRoutes(router, deps.store, datasetSettings);
  addColumnRoutes(router, deps.store, columnSettings);
  addMarkerRoutes(router, deps.store, markers);
  addQueryRoutes(router, { store: deps.store, runner: new QueryRunner(deps.store, deps.queryMetrics ?? null), queries, queryTimeoutMs: deps.config.queryTimeoutMs, publicUrl: deps.publicUrl });
  addAnnotationRoutes(router, annotations, queries);
  addBoardRoutes(router, boards, annotations);
  addAutocompleteRoutes(router, deps.store);
  addBubbleUpRoutes(router, { store: deps.store, runner: new BubbleUpRunner(deps.store), queryTimeoutMs: deps.config.queryTimeoutMs });
  addServiceMapRoutes(router, { store: deps.store, runner: new ServiceMapRunner(deps.store), queryTimeoutMs: deps.config.queryTimeoutMs });
  return { flush: () => queries.flush() };
}
