/**
 * Every route × key permission → status, over HTTP (both ports) and gRPC, against a real server
 * whose data directory holds one key per permission.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ROUTE_PERMISSIONS, requirementFor } from '../../src/auth/route-permissions.js';
import type { Permission } from '../../src/auth/permissions.js';
import { dataDirWithKeys } from '../support/auth-keys-fixture.js';
import { encodeWideRequest } from '../support/otlp-wide-request.js';
import { paddedOtlpJsonRequest } from '../support/padded-otlp-request.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type Keys = Awaited<ReturnType<typeof dataDirWithKeys>>;

const TRACE_ID = 'a'.repeat(32);

/** A concrete URL for a route pattern; `svc` exists (events were sent to it), ids do not. */
function concrete(pattern: string): string {
  return pattern.replace(':dataset', 'svc').replace(':slug', 'svc').replace(':traceId', TRACE_ID).replace(':id', 'nope');
}

/** What each route answers a key that may call it, for the request the test sends (`{}` as body). */
const ALLOWED_STATUS: Record<string, number> = {
  'GET /healthz': 200,
  'GET /readyz': 200,
  'GET /metrics': 200,
  'POST /v1/traces': 200,
  'POST /v1/logs': 200,
  'POST /v1/metrics': 200,
  'POST /1/events/:dataset': 200,
  'POST /1/batch/:dataset': 200,
  'GET /1/auth': 200,
  'GET /api/session': 200,
  'POST /api/session': 400,
  'DELETE /api/session': 200,
  'GET /api/keys': 200,
  'POST /api/keys': 400,
  'DELETE /api/keys/:id': 404,
  'GET /1/datasets': 200,
  'GET /1/datasets/:slug': 200,
  'POST /1/datasets': 400,
  'PUT /1/datasets/:slug': 200,
  'GET /1/columns/:dataset': 200,
  'GET /1/columns/:dataset/:id': 404,
  'POST /1/columns/:dataset': 400,
  'PUT /1/columns/:dataset/:id': 404,
  'DELETE /1/columns/:dataset/:id': 404,
  'POST /1/queries/:dataset': 200,
  'GET /1/queries/:dataset/:id': 404,
  'POST /1/query_results/:dataset': 400,
  'GET /1/query_results/:dataset/:id': 404,
  'POST /api/query': 400,
  'GET /api/autocomplete': 200,
  'GET /api/raw-events': 200,
  'GET /api/traces': 200,
  'GET /api/traces/:traceId': 404,
  'POST /api/trace-search/:dataset': 200,
  'GET /api/traces/:traceId/logs': 200,
  'POST /api/bubbleup/:dataset': 400,
  'GET /api/service-map': 200,
  'GET /1/query_annotations/:dataset': 200,
  'GET /1/query_annotations/:dataset/:id': 404,
  'POST /1/query_annotations/:dataset': 400,
  'PUT /1/query_annotations/:dataset/:id': 404,
  'DELETE /1/query_annotations/:dataset/:id': 404,
  'GET /1/boards': 200,
  'GET /1/boards/:id': 404,
  'POST /1/boards': 400,
  'PUT /1/boards/:id': 404,
  'DELETE /1/boards/:id': 404,
  'GET /1/derived_columns/:dataset': 200,
  'GET /1/derived_columns/:dataset/:id': 404,
  'POST /1/derived_columns/:dataset': 400,
  'PUT /1/derived_columns/:dataset/:id': 404,
  'DELETE /1/derived_columns/:dataset/:id': 404,
  'GET /1/recipients': 200,
  'GET /1/recipients/:id': 404,
  'POST /1/recipients': 400,
  'PUT /1/recipients/:id': 404,
  'DELETE /1/recipients/:id': 404,
  'GET /1/triggers/:dataset': 200,
  'GET /1/triggers/:dataset/:id': 404,
  'POST /1/triggers/:dataset': 400,
  'PUT /1/triggers/:dataset/:id': 404,
  'DELETE /1/triggers/:dataset/:id': 404,
  'GET /api/triggers/:dataset/:id/history': 404,
  'GET /1/slos/:dataset': 200,
  'GET /1/slos/:dataset/:id': 404,
  'POST /1/slos/:dataset': 400,
  'PUT /1/slos/:dataset/:id': 404,
  'DELETE /1/slos/:dataset/:id': 404,
  'GET /api/slos/:dataset/:id/report': 404,
  'GET /1/burn_alerts/:dataset': 200,
  'GET /1/burn_alerts/:dataset/:id': 404,
  'POST /1/burn_alerts/:dataset': 400,
  'PUT /1/burn_alerts/:dataset/:id': 404,
  'DELETE /1/burn_alerts/:dataset/:id': 404,
  'GET /api/burn_alerts/:dataset/:id/history': 404,
  'GET /1/markers/:dataset': 200,
  'POST /1/markers/:dataset': 201,
  'PUT /1/markers/:dataset/:id': 404,
  'DELETE /1/markers/:dataset/:id': 404,
};

