/**
 * Keeps server-side traffic flowing while the demo runs: synthetic visits by the demo users
 * (Ada's are slow, Mallory's are refused) against the API, each one trace of its own.
 */
import { setAttributes, withSpan } from '../../packages/node/src/index.js';
import { DEMO_USERS, type DemoUser } from './demo-users.js';
import { logEvent } from './demo-telemetry.js';
import { requireEnv, type DemoService } from './service-runtime.js';

const SKUS = ['hive-01', 'hive-02', 'suit-01', 'glove-01', 'smoke-01', 'tool-01', 'frame-10', 'found-10', 'honey-01', 'honey-02'];
const CATEGORIES = ['', '', 'hives', 'clothing', 'tools', 'parts', 'honey'];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

function randomCart(): Array<{ sku: string; quantity: number }> {
  return Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => ({ sku: pick(SKUS), quantity: 1 + Math.floor(Math.random() * 3) }));
}

async function visit(apiUrl: string, user: DemoUser): Promise<void> {
  const roll = Math.random();
  const action = roll < 0.55 ? 'browse' : roll < 0.85 ? 'checkout' : 'recommendations';
  await withSpan(`synthetic ${action}`, { 'synthetic': true, 'user.id': user.id }, async () => {
    const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
    const response =
      action === 'browse'
        ? await fetch(`${apiUrl}/api/products?category=${encodeURIComponent(pick(CATEGORIES))}`, { headers })
        : action === 'checkout'
          ? await fetch(`${apiUrl}/api/checkout`, { method: 'POST', headers, body: JSON.stringify({ items: randomCart() }) })
          : await fetch(`${apiUrl}/api/recommendations`, { headers });
    await response.arrayBuffer();
    setAttributes({ 'http.response.status_code': response.status });
    logEvent(response.status >= 400 ? 'warn' : 'info', `synthetic ${action} by ${user.id}: ${response.status}`, { 'user.id': user.id, action, 'http.response.status_code': response.status });
  });
}

export async function startTrafficService(): Promise<DemoService> {
  const apiUrl = requireEnv('DEMO_API_URL');
  const meanIntervalMs = Number(process.env['DEMO_TRAFFIC_INTERVAL_MS'] ?? '700');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const tick = (): void => {
    if (stopped) return;
    const visitDone = visit(apiUrl, pick(DEMO_USERS)).catch(() => undefined);
    inFlight.add(visitDone);
    void visitDone.finally(() => inFlight.delete(visitDone));
    timer = setTimeout(tick, meanIntervalMs * (0.5 + Math.random()));
  };
  timer = setTimeout(tick, meanIntervalMs);

  return {
    port: null,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(inFlight);
    },
  };
}
