import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';
import { WaggleError } from '../core/errors.js';
import { WAL_LIMITS } from '../core/limits/wal-limits.js';
import { answerOtlpAuthError, authenticateRequest, keyFromHeaders, principalOf, type HttpAuth } from '../api/auth-middleware.js';
import { ApiKeyStore } from '../auth/api-key-store.js';
import { startupRefusal } from '../auth/auth-mode.js';
import { requireDatasetCreation, RequestAuthorizer, type Principal } from '../auth/request-authorizer.js';
import { requirementFor, UNLISTED_ROUTE_NEEDS, type RouteRequirement } from '../auth/route-permissions.js';
import { SessionTable } from '../auth/session-table.js';
import { applyIngestCors } from '../api/cors-policy.js';
import { checkRequestHost, checkStateChangingRequest, type BrowserGuardPolicy } from '../api/browser-request-guard.js';
import { HostAllowList } from '../api/host-allow-list.js';
import { answerClientError } from '../api/http-client-error.js';
import { sendJson } from '../api/http-io.js';
import { HttpRouter } from '../api/http-router.js';
import { requestBoundary } from '../api/request-boundary.js';
import { parseRequestTarget } from '../api/request-target.js';
import { addTraceRoutes } from '../api/trace-routes.js';
import { packageRoot, serveWebUi } from '../api/web-ui-static.js';
import { addHoneycombEventRoutes } from '../ingest/honeycomb-http-receiver.js';
import { IngestService } from '../ingest/ingest-service.js';
import { startOtlpGrpcReceiver } from '../ingest/otlp-grpc-receiver.js';
import { handleOtlpHttpExport } from '../ingest/otlp-http-receiver.js';
import { OTLP_HTTP_PATHS, OTLP_SIGNALS, type OtlpSignal } from '../ingest/otlp-signals.js';
import { WalWriteError } from '../ingest/wal/wal-write-error.js';
import { walDirectoryOf, WriteAheadLog } from '../ingest/wal/write-ahead-log.js';
import { openSpanStore } from './span-store-factory.js';
import type { QueryAdmissionObserver } from '../query/query-admission.js';
import type { SpanStore } from '../store/span-store.js';
import type { Readiness } from '../ingest/write-readiness.js';
import { UNMATCHED_ROUTE } from '../observability/http-metrics.js';
import { WaggleMetrics } from '../observability/waggle-metrics.js';
import { ProcessMemoryBudget } from '../observability/process-memory-budget.js';
import { waggleReadiness } from '../observability/waggle-readiness.js';
import { createLogger, type Logger } from '../observability/waggle-logger.js';
import type { AlertScheduler } from '../alerting/alert-scheduler.js';
import { addApiRoutes, type AlertingOptions } from './api-routes.js';
import { resolveConfig, type WaggleConfig } from './waggle-config.js';

export interface RunningWaggle {
  readonly config: WaggleConfig;
  readonly ports: { http: number; otlpHttp: number; otlpGrpc: number };
  readonly store: SpanStore;
  readonly ingest: IngestService;
  /** Every HTTP route served (main and OTLP ports), e.g. to check each has a permission. */
  readonly routes: readonly { method: string; pattern: string }[];
  readonly metrics: WaggleMetrics;
  /** The trigger and burn-alert scheduler (tests step it with evaluateDue()). */
  readonly alerting: AlertScheduler;
  /** Stops accepting, finishes in-flight requests, commits, checkpoints. */
  stop(): Promise<void>;
}

