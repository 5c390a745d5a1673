import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace, TraceFlags, ValueType } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ExporterKind } from '../support/otel-test-exporters.js';
import { createLogExporter, createLoggerProvider, createMeterProvider, createMetricExporter } from '../support/otel-signal-exporters.js';
import { getJson, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const KINDS: readonly ExporterKind[] = ['http-json', 'http-proto', 'http-proto-gzip', 'grpc', 'grpc-gzip'];

async function query(waggle: Waggle, dataset: string, q: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${waggle.baseUrl}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset, q }) });
  const body = (await response.json()) as { data?: { results: Array<{ data: Record<string, unknown> }> } };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.data!.results.map((r) => r.data);
}

describe('logs and metrics sent with the real OpenTelemetry exporters', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  for (const [index, kind] of KINDS.entries()) {
    it(`stores every field of a log record sent over ${kind}, joined to its trace`, async () => {
      const service = `logs-${kind}`;
      const provider = createLoggerProvider(createLogExporter(kind, waggle.ports), service);
      const traceId = `${(index + 1).toString(16).padStart(2, '0')}${'ab'.repeat(15)}`;
      const spanId = '0102030405060708';
      const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
      const time = Date.UTC(2026, 10, 22, 1, 2, 3, 456);
      const logger = provider.getLogger('waggle-test-logs', '2.0.0');
      logger.emit({
        timestamp: time,
        observedTimestamp: time + 5,
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        body: { message: 'cart is slow', 'cart.items': 3, nested: { a: [1, 'x'] } },
        attributes: { 'user.id': 'u-42', ratio: 0.5, ok: true },
        context: ctx,
      });
      logger.emit({ timestamp: time + 1, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'plain text line', context: ROOT_CONTEXT });
      await provider.forceFlush();
      await provider.shutdown();
      await waggle.ingest.flushNow();

      const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${traceId}`);
      assert.equal(status, 200);
      const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000000Z');
      assert.deepEqual((body as { spans: unknown[] }).spans, [
        {
          timestamp: iso(time),
          'trace.trace_id': traceId,
          'trace.span_id': spanId,
          'service.name': service,
          'library.name': 'waggle-test-logs',
          'library.version': '2.0.0',
          'meta.annotation_type': 'log',
          'user.id': 'u-42',
          ratio: 0.5,
          ok: true,
          'body.message': 'cart is slow',
          'body.cart.items': 3,
          'body.nested': '{"a":[1,"x"]}',
          body: '{"message":"cart is slow","cart.items":3,"nested":{"a":[1,"x"]}}',
          severity_text: 'WARN',
          severity_number: 13,
          // Past 2^53: kept exact as decimal text, as every such integer.
          observed_time_unix_nano: String(BigInt(time + 5) * 1_000_000n),
          'meta.signal_type': 'log',
        },
      ]);
      const logs = await getJson(`${waggle.baseUrl}/api/traces/${traceId}/logs?span_id=${spanId}`);
      assert.equal(logs.status, 200);
      assert.deepEqual((logs.body as { logs: Array<Record<string, unknown>> }).logs.map((l) => l['body.message']), ['cart is slow']);
      // The record without trace context is stored too, and found by its columns.
      assert.deepEqual(await query(waggle, service, 'VISUALIZE COUNT WHERE body = "plain text line" AND meta.signal_type = "log" GROUP BY severity_text LAST 3650d'), [
        { severity_text: 'INFO', COUNT: 1 },
      ]);
    });

    it(`stores a counter, an up-down counter, a gauge and both histograms sent over ${kind} as one event per attribute set`, async () => {
      const service = `metrics-${kind}`;
      const provider = createMeterProvider(createMetricExporter(kind, waggle.ports), service);
      const meter = provider.getMeter('waggle-test-metrics', '3.0.0');
      const requests = meter.createCounter('http.server.request.count', { valueType: ValueType.INT });
      const queue = meter.createUpDownCounter('queue.depth', { valueType: ValueType.INT });
      const memory = meter.createGauge('process.memory.usage', { valueType: ValueType.DOUBLE });
      const latency = meter.createHistogram('http.server.duration', { advice: { explicitBucketBoundaries: [10, 100, 1000] } });
      const sizes = meter.createHistogram('payload.size.exp');
      const route = { 'http.route': '/cart' };
      requests.add(5, route);
      requests.add(2, route);
      requests.add(1, { 'http.route': '/pay' });
      queue.add(4, route);
      queue.add(-1, route);
      memory.record(123.5, route);
      for (const ms of [5, 50, 50, 500]) latency.record(ms, route);
      for (const bytes of [1, 2, 4, 1024]) sizes.record(bytes, route);
      // Shutting down collects and exports once (a forceFlush before it would export a second time).
      await provider.shutdown();
      await waggle.ingest.flushNow();

      const rows = await query(
        waggle,
        service,
        'VISUALIZE MAX(http.server.request.count), MAX(queue.depth), MAX(process.memory.usage), MAX(http.server.duration.count), MAX(http.server.duration.sum), ' +
          'MAX(http.server.duration.min), MAX(http.server.duration.max), MAX(http.server.duration.p50), MAX(payload.size.exp.count), MAX(payload.size.exp.max), COUNT ' +
          'WHERE meta.signal_type = "metric" GROUP BY http.route, http.server.request.count.temporality, http.server.request.count.monotonic, queue.depth.monotonic, http.server.duration.buckets ORDER BY http.route LAST 1h',
      );
      assert.deepEqual(rows, [
        {
          'http.route': '/cart',
          'http.server.request.count.temporality': 'cumulative',
          'http.server.request.count.monotonic': true,
          'queue.depth.monotonic': false,
          'http.server.duration.buckets': '{"bounds":[10,100,1000],"counts":[1,2,1,0]}',
          'MAX(http.server.request.count)': 7,
          'MAX(queue.depth)': 3,
          'MAX(process.memory.usage)': 123.5,
          'MAX(http.server.duration.count)': 4,
          'MAX(http.server.duration.sum)': 605,
          'MAX(http.server.duration.min)': 5,
          'MAX(http.server.duration.max)': 500,
          // Rank 2 of 4 is the first of the two values in (10, 100]: halfway through it.
          'MAX(http.server.duration.p50)': 55,
          'MAX(payload.size.exp.count)': 4,
          'MAX(payload.size.exp.max)': 1024,
          // Every metric of the attribute set and collection time shares one event.
          COUNT: 1,
        },
        {
          'http.route': '/pay',
          'http.server.request.count.temporality': 'cumulative',
          'http.server.request.count.monotonic': true,
          'queue.depth.monotonic': null,
          'http.server.duration.buckets': null,
          'MAX(http.server.request.count)': 1,
          'MAX(queue.depth)': null,
          'MAX(process.memory.usage)': null,
          'MAX(http.server.duration.count)': null,
          'MAX(http.server.duration.sum)': null,
          'MAX(http.server.duration.min)': null,
          'MAX(http.server.duration.max)': null,
          'MAX(http.server.duration.p50)': null,
          'MAX(payload.size.exp.count)': null,
          'MAX(payload.size.exp.max)': null,
          COUNT: 1,
        },
      ]);
    });
  }
});
