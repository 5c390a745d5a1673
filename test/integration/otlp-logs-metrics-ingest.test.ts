import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnWaggle, waitForExit } from '../support/waggle-process.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { SERVER_STORES } from '../support/store-backends.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const TIME = '1763770000000000000';

function logsRequest(records: Array<Record<string, unknown>>, service = 'shop'): string {
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: records }] }] });
}

function metricsRequest(service = 'shop'): string {
  const points = [{ timeUnixNano: TIME, asInt: '7', attributes: [{ key: 'http.route', value: { stringValue: '/a' } }] }];
  return JSON.stringify({
    resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeMetrics: [{ metrics: [{ name: 'requests', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points } }] }] }],
  });
}

async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; type: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : Uint8Array.from(body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), type: response.headers.get('content-type') };
}

async function query(base: string, dataset: string, q: string): Promise<unknown> {
  const response = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset, q }) });
  const body = (await response.json()) as { data?: { results: unknown[] } };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.data!.results;
}

for (const [storeName, storeConfig] of SERVER_STORES) describe(`OTLP/HTTP logs and metrics receivers (${storeName} store)`, () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle({ ...storeConfig, maxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await waggle.stop();
  });

  for (const signal of ['logs', 'metrics'] as const) {
    it(`answers malformed ${signal} JSON with 400 and a google.rpc.Status naming the problem`, async () => {
      const response = await post(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/${signal}`, '{"resource');
      assert.equal(response.status, 400);
      assert.equal(response.type, 'application/json');
      const body = response.body as { code: number; message: string };
      assert.equal(body.code, 3);
      assert.match(body.message, new RegExp(`^invalid OTLP JSON ${signal} request: the body is not valid JSON`));
    });

    it(`answers a ${signal} body over the limit after gzip with 413`, async () => {
      const huge = zlib.gzipSync(Buffer.alloc(200 * 1024, 0x20));
      const response = await post(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/${signal}`, huge, { 'content-encoding': 'gzip' });
      assert.equal(response.status, 413);
      assert.equal((response.body as { code: number }).code, 8);
    });

    it(`answers an unknown content type on /v1/${signal} with 415`, async () => {
      const response = await post(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/${signal}`, '{}', { 'content-type': 'text/plain' });
      assert.equal(response.status, 415);
    });
  }

  it('answers a partial success in the logs field names of OTLP/JSON, and takes logs on the main port too', async () => {
    const response = await post(`${waggle.baseUrl}/v1/logs`, logsRequest([{ timeUnixNano: TIME, spanId: 'abcd', body: { stringValue: 'bad' } }, { timeUnixNano: TIME, body: { stringValue: 'good' } }]));
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { partialSuccess: { rejectedLogRecords: '1', errorMessage: 'rejected 1 of 2 log records: log record 0 has a span id of 2 bytes (expected none or 8 bytes)' } });
  });

  it('answers a metrics partial success with rejectedDataPoints', async () => {
    const body = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: '', gauge: { dataPoints: [{ asDouble: 1 }] } }] }] }] });
    const response = await post(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/metrics`, body);
    assert.deepEqual(response.body, { partialSuccess: { rejectedDataPoints: '1', errorMessage: "rejected 1 of 1 data point: a data point of metric '' has no name" } });
  });

  it('sends logs and metrics to the x-honeycomb-dataset named dataset', async () => {
    assert.equal((await post(`${waggle.baseUrl}/v1/metrics`, metricsRequest(), { 'x-honeycomb-dataset': 'ops' })).status, 200);
    await waggle.ingest.flushNow();
    assert.deepEqual(await query(waggle.baseUrl, 'ops', 'VISUALIZE MAX(requests) GROUP BY service.name LAST 3650d'), [{ data: { 'service.name': 'shop', 'MAX(requests)': 7 } }]);
  });

  it('tells metric columns apart in autocomplete', async () => {
    assert.equal((await post(`${waggle.baseUrl}/v1/metrics`, metricsRequest(), { 'x-honeycomb-dataset': 'ops2' })).status, 200);
    assert.equal((await post(`${waggle.baseUrl}/v1/logs`, logsRequest([{ timeUnixNano: TIME, body: { stringValue: 'x' }, attributes: [{ key: 'requests.note', value: { stringValue: 'y' } }] }]), { 'x-honeycomb-dataset': 'ops2' })).status, 200);
    await waggle.ingest.flushNow();
    const response = await fetch(`${waggle.baseUrl}/api/autocomplete?${new URLSearchParams({ dataset: 'ops2', q: 'VISUALIZE COUNT GROUP BY requests' }).toString()}`);
    const { completions } = (await response.json()) as { completions: Array<{ label: string; detail?: string }> };
    assert.deepEqual(
      completions.filter((c) => c.label.startsWith('requests')).map((c) => [c.label, c.detail]),
      [
        ['requests', 'integer · metric'],
        ['requests.monotonic', 'boolean · metric'],
        ['requests.note', 'string'],
        ['requests.temporality', 'string · metric'],
      ],
    );
  });
});

