import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { createExporter, createTracerProvider } from '../support/otel-test-exporters.js';
import { SERVER_STORES } from '../support/store-backends.js';
import { callJson as call, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const NS_PER_MS = 1_000_000n;

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await response.arrayBuffer();
  return response.status;
}

/** Rows of a query through Honeycomb's Query Data API (results, no series). */
async function results(waggle: Waggle, dataset: string, spec: unknown): Promise<Array<Record<string, unknown>>> {
  const query = await call(waggle, 'POST', `/1/queries/${dataset}`, spec);
  assert.equal(query.status, 200, JSON.stringify(query.body));
  const result = await call(waggle, 'POST', `/1/query_results/${dataset}`, { query_id: query.body.id, disable_series: true });
  assert.equal(result.status, 201, JSON.stringify(result.body));
  return result.body.data.results.map((r: { data: Record<string, unknown> }) => r.data);
}

const resource = (service: string): unknown => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

/**
 * Every way in (OTLP/HTTP traces, OTLP/gRPC traces, OTLP logs and metrics, the Events API's single
 * events and batches) records when Waggle received the request, and `SUB(INGEST_TIMESTAMP(),
 * EVENT_TIMESTAMP())` is the ingest delay: events that started ten minutes before they were sent
 * show ~600 s, the receive time lying between the test's own clock readings around the sends.
 */