/** A startup failure with a message meant for the person who started Waggle. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

function checkDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    const probe = path.join(dir, '.write-probe');
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    throw new StartupError(`data directory '${dir}' is not writable (WAGGLE_DATA_DIR / --data-dir): ${(error as Error).message}`);
  }
}

function openWriteAheadLog(dir: string, committed: bigint, sync: boolean): ReturnType<typeof WriteAheadLog.open> {
  try {
    return WriteAheadLog.open(dir, committed, { sync, maxFileBytes: WAL_LIMITS.walFileBytes.value });
  } catch (error) {
    if (error instanceof WalWriteError) throw new StartupError(`${error.message}${error.diskFull ? ' (the disk is full)' : ''}`);
    throw error;
  }
}

function listen(server: http.Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`${what} port ${port} on ${host} is already in use`));
      else if (error.code === 'EACCES') reject(new StartupError(`no permission to listen on ${what} port ${port} on ${host}`));
      else reject(new StartupError(`cannot listen on ${what} port ${port} on ${host}: ${error.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function createHttpServer(handler: http.RequestListener): http.Server {
  const server = http.createServer(
    {
      requestTimeout: HTTP_LIMITS.requestTimeoutMs.value,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs.value,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs.value,
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes.value,
      // Checked by the handler instead, so that the 400 has a JSON body like every other error.
      requireHostHeader: false,
    },
    handler,
  );
  server.on('clientError', answerClientError);
  return server;
}

async function closeHttpServer(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  });
}

/** Counts a refused key (missing, unknown, or lacking a permission) by its error code. */
/**
 * OTLP spans name their dataset by service.name: once decoded, a dataset that does not exist yet
 * needs create_datasets too, as one named in x-honeycomb-dataset does (403 for the request).
 */
function datasetCreationCheck(principal: Principal | null, store: SpanStore, metrics: WaggleMetrics): ((datasets: ReadonlySet<string>) => void) | undefined {
  if (principal === null || principal.permissions.has('create_datasets')) return undefined;
  return (datasets) => {
    try {
      for (const dataset of datasets) requireDatasetCreation(principal, dataset, (name) => store.findDataset(name) !== undefined);
    } catch (error) {
      recordAuthFailure(metrics, error);
      throw error;
    }
  };
}

function recordAuthFailure(metrics: WaggleMetrics, error: unknown): void {
  if (error instanceof WaggleError && (error.code === 'unauthenticated' || error.code === 'forbidden')) metrics.auth.recordAuthFailure(error.code);
}

/** What a caller can learn while Waggle starts, and how it logs. */
export interface StartHooks {
  /**
   * Called once every listener is up, before the WAL replay ends: /healthz, /readyz, /metrics
   * and queries answer from then on (ingest answers 503 until the replay is done).
   */
  onListening?: (ports: RunningWaggle['ports']) => void;
  /** Where log lines go; by default stderr in config.logFormat. */
  logger?: Logger;
  /** The alerting scheduler's clock and pace (tests). */
  alerting?: AlertingOptions;
  /** Tests only: DuckDB settings that make the database fail (DuckDbStoreOptions.faultInjectionSettings). */
  storeFaultInjection?: Readonly<Record<string, string>>;
  /** Tests only: a shorter memory.refuseIngestGraceMs. */
  memoryRefuseIngestGraceMs?: number;
  /** Tests only: a shorter memory.compactionIngestQuietMs. */
  memoryCompactionIngestQuietMs?: number;
}

/**
 * Starts Waggle: store, WAL, listeners, then the replay of what was acknowledged but not yet
 * committed; resolves once the replay is done (ready, unless the disk is full).
 */
