/**
 * The backend API the browser calls (from another origin, hence CORS). Every request is checked by
 * the auth service; products, orders and recommendations come from the data service.
 */
import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { setAttributes, withSpan, withUser } from '../../packages/node/src/index.js';
import { closeHttp, listenHttp, requireEnv, type DemoService } from './service-runtime.js';
import { logEvent, requestTelemetry } from './demo-telemetry.js';

/** A downstream call that failed; the API answers 502 and the server span records it. */
class DownstreamError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'DownstreamError';
    this.status = status;
  }
}

/**
 * CORS for a browser app on another origin. Besides the usual headers the preflight must allow the
 * trace context (`traceparent`, `tracestate`) and `baggage`, or browsers drop those headers and
 * the browser's spans and the server's end up in different traces. Timing-Allow-Origin lets the
 * browser's fetch span carry detailed network timings (DNS, connect, request, response).
 */
function cors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Timing-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, traceparent, tracestate, baggage');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}

async function callJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  const body: unknown = await response.json().catch(() => null);
  return { status: response.status, body };
}

function errorText(body: unknown, fallback: string): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : fallback;
}

export async function startApiService(): Promise<DemoService> {
  const authUrl = requireEnv('DEMO_AUTH_URL');
  const dataUrl = requireEnv('DEMO_DATA_URL');

  const app = express();
  app.disable('x-powered-by');
  app.use(requestTelemetry());
  app.use(cors);
  app.use(express.json({ limit: '64kb' }));

  // Authentication: the auth service says who the token belongs to; from then on the request runs
  // with user.id set (on the server span, and in baggage for the data service).
  app.use(async function authenticate(req: Request, res: Response, next: NextFunction) {
    const verified = await callJson(`${authUrl}/verify`, { headers: { authorization: req.header('authorization') ?? '' } });
    if (verified.status !== 200) {
      setAttributes({ 'auth.refused': true });
      res.status(401).json({ error: errorText(verified.body, 'unauthorized') });
      return;
    }
    const userId = (verified.body as { userId: string }).userId;
    withUser(userId, next);
  });

  app.get('/api/products', async (req, res) => {
    const category = typeof req.query['category'] === 'string' ? req.query['category'] : '';
    setAttributes({ 'product.category': category === '' ? 'all' : category });
    const answer = await callJson(`${dataUrl}/products?category=${encodeURIComponent(category)}`);
    if (answer.status !== 200) throw new DownstreamError(errorText(answer.body, 'data service failed'), answer.status);
    const products = (answer.body as { products: unknown[] }).products;
    setAttributes({ 'products.count': products.length });
    res.json({ products });
  });

  app.post('/api/checkout', async (req, res) => {
    const items: unknown = (req.body as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(items) || items.length === 0) {
      res.status(400).json({ error: 'expected a JSON body {items: [{sku, quantity}]}' });
      return;
    }
    // A custom span for the business step, with business attributes on it and on the server span.
    const order = await withSpan('checkout', { 'cart.distinct_items': items.length }, async (span) => {
      const quantities = items.map((item: unknown) => Number((item as { quantity?: unknown }).quantity) || 0);
      const cartItems = quantities.reduce((a, b) => a + b, 0);
      span.setAttribute('cart.items', cartItems);
      setAttributes({ 'cart.items': cartItems });
      const answer = await callJson(`${dataUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      if (answer.status !== 201) throw new DownstreamError(errorText(answer.body, 'order failed'), answer.status);
      const placed = answer.body as { orderId: number; totalCents: number; items: number };
      span.setAttribute('order.total', placed.totalCents / 100);
      logEvent('info', 'order placed', { 'order.id': placed.orderId, 'order.total': placed.totalCents / 100, 'cart.items': cartItems });
      return placed;
    });
    setAttributes({ 'order.id': order.orderId, 'order.total': order.totalCents / 100 });
    res.status(201).json(order);
  });

  app.get('/api/recommendations', async (_req, res) => {
    const answer = await callJson(`${dataUrl}/recommendations`);
    if (answer.status !== 200) throw new DownstreamError(errorText(answer.body, 'data service failed'), answer.status);
    res.json(answer.body);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = error instanceof DownstreamError ? (error.status >= 500 ? 502 : error.status) : 500;
    setAttributes({ 'error.type': error instanceof Error ? error.name : 'unknown' });
    res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
  });

  const server = http.createServer(app);
  const port = await listenHttp(server);
  return { port, stop: () => closeHttp(server) };
}
