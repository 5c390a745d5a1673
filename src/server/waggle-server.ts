import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';
import { WaggleError } from '../core/errors.js';
import { WAL_LIMITS } from '../core/limits/wal-limits.js';
import { authenticateRequest } from '../api/auth-middleware.js';
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
import { handleOtlpHttpTraces } from '../ingest/otlp-http-receiver.js';
import { WalWriteError } from '../ingest/wal/wal-write-error.js';
import { WriteAheadLog } from '../ingest/wal/write-ahead-log.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../store/duckdb/duckdb-span-store.js';
import type { SpanStore } from '../store/span-store.js';
import { addApiRoutes } from './api-routes.js';
import { resolveConfig, type WaggleConfig } from './waggle-config.js';

export interface RunningWaggle {
  readonly config: WaggleConfig;
  readonly ports: { http: number; otlpHttp: number; otlpGrpc: number };
  readonly store: SpanStore;
  readonly ingest: IngestService;
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

/** Starts Waggle: store, WAL (replaying what was not yet committed), receivers, API and UI. */
export async function startWaggleServer(overrides: Partial<WaggleConfig> = {}): Promise<RunningWaggle> {
  const config: WaggleConfig = { ...resolveConfig({}, []), ...overrides };
  const log = (message: string): void => {
    process.stderr.write(`waggle: ${message}\n`);
  };
  checkDataDir(config.dataDir);
  const storeOptions = {
    ...DEFAULT_DUCKDB_STORE_OPTIONS,
    dataDir: config.dataDir,
    memoryLimit: config.memoryLimit,
    retentionNs: config.retentionNs,
    maxDiskBytes: config.maxDiskBytes,
    log,
  };
  const store = await DuckDbSpanStore.open(storeOptions);
  const committed = await store.committedWalPosition();
  const { wal, replay, recovery } = openWriteAheadLog(path.join(config.dataDir, 'wal'), committed, config.walSync);
  if (recovery.skippedBytes > 0) log(`write-ahead log: skipped ${recovery.skippedBytes} damaged bytes and kept every intact record after them`);
  const ingest = new IngestService(wal, store, {
    maxBodyBytes: config.maxBodyBytes,
    // Back-pressure (503 + Retry-After) beyond 4 queued row groups, about 2-3 s of commits on this
    // machine: keeps acknowledged spans close to the freshness promise, and the heap bounded.
    maxPendingEvents: 4 * storeOptions.rowGroupSize,
    flushIntervalMs: config.flushIntervalMs,
    storeBatchEvents: storeOptions.rowGroupSize,
  }, log, config.dataDir);
  if (replay.length > 0) {
    const replayed = await ingest.replay(replay);
    log(`replayed ${replay.length} acknowledged requests (${replayed} events) from the write-ahead log`);
  }
  ingest.start();

  const otlpRoutes = new HttpRouter();
  const traceHandler = async ({ req, res }: { req: http.IncomingMessage; res: http.ServerResponse }): Promise<void> =>
    handleOtlpHttpTraces(req, res, ingest, config.maxBodyBytes);
  otlpRoutes.add('POST', '/v1/traces', traceHandler);
  addHoneycombEventRoutes(otlpRoutes, ingest);

  let httpPort = config.port;
  const publicUrl = (): string => (config.publicUrl !== '' ? config.publicUrl : `http://localhost:${httpPort}`);
  const mainRoutes = new HttpRouter();
  mainRoutes.add('POST', '/v1/traces', traceHandler);
  addHoneycombEventRoutes(mainRoutes, ingest);
  addTraceRoutes(mainRoutes, store);
  addApiRoutes(mainRoutes, { store, config, publicUrl });
  let ready = false;
  // Readiness: started, and writes succeed (not while the disk is full). /healthz says the same
  // for now; it is meant to become liveness only.
  const health = async ({ res }: { res: http.ServerResponse }): Promise<void> => {
    const writes = ingest.readiness();
    if (!ready) sendJson(res, 503, { status: 'starting' });
    else if (!writes.ready) sendJson(res, 503, { status: 'not_ready', reason: writes.reason });
    else sendJson(res, 200, { status: 'ok' });
  };
  for (const router of [mainRoutes, otlpRoutes]) {
    router.add('GET', '/healthz', health);
    router.add('GET', '/readyz', health);
  }

  const uiRoot = path.join(packageRoot(), 'web', 'dist');
  const guard: BrowserGuardPolicy = {
    allowedHosts: new HostAllowList(config.allowedHosts, config.host, config.publicUrl),
    get publicOrigin() {
      return new URL(publicUrl()).origin;
    },
  };
  const handlerFor = (router: HttpRouter, servesUi: boolean): http.RequestListener =>
    requestBoundary(async (req, res) => {
      const url = parseRequestTarget(req.url);
      const isIngest = url.pathname === '/v1/traces' || url.pathname.startsWith('/1/events/') || url.pathname.startsWith('/1/batch/');
      if (isIngest && applyIngestCors(req, res, config.corsOrigins)) return;
      const isApi = !isIngest && (url.pathname.startsWith('/1/') || url.pathname.startsWith('/api/'));
      // Collectors in containers reach ingest as `waggle:4318`, and health checks use any name.
      if (servesUi && !isIngest && url.pathname !== '/healthz' && url.pathname !== '/readyz') checkRequestHost(req, guard);
      if (isApi) {
        checkStateChangingRequest(req, url.pathname, guard);
        authenticateRequest(req);
      }
      const match = router.match(req.method ?? 'GET', url.pathname);
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
    }, log);

  const mainServer = createHttpServer(handlerFor(mainRoutes, true));
  const otlpServer = createHttpServer(handlerFor(otlpRoutes, false));
  let grpc: { port: number; stop: () => Promise<void> } | null = null;
  try {
    httpPort = await listen(mainServer, config.host, config.port, 'main (WAGGLE_PORT)');
    const otlpHttpPort = await listen(otlpServer, config.host, config.otlpHttpPort, 'OTLP/HTTP (WAGGLE_OTLP_HTTP_PORT)');
    try {
      grpc = await startOtlpGrpcReceiver(config.host, config.otlpGrpcPort, ingest, config.maxBodyBytes);
    } catch (error) {
      throw new StartupError(`cannot listen on OTLP/gRPC (WAGGLE_OTLP_GRPC_PORT) port ${config.otlpGrpcPort} on ${config.host}: ${(error as Error).message}`);
    }
    ready = true;
    let stopping: Promise<void> | null = null;
    const grpcServer = grpc;
    return {
      config,
      ports: { http: httpPort, otlpHttp: otlpHttpPort, otlpGrpc: grpcServer.port },
      store,
      ingest,
      stop: () => {
        stopping ??= (async () => {
          ready = false;
          await Promise.all([closeHttpServer(mainServer), closeHttpServer(otlpServer), grpcServer.stop()]);
          await ingest.stop();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    mainServer.close();
    otlpServer.close();
    if (grpc) await grpc.stop();
    await ingest.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
