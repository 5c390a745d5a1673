import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startWaggleTracing, type WaggleTracing } from './start-waggle-tracing.js';
import { withSpan } from './with-span.js';
import { setUser, withUser } from './set-user.js';
import { setAttributes } from './set-attributes.js';

// One SDK per process (OpenTelemetry's globals are set once), so this file shares one set-up.
const exporter = new InMemorySpanExporter();
let tracing: WaggleTracing;
const servers: Server[] = [];

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

async function finishedSpans(): Promise<ReadableSpan[]> {
  await tracing.forceFlush();
  return exporter.getFinishedSpans();
}

function hex(span: ReadableSpan): { trace: string; span: string; parent: string | undefined } {
  return { trace: span.spanContext().traceId, span: span.spanContext().spanId, parent: span.parentSpanContext?.spanId };
}

let frontUrl = '';

before(async () => {
  tracing = startWaggleTracing({
    serviceName: 'unit-shop',
    serviceVersion: '1.2.3',
    resourceAttributes: { 'deployment.environment.name': 'test' },
    traceExporter: exporter,
  });
  // Imported after the SDK started, as an application must, so the ESM hook instruments them.
  const { default: express } = await import('express');
  const http = await import('node:http');

  const downstream = express();
  downstream.get('/stock/:sku', (_req, res) => {
    res.json({ sku: 'x', inStock: true });
  });
  const downstreamUrl = await listen(http.createServer(downstream));

  const front = express();
  front.use((req, _res, next) => {
    const user = req.header('x-user');
    if (user !== undefined) withUser(user, next);
    else next();
  });
  front.get('/orders/:id', async (_req, res) => {
    const stock = await withSpan('check stock', { 'cart.items': 3 }, async () => {
      const answer = await fetch(`${downstreamUrl}/stock/abc`);
      return (await answer.json()) as { inStock: boolean };
    });
    setAttributes({ 'order.total': 19.5, 'order.paid': true });
    res.json(stock);
  });
  frontUrl = await listen(http.createServer(front));
});

after(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await tracing.shutdown();
});

describe('startWaggleTracing', () => {
  it('traces an Express request, its custom span and its fetch to another service as one trace', async () => {
    exporter.reset();
    const response = await fetch(`${frontUrl}/orders/42`, { headers: { 'x-user': 'u-7' } });
    assert.deepEqual(await response.json(), { sku: 'x', inStock: true });
    const spans = await finishedSpans();

    const frontServer = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/orders/:id');
    const custom = spans.find((s) => s.name === 'check stock');
    const client = spans.find((s) => s.kind === SpanKind.CLIENT && String(s.attributes['url.full']).includes('/stock/abc'));
    const downServer = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/stock/:sku');
    assert.ok(frontServer && custom && client && downServer, `spans: ${spans.map((s) => s.name).join(', ')}`);

    const traceId = hex(frontServer).trace;
    assert.deepEqual(
      [custom, client, downServer].map((s) => hex(s).trace),
      [traceId, traceId, traceId],
    );
    assert.equal(frontServer.name, 'GET /orders/:id');
    assert.equal(hex(client).parent, hex(custom).span);
    assert.equal(hex(downServer).parent, hex(client).span);
    assert.equal(custom.attributes['cart.items'], 3);
    assert.equal(custom.status.code, SpanStatusCode.UNSET);
  });

  it('puts user.id on the server span and, through baggage, on the spans of downstream services', async () => {
    exporter.reset();
    await fetch(`${frontUrl}/orders/43`, { headers: { 'x-user': 'u-8' } });
    const spans = await finishedSpans();
    const frontServer = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/orders/:id');
    const downServer = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/stock/:sku');
    const custom = spans.find((s) => s.name === 'check stock');
    assert.equal(frontServer?.attributes['user.id'], 'u-8');
    assert.equal(custom?.attributes['user.id'], 'u-8');
    assert.equal(downServer?.attributes['user.id'], 'u-8');
  });

  it('sets business attributes with their types on the active span', async () => {
    exporter.reset();
    await fetch(`${frontUrl}/orders/44`);
    const spans = await finishedSpans();
    const handler = spans.find((s) => s.attributes['order.total'] !== undefined);
    assert.equal(handler?.attributes['order.total'], 19.5);
    assert.equal(handler?.attributes['order.paid'], true);
    assert.equal(handler?.attributes['user.id'], undefined);
  });

  it('describes the service in the resource', async () => {
    exporter.reset();
    withSpan('resource probe', () => undefined);
    const [span] = await finishedSpans();
    assert.equal(span?.resource.attributes['service.name'], 'unit-shop');
    assert.equal(span?.resource.attributes['service.version'], '1.2.3');
    assert.equal(span?.resource.attributes['deployment.environment.name'], 'test');
    assert.equal(span?.resource.attributes['telemetry.sdk.language'], 'nodejs');
    assert.equal(typeof span?.resource.attributes['process.pid'], 'number');
    assert.equal(span?.instrumentationScope.name, '@waggle/node');
  });
});