describe('acknowledged logs and metrics after a crash', () => {
  it('replays them from the write-ahead log through the same decoders', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-logs-replay-'));
    try {
      // No commit by the timer: everything acknowledged is only in the WAL when the process dies.
      const writer = await spawnWaggle(['--data-dir', dataDir, '--flush-interval-ms', '3600000']);
      const logs = await post(`http://127.0.0.1:${writer.ports.otlpHttp}/v1/logs`, zlib.gzipSync(logsRequest([{ timeUnixNano: TIME, body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'hi' } }] } } }])), {
        'content-encoding': 'gzip',
      });
      const metrics = await post(`http://127.0.0.1:${writer.ports.otlpHttp}/v1/metrics`, metricsRequest());
      // A compressed request of spans too: replay used to skip every compressed body (zlib refused its "no limit").
      const span = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /a', startTimeUnixNano: TIME, endTimeUnixNano: TIME };
      const spans = await post(`http://127.0.0.1:${writer.ports.otlpHttp}/v1/traces`, zlib.deflateSync(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })), { 'content-encoding': 'deflate' });
      assert.equal(spans.status, 200);
      assert.equal(logs.status, 200);
      assert.equal(metrics.status, 200);
      writer.child.kill('SIGKILL');
      await waitForExit(writer.child);

      const reader = await spawnWaggle(['--data-dir', dataDir]);
      try {
        const base = `http://127.0.0.1:${reader.ports.http}`;
        assert.deepEqual(await query(base, 'shop', 'VISUALIZE COUNT GROUP BY meta.signal_type, body.msg, requests ORDER BY meta.signal_type LAST 3650d'), [
          { data: { 'meta.signal_type': 'log', 'body.msg': 'hi', requests: null, COUNT: 1 } },
          { data: { 'meta.signal_type': 'metric', 'body.msg': null, requests: 7, COUNT: 1 } },
        ]);
        assert.equal((await fetch(`${base}/api/traces/5b8efff798038103d269b633813fc60c`)).status, 200);
      } finally {
        reader.child.kill('SIGKILL');
        await waitForExit(reader.child);
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('large logs requests', () => {
  it('decodes a logs body of several MiB (in the decode worker, as for traces) and stores every record', async () => {
    const waggle = await startTestWaggle();
    try {
      const records = Array.from({ length: 6000 }, (_, i) => ({ timeUnixNano: TIME, severityText: 'INFO', body: { stringValue: `line ${i} ${'x'.repeat(400)}` } }));
      const body = logsRequest(records, 'big');
      assert.ok(body.length > 2 * 1024 * 1024, String(body.length));
      const response = await post(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/logs`, zlib.gzipSync(body), { 'content-encoding': 'gzip' });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, {});
      await waggle.ingest.flushNow();
      assert.deepEqual(await query(waggle.baseUrl, 'big', 'VISUALIZE COUNT LAST 3650d'), [{ data: { COUNT: 6000 } }]);
    } finally {
      await waggle.stop();
    }
  });
});
