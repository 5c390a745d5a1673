/**
 * Starts the whole demo: Waggle in this process, then each demo service in a process of its own
 * (its own OpenTelemetry SDK and service.name), and stops it all in the right order.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWaggleServer, type RunningWaggle, type StartHooks } from '../src/server/waggle-server.js';
import type { WaggleConfig } from '../src/server/waggle-config.js';
import type { DemoConfig } from './demo-config.js';
import { createDemoKeys, type DemoKeys } from './demo-keys.js';
import { BROWSER_SERVICE_NAME } from './frontend/browser-service-name.js';
import { isServiceReadyMessage } from './services/service-runtime.js';

export interface DemoSystemOptions {
  waggle: WaggleConfig;
  demo: DemoConfig;
  /** Receives the services' output lines, prefixed with their name; default: this process's stderr. */
  log?: (line: string) => void;
  /** Passed to Waggle's server (tests: the alerting scheduler's clock). */
  hooks?: StartHooks;
}

export interface RunningDemo {
  readonly waggle: RunningWaggle;
  /** Where a browser on this machine reaches each part. */
  readonly urls: { demo: string; api: string; waggle: string; otlpHttp: string };
  /** The API keys the demo created: services and browser send with theirs; `admin` signs in to the UI. */
  readonly keys: DemoKeys;
  /** Stops the traffic, then the services (each flushes its spans), then Waggle. */
  stop(): Promise<void>;
}

type ServiceKind = 'auth' | 'data' | 'api' | 'frontend' | 'traffic';

interface StartedService {
  kind: ServiceKind;
  child: ChildProcess;
  port: number | null;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** A wildcard bind address is not an address to connect to. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function urlOf(host: string, port: number): string {
  const h = connectHost(host);
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** The service entry: compiled JavaScript, or the TypeScript source when running under tsx. */
function serviceEntry(): { file: string; execArgv: string[] } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const js = path.join(here, 'services', 'service-process.js');
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(here, 'services', 'service-process.ts'), execArgv: ['--import', 'tsx'] };
}

function forward(stream: NodeJS.ReadableStream | null, prefix: string, log: (line: string) => void): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') log(`[${prefix}] ${line}`);
  });
}

function startService(kind: ServiceKind, env: Record<string, string>, log: (line: string) => void): Promise<StartedService> {
  const entry = serviceEntry();
  const child = fork(entry.file, [kind], {
    execArgv: entry.execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  forward(child.stdout, `demo-${kind}`, log);
  forward(child.stderr, `demo-${kind}`, log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo service ${kind} did not start within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`demo service ${kind} exited with code ${code} before it was ready (see its output above)`));
    };
    child.once('exit', onExit);
    child.on('message', (message: unknown) => {
      if (!isServiceReadyMessage(message)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ kind, child, port: message.port });
    });
  });
}

function stopService(service: StartedService): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function createBrowserDataset(waggleUrl: string, key: string): Promise<void> {
  const response = await fetch(`${waggleUrl}/1/datasets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-honeycomb-team': key },
    body: JSON.stringify({ name: BROWSER_SERVICE_NAME }),
  });
  if (!response.ok) throw new Error(`creating the dataset ${BROWSER_SERVICE_NAME} answered ${response.status}: ${await response.text()}`);
}

export async function startDemo(options: DemoSystemOptions): Promise<RunningDemo> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { demo } = options;
  // Keys first: with one in the data directory, Waggle (WAGGLE_AUTH=auto) checks them from the start.
  const keys = await createDemoKeys(options.waggle.dataDir);
  const waggle = await startWaggleServer(options.waggle, options.hooks ?? {});
  const started: StartedService[] = [];
  const stopAll = async (): Promise<void> => {
    const traffic = started.filter((s) => s.kind === 'traffic');
    await Promise.all(traffic.map(stopService));
    await Promise.all(started.filter((s) => s.kind !== 'traffic').map(stopService));
    await waggle.stop();
  };

  try {
    // The page's key may only send events, not create datasets: its dataset is made here first.
    await createBrowserDataset(urlOf(waggle.config.host, waggle.ports.http), keys.services);
    const otlpHttp = urlOf(waggle.config.host, waggle.ports.otlpHttp);
    const common = {
      DEMO_OTLP_ENDPOINT: otlpHttp,
      DEMO_WAGGLE_KEY: keys.services,
      DEMO_SERVICE_HOST: demo.host,
      // Export every second (the SDK's default is 5 s) so a click shows up in Waggle at once.
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    };
    const launch = async (kind: ServiceKind, port: number, env: Record<string, string> = {}): Promise<StartedService> => {
      const service = await startService(kind, { ...common, PORT: String(port), ...env }, log);
      started.push(service);
      return service;
    };
    const [auth, data] = await Promise.all([launch('auth', demo.authPort), launch('data', demo.dataPort, { DEMO_ORDER_FAILURE_RATE: String(demo.orderFailureRate) })]);
    const api = await launch('api', demo.apiPort, {
      DEMO_AUTH_URL: urlOf(demo.host, auth.port ?? 0),
      DEMO_DATA_URL: urlOf(demo.host, data.port ?? 0),
    });
    const apiUrl = urlOf(demo.host, api.port ?? 0);
    const frontend = await launch('frontend', demo.demoPort, {
      DEMO_API_PORT: String(api.port),
      DEMO_OTLP_HTTP_PORT: String(waggle.ports.otlpHttp),
      DEMO_WAGGLE_PORT: String(waggle.ports.http),
      DEMO_BROWSER_KEY: keys.browser,
    });
    if (demo.traffic) {
      await launch('traffic', 0, { DEMO_API_URL: apiUrl, DEMO_TRAFFIC_INTERVAL_MS: String(demo.trafficIntervalMs) });
    }
    let stopping: Promise<void> | undefined;
    return {
      waggle,
      keys,
      urls: {
        demo: urlOf(demo.host, frontend.port ?? 0),
        api: apiUrl,
        waggle: urlOf(waggle.config.host, waggle.ports.http),
        otlpHttp,
      },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