for (const [storeName, storeConfig] of SERVER_STORES) {
  describe(`INGEST_TIMESTAMP() on every ingest path (${storeName} store)`, () => {
    let waggle: Waggle;
    let sentAfterMs = 0n;
    let sentBeforeMs = 0n;
    /** Per dataset, the exact event time (ns) of its one event. */
    const eventNs = new Map<string, bigint>();

    before(async () => {
      waggle = await startTestWaggle(storeConfig);
      const tenMinutesAgoNs = (BigInt(Date.now()) - 600_000n) * NS_PER_MS;
      // Distinct, not millisecond-aligned start times: EVENT_TIMESTAMP()'s part of the delay is exact.
      for (const [i, dataset] of ['late-http', 'late-grpc', 'late-logs', 'late-metrics', 'late-event', 'late-batch'].entries()) {
        eventNs.set(dataset, tenMinutesAgoNs + BigInt(i) * 1_000_123_457n);
      }
      const ns = (dataset: string): string => eventNs.get(dataset)!.toString();
      sentBeforeMs = BigInt(Date.now());
      const otlp = `http://127.0.0.1:${waggle.ports.otlpHttp}`;
      const traces = {
        resourceSpans: [{ resource: resource('late-http'), scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'late', kind: 2, startTimeUnixNano: ns('late-http'), endTimeUnixNano: ns('late-http') }] }] }],
      };
      assert.equal(await post(`${otlp}/v1/traces`, JSON.stringify(traces)), 200);
      const logs = { resourceLogs: [{ resource: resource('late-logs'), scopeLogs: [{ logRecords: [{ timeUnixNano: ns('late-logs'), body: { stringValue: 'late' } }] }] }] };
      assert.equal(await post(`${otlp}/v1/logs`, JSON.stringify(logs)), 200);
      const metrics = {
        resourceMetrics: [{ resource: resource('late-metrics'), scopeMetrics: [{ metrics: [{ name: 'late.gauge', gauge: { dataPoints: [{ timeUnixNano: ns('late-metrics'), asInt: '7' }] } }] }] }],
      };
      assert.equal(await post(`${otlp}/v1/metrics`, JSON.stringify(metrics)), 200);
      const eventTime = (dataset: string): string => `${eventNs.get(dataset)! / 1_000_000_000n}.${(eventNs.get(dataset)! % 1_000_000_000n).toString().padStart(9, '0')}`;
      assert.equal(await post(`${waggle.baseUrl}/1/events/late-event`, JSON.stringify({ name: 'late' }), { 'x-honeycomb-event-time': eventTime('late-event') }), 200);
      assert.equal(await post(`${waggle.baseUrl}/1/batch/late-batch`, JSON.stringify([{ data: { name: 'late' }, time: new Date(Number(eventNs.get('late-batch')! / NS_PER_MS)).toISOString() }])), 200);
      // The batch's time is an RFC 3339 string with milliseconds: its event time is that millisecond.
      eventNs.set('late-batch', (eventNs.get('late-batch')! / NS_PER_MS) * NS_PER_MS);
      const { provider, tracer } = createTracerProvider(createExporter('grpc', waggle.ports), 'late-grpc');
      const start = eventNs.get('late-grpc')!;
      const hrStart: [number, number] = [Number(start / 1_000_000_000n), Number(start % 1_000_000_000n)];
      tracer.startSpan('late', { kind: SpanKind.SERVER, startTime: hrStart }).end(hrStart);
      await provider.forceFlush();
      await provider.shutdown();
      sentAfterMs = BigInt(Date.now());
      // Everything acknowledged is readable within the freshness promise: wait for all six.
      for (let i = 0; i < 100; i++) {
        const counts = await results(waggle, '__all__', { time_range: 3600, calculations: [{ op: 'COUNT' }], filters: [{ column: 'name', op: '=', value: 'late' }] }).catch(() => []);
        const logsCounted = (await results(waggle, 'late-logs', { time_range: 3600 }).catch(() => []))[0]?.['COUNT'];
        const metricsCounted = (await results(waggle, 'late-metrics', { time_range: 3600 }).catch(() => []))[0]?.['COUNT'];
        if (counts[0]?.['COUNT'] === 4 && logsCounted === 1 && metricsCounted === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    after(async () => {
      await waggle.stop();
    });

    it('creates SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP()) as a derived column typed float', async () => {
      const created = await call(waggle, 'POST', '/1/derived_columns/__all__', { alias: 'ingest_delay', expression: 'SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP())' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await call(waggle, 'POST', '/1/derived_columns/__all__', { alias: 'arrived_at', expression: 'INGEST_TIMESTAMP()' })).status, 201);
      assert.equal((await call(waggle, 'GET', '/1/derived_columns/__all__?alias=ingest_delay')).body.type, 'float');
      // Type-checked at creation like any function: it takes no argument.
      const bad = await call(waggle, 'POST', '/1/derived_columns/__all__', { alias: 'bad', expression: 'INGEST_TIMESTAMP(1)' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.position, 0);
    });

    for (const dataset of ['late-http', 'late-grpc', 'late-logs', 'late-metrics', 'late-event', 'late-batch']) {
      it(`gives ${dataset}'s event its receive time and its ingest delay, exactly`, async () => {
        const rows = await results(waggle, dataset, { time_range: 3600, breakdowns: ['arrived_at', 'ingest_delay'], calculations: [{ op: 'COUNT' }] });
        assert.equal(rows.length, 1, JSON.stringify(rows));
        const row = rows[0]!;
        assert.equal(row['COUNT'], 1);
        const arrivedS = row['arrived_at'];
        assert.equal(typeof arrivedS, 'number');
        // Whole milliseconds, between the clock readings around the sends.
        const arrivedMs = BigInt(Math.round((arrivedS as number) * 1e3));
        assert.equal(Number(arrivedMs) / 1e3, arrivedS);
        assert.ok(arrivedMs >= sentBeforeMs && arrivedMs <= sentAfterMs, `${arrivedMs} not within [${sentBeforeMs}, ${sentAfterMs}]`);
        // The delay is that receive time less the event's own (seconds, as doubles): about ten minutes.
        assert.equal(row['ingest_delay'], (arrivedS as number) - Number(eventNs.get(dataset)!) / 1e9);
        assert.ok((row['ingest_delay'] as number) > 590 && (row['ingest_delay'] as number) < 610 + Number(sentAfterMs - sentBeforeMs) / 1e3);
      });
    }

    it('filters and aggregates on the ingest delay like any column', async () => {
      const late = await results(waggle, '__all__', { time_range: 3600, calculations: [{ op: 'COUNT' }], filters: [{ column: 'ingest_delay', op: '>', value: 300 }, { column: 'name', op: '=', value: 'late' }] });
      assert.deepEqual(late, [{ COUNT: 4 }]);
    });

    it('lists no ingest-time column: only INGEST_TIMESTAMP() reads it', async () => {
      for (const dataset of ['late-http', 'late-event']) {
        const columns = await call(waggle, 'GET', `/1/columns/${dataset}`);
        assert.equal(columns.status, 200);
        const names: string[] = columns.body.map((c: { key_name: string }) => c.key_name);
        assert.deepEqual(names.filter((name) => /ingest/i.test(name)), []);
      }
      const unknown = await call(waggle, 'POST', '/1/queries/late-http', { breakdowns: ['ingest_ms'] });
      assert.equal(unknown.status, 400);
    });
  });
}
