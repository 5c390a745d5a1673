import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const TRACE_ID = '5b8efff798038103d269b633813fc60c';

function jsonRequest(spans: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'Edge' } }] },
        scopeSpans: [{ scope: { name: 'manual' }, spans }],
      },
    ],
  });
}

function span(name: string, traceId: string, spanId: string): Record<string, unknown> {
  return { traceId, spanId, name, kind: 2, startTimeUnixNano: '1763770000000000000', endTimeUnixNano: '1763770000005000000' };
}

/** Decodes a google.rpc.Status protobuf (code = field 1, message = field 2) well enough for tests. */
function decodeStatus(bytes: Uint8Array): { code: number; message: string } {
  let offset = 0;
  let code = 0;
  let message = '';
  while (offset < bytes.length) {
    const tag = bytes[offset++]!;
    if (tag === 0x08) code = bytes[offset++]!;
    else if (tag === 0x12) {
      const length = bytes[offset++]!;
      message = Buffer.from(bytes.subarray(offset, offset + length)).toString('utf8');
      offset += length;
    } else break;
  }
  return { code, message };
}

describe('OTLP/HTTP with bad input', () => {
  let waggle: Waggle;
  let url: string;
  before(async () => {
    waggle = await startTestWaggle({ maxBodyBytes: 1024 * 1024 });
    url = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers an empty JSON request with 200 and no partial success', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), {});
  });

  it('stores valid spans and reports the invalid ones as a partial success', async () => {
    const body = jsonRequest([
      span('good', TRACE_ID, 'aaaaaaaaaaaaaaaa'),
      span('zero trace', '00000000000000000000000000000000', 'bbbbbbbbbbbbbbbb'),
      span('short span id', TRACE_ID, 'cccccc'),
    ]);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(answer.partialSuccess.rejectedSpans, '2');
    assert.match(answer.partialSuccess.errorMessage, /^rejected 2 of 3 spans/);
    await waggle.ingest.flushNow();
    const trace = (await (await fetch(`${waggle.baseUrl}/api/traces/${TRACE_ID}`)).json()) as { spans: Array<{ name: string }> };
    assert.deepEqual(trace.spans.map((s) => s.name), ['good']);
  });

  it('accepts uppercase hex ids and stores them lowercase, with the dataset header overriding the service', async () => {
    const upper = 'ABCDEF0123456789ABCDEF0123456789';
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-honeycomb-dataset': 'Shop' },
      body: jsonRequest([span('upper', upper, 'ABCDEF0123456789')]),
    });
    assert.equal(response.status, 200);
    await waggle.ingest.flushNow();
    const trace = (await (await fetch(`${waggle.baseUrl}/api/traces/${upper.toLowerCase()}`)).json()) as { spans: Array<Record<string, unknown>> };
    assert.equal(trace.spans[0]?.['trace.span_id'], 'abcdef0123456789');
    assert.equal(trace.spans[0]?.['service.name'], 'Edge');
    const datasets = await waggle.store.listDatasets();
    assert.ok(datasets.some((d) => d.name === 'Shop' && d.slug === 'shop'));
  });

  it('answers undecodable protobuf with 400 and a protobuf Status', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]) });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
    const status = decodeStatus(new Uint8Array(await response.arrayBuffer()));
    assert.equal(status.code, 3);
    assert.ok(status.message.length > 0);
  });

  it('answers malformed JSON with 400 and a JSON Status', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": [' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const status = (await response.json()) as { code: number; message: string };
    assert.equal(status.code, 3);
  });

  it('answers other content types with 415', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(response.status, 415);
    const status = (await response.json()) as { message: string };
    assert.match(status.message, /unsupported Content-Type 'text\/plain'/);
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) });
    assert.equal(response.status, 413);
  });

  it('refuses a gzip bomb with 413 without inflating it fully', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 1024 * 1024);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    assert.equal(response.status, 413);
    const status = (await response.json()) as { code: number; message: string };
    assert.equal(status.code, 8);
    assert.match(status.message, /after decompression/);
  });

  it('answers corrupt gzip with 400', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip at all' });
    assert.equal(response.status, 400);
  });

  it('answers an unknown content encoding with 415', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: '{}' });
    assert.equal(response.status, 415);
  });

  it('answers a CORS preflight so browser exporters can send', async () => {
    const response = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /content-type/);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it('rejects JSON nested 20 000 deep with 400 and keeps serving', async () => {
    const deep = '{"arrayValue":{"values":['.repeat(20_000) + ']}}'.repeat(20_000);
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"dddddddddddddddd","attributes":[{"key":"deep","value":${deep}}]}]}]}]}`;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(response.status, 400);
    const health = await fetch(`${waggle.baseUrl}/healthz`);
    assert.equal(health.status, 200);
  });

  it('answers malformed trace ids on the trace API with 400 and unknown ones with 404', async () => {
    const bad = await fetch(`${waggle.baseUrl}/api/traces/not-a-trace`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /not a trace id/);
    const unknown = await fetch(`${waggle.baseUrl}/api/traces/${'1'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: `no trace with id ${'1'.repeat(32)}` });
  });

  it('answers unknown endpoints with a JSON 404 and wrong methods with 405', async () => {
    const missing = await fetch(`${waggle.baseUrl}/api/nothing`);
    assert.equal(missing.status, 404);
    const wrongMethod = await fetch(url);
    assert.equal(wrongMethod.status, 405);
  });
});
