/** The demo's own settings, from WAGGLE_DEMO_* variables (Waggle's come from WAGGLE_*, as for `waggle serve`). */
export interface DemoConfig {
  /** The browser frontend: http://localhost:<demoPort>. */
  demoPort: number;
  apiPort: number;
  authPort: number;
  dataPort: number;
  /** Where the demo services listen (the page is reached on the same host name as the browser used). */
  host: string;
  /** Whether the traffic generator runs. */
  traffic: boolean;
  /** Mean pause between two synthetic requests of the traffic generator. */
  trafficIntervalMs: number;
  /** The share of orders (0 to 1) the data service fails with a simulated write conflict. */
  orderFailureRate: number;
}

interface PortDef {
  key: 'demoPort' | 'apiPort' | 'authPort' | 'dataPort';
  env: string;
  fallback: number;
}

const PORTS: readonly PortDef[] = [
  { key: 'demoPort', env: 'WAGGLE_DEMO_PORT', fallback: 3000 },
  { key: 'apiPort', env: 'WAGGLE_DEMO_API_PORT', fallback: 3001 },
  { key: 'authPort', env: 'WAGGLE_DEMO_AUTH_PORT', fallback: 3002 },
  { key: 'dataPort', env: 'WAGGLE_DEMO_DATA_PORT', fallback: 3003 },
];

/** Names and defaults of the demo's variables, for --help style output and the docs. */
export const DEMO_ENV_VARS: ReadonlyArray<{ env: string; fallback: string }> = [
  ...PORTS.map((p) => ({ env: p.env, fallback: String(p.fallback) })),
  { env: 'WAGGLE_DEMO_HOST', fallback: '127.0.0.1' },
  { env: 'WAGGLE_DEMO_TRAFFIC', fallback: 'true' },
  { env: 'WAGGLE_DEMO_TRAFFIC_INTERVAL_MS', fallback: '700' },
  { env: 'WAGGLE_DEMO_ORDER_FAILURE_RATE', fallback: '0.04' },
];

function parsePort(env: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`${env} must be a port number 0-65535, got '${raw}'`);
  return Number(raw);
}

/** Port 0 means "any free port" (tests use it). Throws an Error naming the variable on a bad value. */
export function resolveDemoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const ports = {} as Record<PortDef['key'], number>;
  for (const def of PORTS) {
    const raw = value(def.env);
    ports[def.key] = raw === undefined ? def.fallback : parsePort(def.env, raw);
  }
  const trafficRaw = (value('WAGGLE_DEMO_TRAFFIC') ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(trafficRaw)) {
    throw new Error(`WAGGLE_DEMO_TRAFFIC must be true or false, got '${trafficRaw}'`);
  }
  const intervalRaw = value('WAGGLE_DEMO_TRAFFIC_INTERVAL_MS') ?? '700';
  if (!/^\d+$/.test(intervalRaw) || Number(intervalRaw) < 10) {
    throw new Error(`WAGGLE_DEMO_TRAFFIC_INTERVAL_MS must be an integer of at least 10, got '${intervalRaw}'`);
  }
  const failureRaw = value('WAGGLE_DEMO_ORDER_FAILURE_RATE') ?? '0.04';
  const failureRate = Number(failureRaw);
  if (!/^\d+(\.\d+)?$/.test(failureRaw) || failureRate > 1) {
    throw new Error(`WAGGLE_DEMO_ORDER_FAILURE_RATE must be a share between 0 and 1, got '${failureRaw}'`);
  }
  return {
    ...ports,
    host: value('WAGGLE_DEMO_HOST') ?? '127.0.0.1',
    traffic: ['true', '1', 'yes', 'on'].includes(trafficRaw),
    trafficIntervalMs: Number(intervalRaw),
    orderFailureRate: failureRate,
  };
}
