import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createExporter, createTracerProvider, type ExporterKind } from '../support/otel-test-exporters.js';
import { readPrometheusText, sampleValue, type PrometheusSample } from '../support/prometheus-text-reader.js';
import { rawHttpExchange } from '../support/raw-http-exchange.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/** Three spans through a real exporter: SimpleSpanProcessor sends one request per span. */
async function exportThreeSpans(waggle: Waggle, kind: ExporterKind): Promise<void> {
  const { provider, tracer } = createTracerProvider(createExporter(kind, waggle.ports), `metrics-${kind}`);
  for (let i = 0; i < 3; i++) tracer.startSpan(`op-${i}`).end();
  await provider.forceFlush();
  await provider.shutdown();
}

async function scrape(waggle: Waggle): Promise<PrometheusSample[]> {
  const response = await fetch(`${waggle.baseUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return readPrometheusText(await response.text());
}

function otlpJson(spans: Array<{ traceId: string; spanId: string }>): string {
  const now = Date.now();
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'metrics-raw' } }] },
      scopeSpans: [{ spans: spans.map((ids) => ({ ...ids, name: 'raw', kind: 1, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 1}000000` })) }],
    }],
  });
}

describe('GET /metrics', () => {
  let waggle: Waggle;
  let samples: PrometheusSample[];
  before(async () => {
    waggle = await startTestWaggle();
    for (const kind of ['http-json', 'http-proto', 'grpc'] as const) await exportThreeSpans(waggle, kind);
    const otlpUrl = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
    // One valid span and one with an all-zero trace id: a partial success.
    const partial = await fetch(otlpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpJson([{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }, { traceId: '00000000000000000000000000000000', spanId: 'b7ad6b7169203332' }]),
    });
    assert.equal(partial.status, 200);
    assert.match(await partial.text(), /rejected 1 of 2 spans/);
    const wrongType = await fetch(otlpUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(wrongType.status, 415);
    await wrongType.arrayBuffer();
    const batch = await fetch(`${waggle.baseUrl}/1/batch/metrics-hc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ data: { name: 'a' } }, 'not an item', { data: { name: 'b' } }]),
    });
    assert.deepEqual(await batch.json(), [{ status: 202 }, { status: 400, error: 'batch item must be an object {data, time?, samplerate?}' }, { status: 202 }]);
    const malformed = await fetch(`${waggle.baseUrl}/1/events/metrics-hc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    assert.equal(malformed.status, 400);
    await malformed.arrayBuffer();
    await waggle.ingest.flushNow();
    const columns = await fetch(`${waggle.baseUrl}/1/columns/metrics-hc`);
    assert.equal(columns.status, 200);
    await columns.arrayBuffer();
    const missing = await fetch(`${waggle.baseUrl}/api/no-such-endpoint-${Date.now()}`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
    const query = await fetch(`${waggle.baseUrl}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'metrics-hc', q: 'VISUALIZE COUNT' }) });
    assert.equal(query.status, 200, await query.clone().text());
    await query.arrayBuffer();
    samples = await scrape(waggle);
  });
  after(async () => {
    await waggle.stop();
  });

  it('counts ingest requests acknowledged and refused, by transport and reason', () => {
    assert.equal(sampleValue(samples, 'waggle_ingest_requests_acknowledged_total', { transport: 'otlp_http' }), 7);
    assert.equal(sampleValue(samples, 'waggle_ingest_requests_acknowledged_total', { transport: 'otlp_grpc' }), 3);
    assert.equal(sampleValue(samples, 'waggle_ingest_requests_acknowledged_total', { transport: 'honeycomb' }), 1);
    assert.equal(sampleValue(samples, 'waggle_ingest_requests_refused_total', { transport: 'otlp_http', reason: 'unsupported_media_type' }), 1);
    assert.equal(sampleValue(samples, 'waggle_ingest_requests_refused_total', { transport: 'honeycomb', reason: 'bad_request' }), 1);
    assert.equal(sampleValue(samples, 'waggle_ingest_request_duration_seconds_count', { transport: 'otlp_http', outcome: 'acknowledged' }), 7);
    assert.equal(sampleValue(samples, 'waggle_ingest_request_duration_seconds_count', { transport: 'otlp_http', outcome: 'refused' }), 1);
    assert.equal(sampleValue(samples, 'waggle_ingest_request_duration_seconds_count', { transport: 'otlp_grpc', outcome: 'acknowledged' }), 3);
  });

  it('counts spans and events received, accepted and refused, by transport and reason', () => {
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_received_total', { transport: 'otlp_http' }), 8);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_accepted_total', { transport: 'otlp_http' }), 7);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_refused_total', { transport: 'otlp_http', reason: 'invalid' }), 1);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_received_total', { transport: 'otlp_grpc' }), 3);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_accepted_total', { transport: 'otlp_grpc' }), 3);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_refused_total', { transport: 'otlp_grpc', reason: 'invalid' }), undefined);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_received_total', { transport: 'honeycomb' }), 3);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_accepted_total', { transport: 'honeycomb' }), 2);
    assert.equal(sampleValue(samples, 'waggle_ingest_spans_refused_total', { transport: 'honeycomb', reason: 'invalid' }), 1);
  });

  it('times HTTP requests by route pattern, never by raw path', () => {
    const count = (labels: Record<string, string>): number | undefined => sampleValue(samples, 'waggle_http_request_duration_seconds_count', labels);
    assert.equal(count({ server: 'otlp_http', method: 'POST', route: '/v1/traces', status: '200' }), 7);
    assert.equal(count({ server: 'otlp_http', method: 'POST', route: '/v1/traces', status: '415' }), 1);
    assert.equal(count({ server: 'main', method: 'POST', route: '/1/batch/:dataset', status: '200' }), 1);
    assert.equal(count({ server: 'main', method: 'POST', route: '/1/events/:dataset', status: '400' }), 1);
    assert.equal(count({ server: 'main', method: 'GET', route: '/1/columns/:dataset', status: '200' }), 1);
    assert.equal(count({ server: 'main', method: 'POST', route: '/api/query', status: '200' }), 1);
    assert.equal(count({ server: 'main', method: 'GET', route: 'unmatched', status: '404' }), 1);
    const routes = new Set(samples.filter((s) => s.name === 'waggle_http_request_duration_seconds_count').map((s) => s.labels['route']));
    assert.deepEqual([...routes].sort(), ['/1/batch/:dataset', '/1/columns/:dataset', '/1/events/:dataset', '/api/query', '/v1/traces', 'unmatched']);
  });

  it('reports queries run, the queue, readiness and the store', () => {
    assert.equal(sampleValue(samples, 'waggle_query_duration_seconds_count', { outcome: 'ok' }), 1);
    assert.equal(sampleValue(samples, 'waggle_query_duration_seconds_count', { outcome: 'timed_out' }), undefined);
    assert.equal(sampleValue(samples, 'waggle_queries_waiting'), 0);
    assert.equal(sampleValue(samples, 'waggle_ready'), 1);
    assert.equal(sampleValue(samples, 'waggle_store_queued_events'), 0);
    assert.equal(sampleValue(samples, 'waggle_store_consecutive_commit_failures'), 0);
    assert.equal(sampleValue(samples, 'waggle_store_quarantined_requests_total'), 0);
    assert.equal(sampleValue(samples, 'waggle_store_failed_commit_reopens_total'), 0);
    assert.equal(sampleValue(samples, 'waggle_store_commit_failures_total'), 0);
    assert.equal(sampleValue(samples, 'waggle_auth_failures_total'), undefined);
    // Commits the ingest service asked for: at least the flushNow above, which committed queued events.
    const commits = sampleValue(samples, 'waggle_store_commit_duration_seconds_count') ?? 0;
    assert.ok(commits >= 1, `commits: ${commits}`);
    assert.equal(sampleValue(samples, 'waggle_store_commit_events_count'), commits);
    const walBytes = sampleValue(samples, 'waggle_wal_bytes') ?? -1;
    const dataDirBytes = sampleValue(samples, 'waggle_data_dir_bytes') ?? -1;
    assert.ok(walBytes > 0 && dataDirBytes > walBytes, `wal ${walBytes}, data dir ${dataDirBytes}`);
    assert.ok((sampleValue(samples, 'waggle_data_dir_free_bytes') ?? 0) > 0);
  });

  it('includes the default process metrics: CPU, resident memory, event loop lag', () => {
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.equal(typeof sampleValue(samples, name), 'number', name);
    }
  });

  it('answers any Host, as /healthz does (Prometheus scrapes by IP or service name)', async () => {
    const answer = await rawHttpExchange(waggle.ports.http, 'GET /metrics HTTP/1.1\r\nHost: waggle:8080\r\nConnection: close\r\n\r\n');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^# HELP /);
    const foreign = await rawHttpExchange(waggle.ports.http, 'GET /1/datasets HTTP/1.1\r\nHost: waggle:8080\r\nConnection: close\r\n\r\n');
    assert.equal(foreign.status, 403);
  });
});
