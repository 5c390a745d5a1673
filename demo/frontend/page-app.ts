/**
 * The demo shop's browser script (bundled by build-page-bundle.ts). Each user action is a custom
 * span; the fetch inside it is traced by @waggle/web and continues in the backend, so one trace
 * covers the click, the network and every service behind the API.
 */
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { startWaggleBrowserTracing } from '../../packages/web/src/index.js';
import { BROWSER_SERVICE_NAME } from './browser-service-name.js';
import type { PageConfig } from './page-html.js';

interface Product {
  sku: string;
  name: string;
  category?: string;
  price_cents: number;
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`demo page: #${id} is missing`);
  return found as T;
}

const config = JSON.parse(element('demo-config').textContent ?? '{}') as PageConfig;
// The browser reaches every part of the demo on the host name it used for the page.
const urlOnPort = (port: number): string => `${location.protocol}//${location.hostname}:${port}`;
const apiUrl = urlOnPort(config.apiPort);
const waggleUrl = urlOnPort(config.wagglePort);

const tracing = startWaggleBrowserTracing({
  serviceName: BROWSER_SERVICE_NAME,
  serviceVersion: '1.0.0',
  collectorUrl: urlOnPort(config.otlpHttpPort),
  ...(config.ingestKey ? { headers: { 'x-honeycomb-team': config.ingestKey } } : {}),
  propagateTo: [apiUrl],
});
const tracer = trace.getTracer('demo-shop-page');

const userSelect = element<HTMLSelectElement>('user');
const status = element('status');
const productList = element<HTMLUListElement>('products');
const traceLink = element('trace-link');
let products: Product[] = [];

for (const user of config.users) {
  const option = document.createElement('option');
  option.value = user.id;
  option.textContent = user.name;
  userSelect.append(option);
}
const savedUser = sessionStorage.getItem('demo.user');
if (savedUser !== null && config.users.some((u) => u.id === savedUser)) userSelect.value = savedUser;

function currentUser(): PageConfig['users'][number] {
  return config.users.find((u) => u.id === userSelect.value) ?? config.users[0]!;
}

function selectUser(): void {
  sessionStorage.setItem('demo.user', userSelect.value);
  tracing.setUser(currentUser().id);
}

function showStatus(text: string, isError: boolean): void {
  status.textContent = text;
  status.className = isError ? 'error' : '';
}

function showProducts(list: Product[]): void {
  productList.replaceChildren(
    ...list.map((product) => {
      const item = document.createElement('li');
      const title = document.createElement('strong');
      title.textContent = product.name;
      item.append(title, document.createElement('br'), `${product.sku} · $${(product.price_cents / 100).toFixed(2)}`);
      return item;
    }),
  );
}

function showTrace(traceId: string): void {
  const link = document.createElement('a');
  // The trace page of the UI, not the JSON API behind it.
  link.href = `${waggleUrl}/trace/${encodeURIComponent(traceId)}`;
  link.target = '_blank';
  link.rel = 'noopener';
  link.textContent = `Last trace: ${traceId}`;
  traceLink.replaceChildren(' ', link);
}

/**
 * Runs one user action as a span around one API call. fetch is called synchronously inside the
 * active span, so the fetch span is its child whatever the context manager can follow.
 */
function apiAction(action: string, path: string, init: RequestInit, onBody: (body: unknown, span: Span) => string): Promise<void> {
  return tracer.startActiveSpan(`ui ${action}`, { attributes: { 'ui.action': action } }, (span) => {
    const traceId = span.spanContext().traceId;
    showStatus(`${action}…`, false);
    const request = fetch(`${apiUrl}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${currentUser().token}` },
    });
    return request
      .then((response) =>
        response.json().then((body: unknown) => {
          span.setAttribute('http.response.status_code', response.status);
          if (!response.ok) {
            const message = (body as { error?: string } | null)?.error ?? `HTTP ${response.status}`;
            throw new Error(message);
          }
          showStatus(onBody(body, span), false);
        }),
      )
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        span.recordException(error instanceof Error ? error : message);
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        showStatus(`${action} failed: ${message}`, true);
      })
      .finally(() => {
        span.end();
        showTrace(traceId);
        // Read by the end-to-end test to find this action's trace.
        document.body.dataset['lastTraceId'] = traceId;
        document.body.dataset['lastAction'] = action;
        document.body.dataset['actions'] = String(Number(document.body.dataset['actions'] ?? '0') + 1);
      });
  });
}

function loadProducts(): Promise<void> {
  return apiAction('load products', '/api/products', {}, (body) => {
    products = (body as { products: Product[] }).products;
    showProducts(products);
    return `${products.length} products`;
  });
}

function checkout(): Promise<void> {
  const pool = products.length > 0 ? products : [{ sku: 'honey-01', name: 'Wildflower honey', price_cents: 1200 }];
  const count = 1 + Math.floor(Math.random() * 3);
  const items = Array.from({ length: count }, () => ({
    sku: pool[Math.floor(Math.random() * pool.length)]!.sku,
    quantity: 1 + Math.floor(Math.random() * 4),
  }));
  return apiAction(
    'checkout',
    '/api/checkout',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) },
    (body, span) => {
      const order = body as { orderId: number; totalCents: number; items: number };
      span.setAttributes({ 'order.id': order.orderId, 'order.total': order.totalCents / 100, 'cart.items': order.items });
      return `Order ${order.orderId} placed: ${order.items} items, $${(order.totalCents / 100).toFixed(2)}`;
    },
  );
}

function recommendations(): Promise<void> {
  return apiAction('recommendations', '/api/recommendations', {}, (body) => {
    const list = (body as { products: Product[] }).products;
    showProducts(list);
    return `Recommended: ${list.map((p) => p.name).join(', ')}`;
  });
}

userSelect.addEventListener('change', () => {
  selectUser();
  void loadProducts();
});
element('load-products').addEventListener('click', () => void loadProducts());
element('checkout').addEventListener('click', () => void checkout());
element('recommendations').addEventListener('click', () => void recommendations());

selectUser();
void loadProducts();