async function call(waggle: Waggle, method: string, pattern: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const port = pattern.startsWith('/v1/') || pattern.startsWith('/1/events') || pattern.startsWith('/1/batch') ? waggle.ports.otlpHttp : waggle.ports.http;
  const hasBody = method === 'POST' || method === 'PUT';
  const response = await fetch(`http://127.0.0.1:${port}${concrete(pattern)}`, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: hasBody ? (pattern.startsWith('/1/batch') ? '[]' : '{}') : null,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: compared as text
  }
  return { status: response.status, body };
}

function otherThan(permission: Permission): Permission {
  return permission === 'send_events' ? 'run_queries' : 'send_events';
}

describe('route permissions', () => {
  let waggle: Waggle;
  let keys: Keys;

  before(async () => {
    keys = await dataDirWithKeys();
    waggle = await startTestWaggle({ dataDir: keys.dataDir });
    const sent = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/1/events/svc`, { method: 'POST', headers: { 'x-honeycomb-team': keys.all, 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.equal(sent.status, 200);
  });
  after(async () => waggle.stop());

  it('has a row for every route the server serves', () => {
    const missing = waggle.routes.filter((r) => requirementFor(r.method, r.pattern.replace(/:\w+/g, 'x')) === undefined);
    assert.deepEqual(missing, []);
  });

  for (const rule of ROUTE_PERMISSIONS) {
    const name = `${rule.method} ${rule.pattern}`;
    it(`${name} (${rule.needs}): 401 without a key, 403 with a key lacking it, served with it`, async (t) => {
      if (!waggle.routes.some((r) => r.method === rule.method && r.pattern === rule.pattern)) {
        t.skip('not served by this build');
        return;
      }
      if (rule.needs === 'none') {
        const open = await call(waggle, rule.method, rule.pattern, {});
        assert.equal(open.status, ALLOWED_STATUS[name]);
        return;
      }
      const permission = rule.needs === 'any_key' ? undefined : rule.needs;
      const missing = await call(waggle, rule.method, rule.pattern, {});
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.body, rule.pattern.startsWith('/v1/')
        ? { code: 16, message: `this request needs an API key with the permission ${permission}: send it as X-Honeycomb-Team: <key> or Authorization: Bearer <key> (create one with: waggle keys create --name <name>)` }
        : { error: `this request needs ${permission === undefined ? 'an API key' : `an API key with the permission ${permission}`}: send it as X-Honeycomb-Team: <key> or Authorization: Bearer <key> (create one with: waggle keys create --name <name>)`, ...(permission ? { permission } : {}) });
      const unknown = await call(waggle, rule.method, rule.pattern, { authorization: `Bearer wgk_0000000000000000_${'A'.repeat(43)}` });
      assert.equal(unknown.status, 401);
      if (permission !== undefined) {
        const lacking = keys.only[otherThan(permission)];
        const denied = await call(waggle, rule.method, rule.pattern, { 'x-honeycomb-team': lacking });
        assert.equal(denied.status, 403);
        const other = otherThan(permission);
        const message = `the key 'only ${other}' (${keys.ids[other]}) lacks the permission ${permission}`;
        assert.deepEqual(denied.body, rule.pattern.startsWith('/v1/') ? { code: 7, message } : { error: message, permission });
      }
      const allowedKey = permission === undefined ? keys.only.send_events : keys.only[permission];
      const allowed = await call(waggle, rule.method, rule.pattern, { authorization: `Bearer ${allowedKey}` });
      assert.equal(allowed.status, ALLOWED_STATUS[name], JSON.stringify(allowed.body));
    });
  }

  it('answers an unknown API path 401 without a key and 404 with one', async () => {
    assert.equal((await call(waggle, 'GET', '/1/nothing-here', {})).status, 401);
    assert.deepEqual(await call(waggle, 'GET', '/1/nothing-here', { 'x-honeycomb-team': keys.only.send_events }), { status: 404, body: { error: 'no such endpoint: GET /1/nothing-here' } });
  });

  it('answers the ingest CORS preflight without a key, allowing both ways of sending one', async () => {
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
      method: 'OPTIONS',
      headers: { origin: 'http://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-honeycomb-team, authorization, content-type' },
    });
    assert.equal(response.status, 204);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(', ');
    assert.ok(allowed.includes('x-honeycomb-team') && allowed.includes('authorization'), allowed.join(', '));
  });

  it('serves the UI files and /healthz without a key', async () => {
    assert.equal((await fetch(`${waggle.baseUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/healthz`)).status, 200);
  });

  it('refuses events that would create a dataset from a key without create_datasets, and takes them for an existing one', async () => {
    const post = (dataset: string, key: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/1/events/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: '{"a":1}' });
    const denied = await post('brand-new', keys.only.send_events);
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), {
      error: `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission create_datasets, which sending to the new dataset 'brand-new' needs`,
      permission: 'create_datasets',
    });
    assert.equal((await post('svc', keys.only.send_events)).status, 200);
  });

  it('refuses OTLP spans whose service.name would create a dataset from a key without create_datasets, and takes them for an existing one', async () => {
    const post = (service: string, key: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' },
        body: paddedOtlpJsonRequest({ service, spans: 2, paddingBytes: 8, durationMs: 1 }),
      });
    const denied = await post('otlp-new', keys.only.send_events);
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), {
      code: 7,
      message: `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission create_datasets, which sending to the new dataset 'otlp-new' needs`,
    });
    // Nothing of it was stored: the dataset still does not exist.
    const lookup = (slug: string): Promise<Response> => fetch(`${waggle.baseUrl}/1/datasets/${slug}`, { headers: { 'x-honeycomb-team': keys.all } });
    assert.equal((await lookup('otlp-new')).status, 404);
    assert.equal((await post('svc', keys.only.send_events)).status, 200);
    // A key with create_datasets starts it.
    assert.equal((await post('otlp-new', keys.all)).status, 200);
    assert.equal((await lookup('otlp-new')).status, 200);
  });

  it('refuses OTLP logs and metrics whose service.name would create a dataset from a key without create_datasets', async () => {
    const nowNs = `${BigInt(Date.now()) * 1_000_000n}`;
    const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
    const logs = (service: string) => ({ resourceLogs: [{ resource: resource(service), scopeLogs: [{ logRecords: [{ timeUnixNano: nowNs, severityText: 'INFO', body: { stringValue: 'hello' } }] }] }] });
    const metrics = (service: string) => ({
      resourceMetrics: [{ resource: resource(service), scopeMetrics: [{ metrics: [{ name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: nowNs, asInt: '3' }] } }] }] }],
    });
    const post = (route: string, body: unknown, key: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}${route}`, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const [route, body] of [['/v1/logs', logs('logs-new')], ['/v1/metrics', metrics('metrics-new')]] as const) {
      const dataset = route === '/v1/logs' ? 'logs-new' : 'metrics-new';
      const denied = await post(route, body, keys.only.send_events);
      assert.equal(denied.status, 403, route);
      assert.deepEqual(await denied.json(), {
        code: 7,
        message: `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission create_datasets, which sending to the new dataset '${dataset}' needs`,
      });
      assert.equal((await post(route, route === '/v1/logs' ? logs('svc') : metrics('svc'), keys.only.send_events)).status, 200, route);
    }
  });

  it('answers OTLP/HTTP protobuf requests without a key with a protobuf google.rpc.Status', async () => {
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(0) });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0x08, 16]);
  });

  describe('gRPC', () => {
    function exportWith(metadata: Record<string, string>, request: Buffer = Buffer.alloc(0)): Promise<{ code: grpc.status; details: string }> {
      const client = new grpc.Client(`127.0.0.1:${waggle.ports.otlpGrpc}`, grpc.credentials.createInsecure());
      const meta = new grpc.Metadata();
      for (const [k, v] of Object.entries(metadata)) meta.set(k, v);
      const identity = (value: Buffer): Buffer => value;
      return new Promise((resolve) => {
        client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, request, meta, (error: grpc.ServiceError | null) => {
          client.close();
          resolve({ code: error ? error.code : grpc.status.OK, details: error ? error.details : '' });
        });
      });
    }
    const needs = 'this request needs an API key with the permission send_events';

    it('UNAUTHENTICATED without a key', async () => {
      assert.deepEqual(await exportWith({}), { code: grpc.status.UNAUTHENTICATED, details: `${needs}: send it as X-Honeycomb-Team: <key> or Authorization: Bearer <key> (create one with: waggle keys create --name <name>)` });
    });
    it('UNAUTHENTICATED with an unknown key', async () => {
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': `wgk_0123456789abcdef_${'B'.repeat(43)}` }), { code: grpc.status.UNAUTHENTICATED, details: `unknown API key: ${needs}` });
    });
    it('PERMISSION_DENIED with a key lacking send_events', async () => {
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': keys.only.run_queries }), {
        code: grpc.status.PERMISSION_DENIED,
        details: `the key 'only run_queries' (${keys.ids['run_queries']}) lacks the permission send_events`,
      });
    });
    it('PERMISSION_DENIED for a new x-honeycomb-dataset without create_datasets', async () => {
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': keys.only.send_events, 'x-honeycomb-dataset': 'another-new' }), {
        code: grpc.status.PERMISSION_DENIED,
        details: `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission create_datasets, which sending to the new dataset 'another-new' needs`,
      });
    });
    it('PERMISSION_DENIED for spans whose service.name would create a dataset without create_datasets, OK with it', async () => {
      const request = encodeWideRequest('grpc-new', [{ traceIdHex: 'b'.repeat(32), spanIdHex: 'c'.repeat(16), name: 'op', startNs: BigInt(Date.now()) * 1_000_000n, durationNs: 1_000n, attributes: [] }]);
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': keys.only.send_events }, request), {
        code: grpc.status.PERMISSION_DENIED,
        details: `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission create_datasets, which sending to the new dataset 'grpc-new' needs`,
      });
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': keys.all }, request), { code: grpc.status.OK, details: '' });
      // Now that it exists, sending to it needs send_events only.
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': keys.only.send_events }, request), { code: grpc.status.OK, details: '' });
    });
    it('OK with an ingest key, in x-honeycomb-team or as a bearer token', async () => {
      assert.deepEqual(await exportWith({ 'x-honeycomb-team': keys.only.send_events }), { code: grpc.status.OK, details: '' });
      assert.deepEqual(await exportWith({ authorization: `Bearer ${keys.only.send_events}` }), { code: grpc.status.OK, details: '' });
    });
  });
});
