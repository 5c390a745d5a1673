import path from 'node:path';
import { addAnnotationRoutes, type QueryAnnotation } from '../api/annotation-routes.js';
import { addAutocompleteRoutes } from '../api/autocomplete-routes.js';
import { addBoardRoutes, type Board } from '../api/board-routes.js';
import { addBubbleUpRoutes } from '../api/bubbleup-routes.js';
import { addServiceMapRoutes } from '../api/service-map-routes.js';
import { BubbleUpRunner } from '../query/bubbleup/bubbleup-runner.js';
import { ServiceMapRunner, serviceMapJoinedSpans } from '../query/service-map/service-map-runner.js';
import { duckDbPoolBytes } from './duckdb-memory-limit.js';
import { addAuthRoutes, type AuthRouteOptions } from '../api/auth-routes.js';
import { addCatalogRoutes, type DatasetSettings } from '../api/catalog-routes.js';
import { addColumnRoutes, type ColumnSettings } from '../api/column-routes.js';
import { addMarkerRoutes, type StoredMarker } from '../api/marker-routes.js';
import { addDerivedColumnRoutes } from '../api/derived-column-routes.js';
import { DerivedColumnCatalog, type StoredDerivedColumn } from '../derived/derived-column-catalog.js';
import type { HttpRouter } from '../api/http-router.js';
import type { QueryMetrics } from '../observability/query-metrics.js';
import { addTraceSearchRoutes } from '../api/trace-search-routes.js';
import { addQueryRoutes, type StoredQuery } from '../api/query-routes.js';
import { addRawEventsRoutes } from '../api/raw-events-routes.js';
import { QueryRunner } from '../query/query-runner.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import { ExpiringCollectionStore } from '../store/saved/expiring-collection-store.js';
import { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { SpanStore } from '../store/span-store.js';
import type { WaggleConfig } from './waggle-config.js';
import { AlertScheduler } from '../alerting/alert-scheduler.js';
import type { AlertState } from '../alerting/alert-state.js';
import type { StoredRecipient } from '../alerting/recipient.js';
import type { StoredTrigger } from '../alerting/trigger-definition.js';
import { triggerCheck } from '../alerting/trigger-check.js';
import { WebhookSender } from '../alerting/webhook-sender.js';
import { burnAlertCheck } from '../alerting/burn-alert-check.js';
import type { StoredBurnAlert, StoredSlo } from '../alerting/slo-definition.js';
import { addSloRoutes } from '../api/slo-routes.js';
import { addRecipientRoutes } from '../api/recipient-routes.js';
import { addTriggerRoutes } from '../api/trigger-routes.js';
import { resolveDataset } from '../api/dataset-selector.js';
import { checkSpecColumnsInDataset } from '../api/dataset-column-check.js';
import { queryUiPath, schemaWithFields } from '../query/query-engine.js';
import { resolveQueryColumns } from '../query/query-column-resolver.js';
import type { QuerySpec } from '../query/query-spec.js';
import { dialectOf } from '../query/compile/store-dialects.js';

export interface ApiDependencies {
  store: SpanStore;
  config: WaggleConfig;
  /** Where people open Waggle (WAGGLE_PUBLIC_URL or http://localhost:<port>), for links. */
  publicUrl: () => string;
  auth: AuthRouteOptions;
  /** Where queries run are counted and timed (absent: not measured). */
  queryMetrics?: QueryMetrics;
  /** The alerting scheduler's clock and pace; tests drive it themselves (autoRun false). */
  alerting?: AlertingOptions;
}

export interface AlertingOptions {
  /** Epoch ms; Date.now by default. */
  readonly now?: () => number;
  /** Whether a timer runs due triggers by itself (default true, every 10 s). */
  readonly autoRun?: boolean;
  /** First wait before a webhook retry (ALERTING_LIMITS.retryBaseMs by default). */
  readonly retryBaseMs?: number;
}

/** How often the scheduler looks for due triggers and burn alerts: frequencies are whole minutes. */
const ALERTING_TICK_MS = 10_000;

/** What a stopping server waits for: stored query specs still to be written. */
export interface ApiRoutesHandle {
  flush(): Promise<void>;
  /** Runs triggers and burn alerts; `evaluateDue()` and `idle()` let tests step it. */
  readonly alerting: AlertScheduler;
}

/** The Honeycomb-compatible query API, saved queries, boards and the UI's helper endpoints. */
export function addApiRoutes(router: HttpRouter, deps: ApiDependencies): ApiRoutesHandle {
  const savedDir = path.join(deps.config.dataDir, 'saved');
  const annotations = JsonCollectionStore.open<QueryAnnotation>(savedDir, 'query-annotations', { bounded: true });
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
  const boards = JsonCollectionStore.open<Board>(savedDir, 'boards', { bounded: true });
  const datasetSettings = JsonCollectionStore.open<DatasetSettings>(savedDir, 'dataset-settings');
  const columnSettings = JsonCollectionStore.open<ColumnSettings>(savedDir, 'column-settings');
  const markers = JsonCollectionStore.open<StoredMarker>(savedDir, 'markers', { bounded: true });
  const derivedColumns = new DerivedColumnCatalog(deps.store, JsonCollectionStore.open<StoredDerivedColumn>(savedDir, 'derived-columns', { bounded: true }));
  const calculatedFields = derivedColumns.fieldsFor.bind(derivedColumns);
  addAuthRoutes(router, deps.auth);
  addCatalogRoutes(router, deps.store, datasetSettings);
  addColumnRoutes(router, deps.store, columnSettings);
  addMarkerRoutes(router, deps.store, markers);
  const runner = new QueryRunner(deps.store, deps.queryMetrics ?? null, calculatedFields);
  addQueryRoutes(router, { store: deps.store, runner, queries, queryTimeoutMs: deps.config.queryTimeoutMs, publicUrl: deps.publicUrl, calculatedFields });
  addDerivedColumnRoutes(router, deps.store, derivedColumns);
  addAnnotationRoutes(router, annotations, queries);
  addBoardRoutes(router, boards, annotations);
  addAutocompleteRoutes(router, deps.store, calculatedFields);
  addTraceSearchRoutes(router, { store: deps.store, runner, queryTimeoutMs: deps.config.queryTimeoutMs });
  addRawEventsRoutes(router, { store: deps.store, runner, queryTimeoutMs: deps.config.queryTimeoutMs });
  addBubbleUpRoutes(router, { store: deps.store, runner: new BubbleUpRunner(deps.store, calculatedFields), queryTimeoutMs: deps.config.queryTimeoutMs, calculatedFields });
  addServiceMapRoutes(router, { store: deps.store, runner: new ServiceMapRunner(deps.store, { maxJoinedSpans: serviceMapJoinedSpans(duckDbPoolBytes(deps.config)) }), queryTimeoutMs: deps.config.queryTimeoutMs });

  const checkSpec = async (dataset: string, spec: QuerySpec): Promise<void> => {
    const selector = await resolveDataset(deps.store, dataset);
    const schema = schemaWithFields(await deps.store.querySchema(selector), spec, calculatedFields(selector), dialectOf(deps.store.capabilities));
    resolveQueryColumns(spec, schema);
    if (selector.kind === 'one') checkSpecColumnsInDataset(spec, schema, dataset);
  };
  const runAlertQuery = async (dataset: string, spec: QuerySpec, options: { readonly series?: boolean } = {}) =>
    runner.run(await resolveDataset(deps.store, dataset), spec, { disableSeries: options.series !== true, timeoutMs: deps.config.queryTimeoutMs });
  const recipients = JsonCollectionStore.open<StoredRecipient>(savedDir, 'recipients', { bounded: true });
  const triggers = JsonCollectionStore.open<StoredTrigger>(savedDir, 'triggers', { bounded: true });
  const alertStates = JsonCollectionStore.open<AlertState>(savedDir, 'alert-states');
  const slos = JsonCollectionStore.open<StoredSlo>(savedDir, 'slos', { bounded: true });
  const burnAlerts = JsonCollectionStore.open<StoredBurnAlert>(savedDir, 'burn-alerts', { bounded: true });
  const now = deps.alerting?.now ?? Date.now;
  const links = {
    queryUrl: (dataset: string, spec: QuerySpec) => deps.publicUrl() + queryUiPath(dataset, spec),
    triggerUrl: (dataset: string, id: string) => `${deps.publicUrl()}/triggers?dataset=${encodeURIComponent(dataset)}&id=${encodeURIComponent(id)}`,
    sloUrl: (dataset: string, id: string) => `${deps.publicUrl()}/slos?dataset=${encodeURIComponent(dataset)}&id=${encodeURIComponent(id)}`,
  };
  const burnAlertChecks = () =>
    burnAlerts.list().flatMap((alert) => {
      const slo = slos.get(alert.slo_id);
      return slo === undefined ? [] : [burnAlertCheck(alert, slo, runAlertQuery, links.sloUrl(slo.dataset, slo.id))];
    });
  const scheduler = new AlertScheduler({
    checks: () => [...triggers.list().map((t) => triggerCheck(t, runAlertQuery, links)), ...burnAlertChecks()],
    states: alertStates,
    recipient: (id) => recipients.get(id),
    sender: new WebhookSender({
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...(deps.alerting?.retryBaseMs === undefined ? {} : { retryBaseMs: deps.alerting.retryBaseMs }),
      onChange: () => undefined,
    }),
    now,
    log: (message) => process.stderr.write(`waggle: ${message}\n`),
  });
  const recipientUsers = (id: string): string[] => [
    ...triggers.list((t) => t.recipients.some((r) => r.id === id)).map((t) => `trigger ${t.id}`),
    ...burnAlerts.list((a) => a.recipients.some((r) => r.id === id)).map((a) => `burn alert ${a.id}`),
  ];
  addRecipientRoutes(router, recipients, recipientUsers);
  addSloRoutes(router, {
    slos,
    burnAlerts,
    recipients,
    scheduler,
    datasetKey: (dataset) => derivedColumns.datasetKey(dataset),
    calculatedFieldType: async (dataset, alias) => {
      const selector = await resolveDataset(deps.store, dataset);
      const fields = calculatedFields(selector);
      if (!fields.some((f) => f.name === alias)) return undefined;
      return schemaWithFields(await deps.store.querySchema(selector), undefined, fields, dialectOf(deps.store.capabilities)).column(alias)?.type;
    },
    run: runAlertQuery,
    now,
  });
  addTriggerRoutes(router, {
    triggers,
    recipients,
    scheduler,
    datasetKey: (dataset) => derivedColumns.datasetKey(dataset),
    checkSpec,
    storedQuery: (id) => {
      const stored = queries.get(id);
      return stored === undefined ? undefined : { dataset: stored.dataset, sent: { ...(stored.sent ?? stored.spec) } };
    },
  });
  if (deps.alerting?.autoRun !== false) scheduler.start(ALERTING_TICK_MS);
  return {
    flush: async () => {
      await scheduler.stop();
      await queries.flush();
    },
    alerting: scheduler,
  };
}
