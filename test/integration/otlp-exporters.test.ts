import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createExporter, createTracerProvider, type ExporterKind } from '../support/otel-test-exporters.js';
import { getJson, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const KINDS: readonly ExporterKind[] = ['http-json', 'http-proto', 'http-proto-gzip', 'grpc', 'grpc-gzip'];

interface SentTrace {
  traceId: string;
  rootSpanId: string;
  childSpanId: string;
  linkedTraceId: string;
  linkedSpanId: string;
  start: number;
}

/** Sends one trace of a SERVER root with a CLIENT child (error, event, link) through the exporter. */
async function sendTrace(waggle: Waggle, kind: ExporterKind): Promise<SentTrace> {
  const { provider, tracer } = createTracerProvider(createExporter(kind, waggle.ports), `checkout-${kind}`, { 'deployment.environment': 'test' });
  const start = Date.UTC(2026, 10, 22, 1, 2, 3, 456);
  const root = tracer.startSpan('GET /cart', {
    kind: SpanKind.SERVER,
    startTime: start,
    attributes: {
      'http.route': '/cart',
      'http.response.status_code': 200,
      'user.id': 'u-42',
      ratio: 0.25,
      cached: false,
      tags: ['a', 'b'],
      big: 9007199254740993,
    },
  });
  const other = tracer.startSpan('unrelated', { startTime: start });
  other.end(start + 1);
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    'SELECT cart',
    { kind: SpanKind.CLIENT, startTime: start + 10, links: [{ context: other.spanContext(), attributes: { 'link.reason': 'retry' } }] },
    ctx,
  );
  child.addEvent('exception', { 'exception.message': 'db down', 'exception.type': 'Error' }, start + 12);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'db down' });
  child.end(start + 30);
  root.end(start + 50);
  await provider.forceFlush();
  await provider.shutdown();
  return {
    traceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    childSpanId: child.spanContext().spanId,
    linkedTraceId: other.spanContext().traceId,
    linkedSpanId: other.spanContext().spanId,
    start,
  };
}

describe('spans sent with the real OpenTelemetry exporters', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  for (const kind of KINDS) {
    it(`stores every field of spans, events and links sent over ${kind}`, async () => {
      const sent = await sendTrace(waggle, kind);
      await waggle.ingest.flushNow();
      const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${sent.traceId}`);
      assert.equal(status, 200);
      const service = `checkout-${kind}`;
      const library = { 'library.name': 'waggle-test', 'library.version': '1.2.3' };
      const resource = { 'deployment.environment': 'test' };
      const spans = (body as { spans: Array<Record<string, unknown>> }).spans;
      const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000000Z');
      assert.deepEqual(body && (body as { trace_id: string }).trace_id, sent.traceId);
      assert.deepEqual(spans, [
        {
          timestamp: iso(sent.start),
          duration_ms: 50,
          'trace.trace_id': sent.traceId,
          'trace.span_id': sent.rootSpanId,
          name: 'GET /cart',
          'service.name': service,
          'span.kind': 'server',
          status_code: 'unset',
          error: false,
          ...library,
          ...resource,
          'http.route': '/cart',
          'http.response.status_code': 200,
          'user.id': 'u-42',
          ratio: 0.25,
          cached: false,
          tags: '["a","b"]',
          // 2^53 is past Number.MAX_SAFE_INTEGER: kept exact as decimal text.
          big: '9007199254740992',
        },
        {
          timestamp: iso(sent.start + 10),
          duration_ms: 20,
          'trace.trace_id': sent.traceId,
          'trace.span_id': sent.childSpanId,
          'trace.parent_id': sent.rootSpanId,
          name: 'SELECT cart',
          'service.name': service,
          'span.kind': 'client',
          status_code: 'error',
          error: true,
          status_message: 'db down',
          ...library,
          ...resource,
        },
        {
          timestamp: iso(sent.start + 10),
          duration_ms: 0,
          'trace.trace_id': sent.traceId,
          'trace.parent_id': sent.childSpanId,
          'service.name': service,
          ...library,
          'meta.annotation_type': 'link',
          ...resource,
          'link.reason': 'retry',
          'trace.link.trace_id': sent.linkedTraceId,
          'trace.link.span_id': sent.linkedSpanId,
        },
        {
          timestamp: iso(sent.start + 12),
          duration_ms: 0,
          'trace.trace_id': sent.traceId,
          'trace.parent_id': sent.childSpanId,
          name: 'exception',
          'service.name': service,
          ...library,
          'meta.annotation_type': 'span_event',
          ...resource,
          'exception.message': 'db down',
          'exception.type': 'Error',
        },
      ]);
    });
  }

  it('lists the most recent traces with root, span count and error', async () => {
    const { status, body } = await getJson(`${waggle.baseUrl}/api/traces?limit=50&service.name=checkout-grpc`);
    assert.equal(status, 200);
    const traces = (body as { traces: Array<Record<string, unknown>> }).traces;
    const withRoot = traces.find((t) => t['root_name'] === 'GET /cart');
    assert.ok(withRoot);
    assert.equal(withRoot['root_service'], 'checkout-grpc');
    assert.equal(withRoot['span_count'], 2);
    assert.equal(withRoot['error'], true);
    assert.equal(withRoot['duration_ms'], 50);
    assert.equal(traces.length, 2);
  });
});