describe('withSpan', () => {
  it('returns a synchronous result and ends the span at once', async () => {
    exporter.reset();
    let inside: unknown;
    const value = withSpan('sync work', { step: 1 }, (span) => {
      assert.equal(trace.getActiveSpan(), span);
      inside = span;
      return 41 + 1;
    });
    assert.equal(value, 42);
    assert.equal((inside as ReadableSpan).ended, true);
    const [span] = await finishedSpans();
    assert.equal(span?.name, 'sync work');
    assert.equal(span?.attributes['step'], 1);
  });

  it('ends an async span when its promise settles and nests spans started inside it', async () => {
    exporter.reset();
    const value = await withSpan('outer', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return withSpan('inner', async () => 'done');
    });
    assert.equal(value, 'done');
    const spans = await finishedSpans();
    const outer = spans.find((s) => s.name === 'outer');
    const inner = spans.find((s) => s.name === 'inner');
    assert.ok(outer && inner);
    assert.equal(inner.parentSpanContext?.spanId, outer.spanContext().spanId);
    const outerMs = outer.duration[0] * 1e3 + outer.duration[1] / 1e6;
    assert.ok(outerMs >= 15, `outer lasted ${outerMs} ms`);
  });

  it('records a rejected promise as an exception with error status and rethrows it', async () => {
    exporter.reset();
    await assert.rejects(
      withSpan('failing', async () => {
        throw new Error('payment declined');
      }),
      { message: 'payment declined' },
    );
    const [span] = await finishedSpans();
    assert.deepEqual(span?.status, { code: SpanStatusCode.ERROR, message: 'payment declined' });
    assert.equal(span?.events[0]?.name, 'exception');
    assert.equal(span?.events[0]?.attributes?.['exception.message'], 'payment declined');
  });

  it('records a synchronous throw the same way', async () => {
    exporter.reset();
    assert.throws(
      () =>
        withSpan('sync failing', () => {
          throw new TypeError('bad input');
        }),
      TypeError,
    );
    const [span] = await finishedSpans();
    assert.deepEqual(span?.status, { code: SpanStatusCode.ERROR, message: 'bad input' });
    assert.equal(span?.events[0]?.attributes?.['exception.type'], 'TypeError');
  });
});

describe('setUser and setAttributes', () => {
  it('returns a context whose baggage carries user.id, and tags the active span', async () => {
    exporter.reset();
    const ctx = withSpan('login', () => setUser('u-1'));
    assert.equal(propagation.getBaggage(ctx)?.getEntry('user.id')?.value, 'u-1');
    context.with(ctx, () => withSpan('after login', () => undefined));
    const spans = await finishedSpans();
    assert.equal(spans.find((s) => s.name === 'login')?.attributes['user.id'], 'u-1');
    assert.equal(spans.find((s) => s.name === 'after login')?.attributes['user.id'], 'u-1');
  });

  it('does nothing outside a span', () => {
    assert.doesNotThrow(() => setAttributes({ a: 1 }));
    assert.equal(propagation.getBaggage(setUser('u-2'))?.getEntry('user.id')?.value, 'u-2');
  });
});
