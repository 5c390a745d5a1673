/**
 * The data service: products and orders in a real embedded database (DuckDB, in memory).
 * Slow path: every request of the slow user recomputes their purchase history. Errors: a small share
 * of orders fail with a simulated write conflict.
 */
import http from 'node:http';
import express from 'express';
import { context, propagation } from '@opentelemetry/api';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { setAttributes, withSpan } from '../../packages/node/src/index.js';
import { findUserById } from './demo-users.js';
import { closeHttp, listenHttp, type DemoService } from './service-runtime.js';
import { requestTelemetry } from './demo-telemetry.js';

const SCHEMA = `
CREATE TABLE products (sku VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, category VARCHAR NOT NULL, price_cents INTEGER NOT NULL);
CREATE SEQUENCE order_ids START 1000;
CREATE TABLE orders (id INTEGER PRIMARY KEY DEFAULT nextval('order_ids'), user_id VARCHAR NOT NULL, items INTEGER NOT NULL, total_cents INTEGER NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT now());
INSERT INTO products VALUES
  ('hive-01', 'Langstroth hive', 'hives', 18900), ('hive-02', 'Top-bar hive', 'hives', 15900),
  ('suit-01', 'Beekeeping suit', 'clothing', 8900), ('glove-01', 'Leather gloves', 'clothing', 1900),
  ('smoke-01', 'Smoker', 'tools', 3400), ('tool-01', 'Hive tool', 'tools', 900),
  ('frame-10', 'Frames (10)', 'parts', 2900), ('found-10', 'Foundation sheets (10)', 'parts', 2200),
  ('honey-01', 'Wildflower honey', 'honey', 1200), ('honey-02', 'Heather honey', 'honey', 1600);
`;

/** Ada's slow path waits at least this long (and up to 400 ms more). */
const SLOW_PATH_MIN_MS = 1100;

/** The share of orders failed on purpose (WAGGLE_DEMO_ORDER_FAILURE_RATE; 0 makes the demo predictable). */
function orderFailureRate(): number {
  const rate = Number(process.env['DEMO_ORDER_FAILURE_RATE'] ?? '0.04');
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0.04;
}

interface OrderItem {
  sku: string;
  quantity: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isOrderItems(value: unknown): value is OrderItem[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (item: unknown) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as OrderItem).sku === 'string' &&
        Number.isInteger((item as OrderItem).quantity) &&
        (item as OrderItem).quantity > 0,
    )
  );
}

/** The user the caller put in baggage (the API sets it after authentication). */
function currentUserId(): string | undefined {
  return propagation.getBaggage(context.active())?.getEntry('user.id')?.value;
}

export async function startDataService(): Promise<DemoService> {
  const instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  await setup.run(SCHEMA);
  setup.closeSync();

  /** One query, in a span named like OpenTelemetry's database conventions. */
  const query = (operation: string, sql: string, values: DuckDBValue[] = []): Promise<Record<string, unknown>[]> =>
    withSpan(`${operation} demo`, { 'db.system.name': 'duckdb', 'db.operation.name': operation, 'db.query.text': sql }, async (span) => {
      const connection = await instance.connect();
      try {
        // JSON-ready values: BIGINT results become numbers or strings, never bigint.
        const rows = (await connection.runAndReadAll(sql, values)).getRowObjectsJson();
        span.setAttribute('db.response.returned_rows', rows.length);
        return rows;
      } finally {
        connection.closeSync();
      }
    });

  const slowPathIfNeeded = async (): Promise<void> => {
    const user = findUserById(currentUserId() ?? '');
    if (user?.slow !== true) return;
    await withSpan('recompute purchase history', { 'cache.hit': false }, async () => {
      await query('SELECT', 'SELECT count(*) AS orders, coalesce(sum(total_cents), 0) AS spent FROM orders WHERE user_id = $1', [user.id]);
      // Over a second on every request: a checkout of Ada's misses a "checkouts under 1 s" SLO.
      await sleep(SLOW_PATH_MIN_MS + Math.random() * 400);
    });
  };

  const failureRate = orderFailureRate();
  const app = express();
  app.disable('x-powered-by');
  app.use(requestTelemetry());
  app.use(express.json({ limit: '64kb' }));

  app.get('/products', async (req, res) => {
    const category = typeof req.query['category'] === 'string' ? req.query['category'] : '';
    await slowPathIfNeeded();
    const rows =
      category === ''
        ? await query('SELECT', 'SELECT sku, name, category, price_cents FROM products ORDER BY sku')
        : await query('SELECT', 'SELECT sku, name, category, price_cents FROM products WHERE category = $1 ORDER BY sku', [category]);
    setAttributes({ 'products.count': rows.length });
    res.json({ products: rows });
  });

  app.post('/orders', async (req, res) => {
    const items: unknown = (req.body as { items?: unknown } | undefined)?.items;
    const userId = currentUserId();
    if (!isOrderItems(items) || userId === undefined) {
      res.status(400).json({ error: 'expected {items: [{sku, quantity}]} and a user in baggage' });
      return;
    }
    await slowPathIfNeeded();
    const skus = items.map((item) => item.sku);
    const prices = await query(
      'SELECT',
      `SELECT sku, price_cents FROM products WHERE sku IN (${skus.map((_, i) => `$${i + 1}`).join(', ')})`,
      skus,
    );
    const priceOf = new Map(prices.map((row) => [String(row['sku']), Number(row['price_cents'])]));
    const unknown = skus.filter((sku) => !priceOf.has(sku));
    if (unknown.length > 0) {
      res.status(404).json({ error: `unknown products: ${unknown.join(', ')}` });
      return;
    }
    const totalCents = items.reduce((sum, item) => sum + (priceOf.get(item.sku) ?? 0) * item.quantity, 0);
    const count = items.reduce((sum, item) => sum + item.quantity, 0);
    try {
      const [row] = await withSpan('write order', { 'order.items': count }, async () => {
        if (Math.random() < failureRate) throw new Error('write conflict on table orders; transaction aborted');
        return query('INSERT', 'INSERT INTO orders (user_id, items, total_cents) VALUES ($1, $2, $3) RETURNING id', [userId, count, totalCents]);
      });
      const orderId = Number(row?.['id']);
      setAttributes({ 'order.id': orderId, 'order.total': totalCents / 100 });
      res.status(201).json({ orderId, totalCents, items: count });
    } catch (error) {
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
    }
  });

  app.get('/recommendations', async (_req, res) => {
    await slowPathIfNeeded();
    const rows = await query('SELECT', 'SELECT sku, name, price_cents FROM products ORDER BY random() LIMIT 3');
    res.json({ products: rows });
  });

  const server = http.createServer(app);
  const port = await listenHttp(server);
  return {
    port,
    stop: async () => {
      await closeHttp(server);
      instance.closeSync();
    },
  };
}