export async function startWaggleServer(overrides: Partial<WaggleConfig> = {}, hooks: StartHooks = {}): Promise<RunningWaggle> {
  const config: WaggleConfig = { ...resolveConfig({}, []), ...overrides };
  const logger = hooks.logger ?? createLogger(config.logFormat);
  checkDataDir(config.dataDir);
  let keys: ApiKeyStore;
  try {
    keys = ApiKeyStore.open(config.dataDir);
  } catch (error) {
    throw new StartupError(`cannot read the API keys in ${path.join(config.dataDir, 'auth', 'keys.json')}: ${(error as Error).message}`);
  }
  const refusal = startupRefusal(config.authMode, config.host, keys.count(), config.dataDir);
  if (refusal !== null) throw new StartupError(refusal);
  if (config.authMode === 'off') logger.warn('warning: WAGGLE_AUTH=off: no API key is checked; anyone who reaches Waggle can read and write everything');
  const authorizer = new RequestAuthorizer(keys, new SessionTable(), config.authMode, config.host);
  // The metrics need the store, the store's query slots report to the metrics: bound once both exist.
  let metricsRef: WaggleMetrics | null = null;
  const queryAdmissionObserver: QueryAdmissionObserver = {
    queued: () => metricsRef?.queries.recordQueryQueued(),
    dequeued: (waitSeconds) => metricsRef?.queries.recordQueryDequeued(waitSeconds),
    rejected: () => metricsRef?.queries.recordQueryRejected(),
  };
  // One budget for the whole process (RSS): ingest and compaction ask it before adding memory.
  const memoryBudget = new ProcessMemoryBudget({
    budgetBytes: config.maxMemoryBytes,
    log: (message) => logger.warn(message),
    ...(hooks.memoryRefuseIngestGraceMs === undefined ? {} : { refuseIngestGraceMs: hooks.memoryRefuseIngestGraceMs }),
    ...(hooks.memoryCompactionIngestQuietMs === undefined ? {} : { compactionIngestQuietMs: hooks.memoryCompactionIngestQuietMs }),
  });
  const { store, batchEvents } = await openSpanStore(config, (message: string) => logger.warn(message), queryAdmissionObserver, hooks.storeFaultInjection, () => memoryBudget.compactionMayStart()).catch((error: unknown) => {
    // What the operator must fix (an unreachable ClickHouse, a damaged writer id file), said in one line.
    throw new StartupError(`cannot open the ${config.store} store: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  const committed = await store.committedWalPosition();
  const walDir = walDirectoryOf(config.dataDir);
  const { wal, replay, recovery } = openWriteAheadLog(walDir, committed, config.walSync);
  if (recovery.skippedBytes > 0) logger.warn(`write-ahead log: skipped ${recovery.skippedBytes} damaged bytes and kept every intact record after them`, { skippedBytes: recovery.skippedBytes });
  let listening = false;
  let ingest: IngestService | null = null;
  const readiness = (): Readiness => waggleReadiness(listening, ingest?.readiness() ?? { ready: false, reason: 'starting' }, store.health());
  const metrics = new WaggleMetrics({ store, dataDir: config.dataDir, walDir, ready: () => readiness().ready, memory: memoryBudget });
  metricsRef = metrics;
  const ingestService = new IngestService(wal, store, {
    maxBodyBytes: config.maxBodyBytes,
    // Back-pressure (503 + Retry-After) beyond 4 queued row groups, about 2-3 s of commits on this
    // machine: keeps acknowledged spans close to the freshness promise, and the heap bounded.
    maxPendingEvents: 4 * batchEvents,
    flushIntervalMs: config.flushIntervalMs,
    storeBatchEvents: batchEvents,
    memory: memoryBudget,
  }, logger, config.dataDir, { ingest: metrics.ingest, store: metrics.store });
  ingest = ingestService;
  // Started before the listeners, so that no request can be queued ahead of the replayed ones:
  // ingest refuses (503) from this call until the replay is done.
  if (replay.length > 0) logger.info(`replaying ${replay.length} acknowledged requests from the write-ahead log; ingest answers 503 until done`, { requests: replay.length });
  const replayStartedAt = performance.now();
  const replaying = replay.length > 0 ? ingestService.replay(replay) : Promise.resolve(0);

  const otlpRoutes = new HttpRouter();
  const otlpHandler =
    (signal: OtlpSignal) =>
    async ({ req, res }: { req: http.IncomingMessage; res: http.ServerResponse }): Promise<void> =>
      handleOtlpHttpExport(signal, req, res, ingestService, config.maxBodyBytes, datasetCreationCheck(principalOf(req), store, metrics));
  for (const signal of Object.keys(OTLP_SIGNALS) as OtlpSignal[]) otlpRoutes.add('POST', OTLP_SIGNALS[signal].httpPath, otlpHandler(signal));
  addHoneycombEventRoutes(otlpRoutes, ingestService);

  let httpPort = config.port;
  // Known once every listener is up (the configured ports may be 0: any free one).
  let listeningPorts: RunningWaggle['ports'] | null = null;
  const publicUrl = (): string => (config.publicUrl !== '' ? config.publicUrl : `http://localhost:${httpPort}`);
  const mainRoutes = new HttpRouter();
  for (const signal of Object.keys(OTLP_SIGNALS) as OtlpSignal[]) mainRoutes.add('POST', OTLP_SIGNALS[signal].httpPath, otlpHandler(signal));
  addHoneycombEventRoutes(mainRoutes, ingestService);
  addTraceRoutes(mainRoutes, store);
  const api = addApiRoutes(mainRoutes, { store, config, publicUrl, queryMetrics: metrics.queries, auth: { authorizer, secureCookies: () => publicUrl().startsWith('https:'), ingestPorts: () => listeningPorts }, ...(hooks.alerting === undefined ? {} : { alerting: hooks.alerting }) });
  const httpAuth: HttpAuth = { authorizer, datasetExists: (name) => store.findDataset(name) !== undefined };
  // Liveness: 200 whenever the process answers, saying whether it is ready and why not.
  const healthz = async ({ res }: { res: http.ServerResponse }): Promise<void> => {
    const state = readiness();
    sendJson(res, 200, state.ready ? { status: 'ok', ready: true } : { status: 'ok', ready: false, reason: state.reason });
  };
  // Readiness: can ingest and query now (not while starting, replaying the WAL, with a full disk,
  // or while commits keep failing); 503 with the reason otherwise.
  const readyz = async ({ res }: { res: http.ServerResponse }): Promise<void> => {
    const state = readiness();
    if (state.ready) sendJson(res, 200, { status: 'ok' });
    else sendJson(res, 503, { status: 'not_ready', reason: state.reason });
  };
  for (const router of [mainRoutes, otlpRoutes]) {
    router.add('GET', '/healthz', healthz);
    router.add('GET', '/readyz', readyz);
  }
  mainRoutes.add('GET', '/metrics', async ({ res }) => {
    const { contentType, body } = await metrics.render();
    const bytes = Buffer.from(body);
    res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length, 'cache-control': 'no-store' });
    res.end(bytes);
  });

  const uiRoot = path.join(packageRoot(), 'web', 'dist');
  const guard: BrowserGuardPolicy = {
    allowedHosts: new HostAllowList(config.allowedHosts, config.host, config.publicUrl),
    get publicOrigin() {
      return new URL(publicUrl()).origin;
    },
  };
  // Prometheus scrapes by IP or service name, health checks use any name: no Host check for these.
  const anyHostPaths = new Set(['/healthz', '/readyz', '/metrics']);
  const handlerFor = (router: HttpRouter, servesUi: boolean): http.RequestListener =>
    requestBoundary(async (req, res, scope) => {
      const url = parseRequestTarget(req.url);
      const isIngest = OTLP_HTTP_PATHS.has(url.pathname) || url.pathname.startsWith('/1/events/') || url.pathname.startsWith('/1/batch/');
      if (isIngest && applyIngestCors(req, res, config.corsOrigins)) return;
      const isApi = !isIngest && (url.pathname.startsWith('/1/') || url.pathname.startsWith('/api/'));
      // Collectors in containers reach ingest as `waggle:4318`, and health checks use any name.
      if (servesUi && !isIngest && !anyHostPaths.has(url.pathname)) checkRequestHost(req, guard);
      if (isApi) checkStateChangingRequest(req, url.pathname, guard);
      const match = router.match(req.method ?? 'GET', url.pathname);
      if (match) scope.route = match.pattern;
      if (isIngest || isApi) {
        // A route the router serves needs what the table says (fail closed when it forgot one);
        // an unknown path needs a key before it learns that it is unknown.
        const needs: RouteRequirement = match && 'handler' in match ? (requirementFor(req.method ?? 'GET', url.pathname) ?? UNLISTED_ROUTE_NEEDS) : 'any_key';
        try {
          await authenticateRequest(req, res, url.pathname, needs, httpAuth);
        } catch (error) {
          recordAuthFailure(metrics, error);
          if (OTLP_HTTP_PATHS.has(url.pathname)) {
            answerOtlpAuthError(req, res, error);
            return;
          }
          throw error;
        }
      }
      if (match && 'handler' in match) {
        await match.handler({ req, res, params: match.params, url });
        return;
      }
      if (match && 'allowed' in match) {
        sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}; use ${match.allowed.join(', ')}` }, { allow: match.allowed.join(', ') });
        return;
      }
      if (servesUi && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/1/') && serveWebUi(req, res, url, uiRoot)) return;
      sendJson(res, 404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
    }, logger, (method, route, status, seconds) => metrics.http.observe(servesUi ? 'main' : 'otlp_http', method, route, status, seconds), UNMATCHED_ROUTE);

  const mainServer = createHttpServer(handlerFor(mainRoutes, true));
  const otlpServer = createHttpServer(handlerFor(otlpRoutes, false));
  let grpc: { port: number; stop: () => Promise<void> } | null = null;
  try {
    httpPort = await listen(mainServer, config.host, config.port, 'main (WAGGLE_PORT)');
    const otlpHttpPort = await listen(otlpServer, config.host, config.otlpHttpPort, 'OTLP/HTTP (WAGGLE_OTLP_HTTP_PORT)');
    try {
      grpc = await startOtlpGrpcReceiver(config.host, config.otlpGrpcPort, ingestService, config.maxBodyBytes, undefined, async (header) => {
        try {
          const principal = await authorizer.authorize({ key: keyFromHeaders(header('x-honeycomb-team'), header('authorization')), sessionId: undefined }, 'send_events');
          requireDatasetCreation(principal, header('x-honeycomb-dataset')?.trim(), (name) => store.findDataset(name) !== undefined);
          return datasetCreationCheck(principal, store, metrics);
        } catch (error) {
          recordAuthFailure(metrics, error);
          throw error;
        }
      });
    } catch (error) {
      throw new StartupError(`cannot listen on OTLP/gRPC (WAGGLE_OTLP_GRPC_PORT) port ${config.otlpGrpcPort} on ${config.host}: ${(error as Error).message}`);
    }
    listening = true;
    const ports = { http: httpPort, otlpHttp: otlpHttpPort, otlpGrpc: grpc.port };
    listeningPorts = ports;
    hooks.onListening?.(ports);
    const replayedEvents = await replaying;
    if (replay.length > 0) {
      logger.info(`replayed ${replay.length} acknowledged requests (${replayedEvents} events) from the write-ahead log`, {
        requests: replay.length,
        events: replayedEvents,
        seconds: Number(((performance.now() - replayStartedAt) / 1000).toFixed(3)),
      });
    }
    ingestService.start();
    memoryBudget.start();
    let stopping: Promise<void> | null = null;
    const grpcServer = grpc;
    return {
      config,
      ports,
      store,
      ingest: ingestService,
      routes: [...mainRoutes.routes(), ...otlpRoutes.routes()],
      metrics,
      alerting: api.alerting,
      stop: () => {
        stopping ??= (async () => {
          listening = false;
          memoryBudget.stop();
          await Promise.all([closeHttpServer(mainServer), closeHttpServer(otlpServer), grpcServer.stop()]);
          await api.flush();
          await ingestService.stop();
          await store.close();
          keys.flush();
        })();
        return stopping;
      },
    };
  } catch (error) {
    memoryBudget.stop();
    mainServer.close();
    otlpServer.close();
    if (grpc) await grpc.stop();
    await replaying.catch(() => undefined);
    await ingestService.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
