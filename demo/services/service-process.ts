/**
 * Entry of every demo service process: `service-process.js <auth|data|api|frontend|traffic>`.
 * Each process has its own OpenTelemetry SDK and service.name, as separate deployments would.
 * Tracing starts before the service's modules are imported, so http and express get instrumented.
 */
import { startWaggleTracing } from '../../packages/node/src/index.js';
import { startProcessGauges } from './demo-telemetry.js';
import { superviseService, type DemoService } from './service-runtime.js';

interface ServiceEntry {
  serviceName: string;
  start: () => Promise<DemoService>;
}

// Loaded lazily: importing them statically would load express before the SDK patches it.
const SERVICES: Readonly<Record<string, ServiceEntry>> = {
  auth: { serviceName: 'demo-auth', start: async () => (await import('./auth-app.js')).startAuthService() },
  data: { serviceName: 'demo-data', start: async () => (await import('./data-app.js')).startDataService() },
  api: { serviceName: 'demo-api', start: async () => (await import('./api-app.js')).startApiService() },
  frontend: { serviceName: 'demo-frontend', start: async () => (await import('./frontend-app.js')).startFrontendService() },
  traffic: { serviceName: 'demo-traffic', start: async () => (await import('./traffic-app.js')).startTrafficService() },
};

const kind = process.argv[2] ?? '';
const entry = SERVICES[kind];
if (entry === undefined) {
  process.stderr.write(`unknown demo service '${kind}'; one of: ${Object.keys(SERVICES).join(', ')}\n`);
  process.exit(2);
}

const endpoint = process.env['DEMO_OTLP_ENDPOINT'];
const key = process.env['DEMO_WAGGLE_KEY'];
const tracing = startWaggleTracing({
  // Honeycomb's header: the same set-up works against Honeycomb with a Honeycomb key.
  ...(key !== undefined ? { headers: { 'x-honeycomb-team': key } } : {}),
  serviceName: entry.serviceName,
  serviceVersion: '1.0.0',
  ...(endpoint !== undefined ? { endpoint } : {}),
  resourceAttributes: { 'deployment.environment.name': 'demo' },
  // The browser sends both in baggage; every backend span then carries them.
  baggageAttributes: ['user.id', 'session.id'],
  // Logs (structured, with trace context) and metrics (every 10 s) go to Waggle too.
  exportLogs: true,
  exportMetrics: { intervalMs: 10_000 },
});
startProcessGauges();
try {
  superviseService(entry.serviceName, await entry.start(), tracing);
} catch (error) {
  process.stderr.write(`${entry.serviceName}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await tracing.shutdown().catch(() => undefined);
  process.exit(1);
}
