import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PERMISSIONS } from '../../src/auth/permissions.js';
import { dataDirWithKeys } from '../support/auth-keys-fixture.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type Keys = Awaited<ReturnType<typeof dataDirWithKeys>>;

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('GET /1/auth, sessions and the keys API', () => {
  let waggle: Waggle;
  let keys: Keys;

  before(async () => {
    keys = await dataDirWithKeys();
    waggle = await startTestWaggle({ dataDir: keys.dataDir });
  });
  after(async () => waggle.stop());

  it('GET /1/auth describes the key sent, in Honeycomb\'s shape', async () => {
    const response = await fetch(`${waggle.baseUrl}/1/auth`, { headers: { 'x-honeycomb-team': keys.only.send_events } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      id: keys.ids['send_events'],
      type: 'ingest',
      name: 'only send_events',
      api_key_access: { events: true, markers: false, triggers: false, boards: false, queries: false, columns: false, createDatasets: false, create_datasets: false, slos: false, recipients: false, privateBoards: false },
      permissions: ['send_events'],
      environment: { name: 'Default', slug: 'default' },
      team: { name: 'Waggle', slug: 'waggle' },
    });
    const all = (await (await fetch(`${waggle.baseUrl}/1/auth`, { headers: { authorization: `Bearer ${keys.all}` } })).json()) as Record<string, unknown>;
    assert.equal(all['type'], 'configuration');
    assert.deepEqual(all['permissions'], [...PERMISSIONS]);
  });

  it('signs in with a run_queries key into an HttpOnly SameSite=Strict cookie holding a session id, and signs out', async () => {
    const signIn = await fetch(`${waggle.baseUrl}/api/session`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ key: keys.only.run_queries }) });
    assert.equal(signIn.status, 200);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^waggle_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
    assert.ok(!cookie.includes(keys.only.run_queries));
    const body = (await signIn.json()) as { auth: string; key: Record<string, unknown> };
    assert.equal(body.auth, 'on');
    assert.equal(body.key['id'], keys.ids['run_queries']);
    const session = cookie.split(';')[0]!;
    assert.equal((await fetch(`${waggle.baseUrl}/1/datasets`, { headers: { cookie: session } })).status, 200);
    const write = await fetch(`${waggle.baseUrl}/1/boards`, { method: 'POST', headers: { ...JSON_HEADERS, cookie: session }, body: '{"name":"b"}' });
    assert.equal(write.status, 403);
    assert.deepEqual(await write.json(), { error: `the key 'only run_queries' (${keys.ids['run_queries']}) lacks the permission manage_boards`, permission: 'manage_boards' });
    const who = (await (await fetch(`${waggle.baseUrl}/api/session`, { headers: { cookie: session } })).json()) as { auth: string; key: { name: string }; ingest: unknown };
    assert.deepEqual([who.auth, who.key.name], ['on', 'only run_queries']);
    // Where OTLP is received (the UI's getting-started snippet), with or without a session.
    assert.deepEqual(who.ingest, { otlp_http_port: waggle.ports.otlpHttp, otlp_grpc_port: waggle.ports.otlpGrpc });
    const anonymous = (await (await fetch(`${waggle.baseUrl}/api/session`)).json()) as Record<string, unknown>;
    assert.deepEqual(anonymous, { auth: 'on', key: null, ingest: { otlp_http_port: waggle.ports.otlpHttp, otlp_grpc_port: waggle.ports.otlpGrpc } });
    const signOut = await fetch(`${waggle.baseUrl}/api/session`, { method: 'DELETE', headers: { cookie: session } });
    assert.equal(signOut.status, 200);
    assert.equal(signOut.headers.get('set-cookie'), 'waggle_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    const after = await fetch(`${waggle.baseUrl}/1/datasets`, { headers: { cookie: session } });
    assert.equal(after.status, 401);
    assert.deepEqual(await after.json(), { error: 'your session has ended: sign in again (this request needs an API key with the permission run_queries)', permission: 'run_queries' });
  });

  it('does not let a session send events (a same-site page could attach the cookie), and says how to authenticate', async () => {
    const signIn = await fetch(`${waggle.baseUrl}/api/session`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ key: keys.all }) });
    const session = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal((await fetch(`${waggle.baseUrl}/1/datasets`, { headers: { cookie: session } })).status, 200);
    const sent = await fetch(`${waggle.baseUrl}/1/events/svc`, { method: 'POST', headers: { ...JSON_HEADERS, cookie: session }, body: '{"a":1}' });
    assert.equal(sent.status, 401);
    assert.equal(sent.headers.get('www-authenticate'), 'Bearer realm="Waggle"');
    assert.deepEqual(await sent.json(), {
      error: 'this request needs an API key with the permission send_events: send it as X-Honeycomb-Team: <key> or Authorization: Bearer <key> (create one with: waggle keys create --name <name>)',
      permission: 'send_events',
    });
  });

  it('refuses to sign in with an unknown key (401) or a key without run_queries (403)', async () => {
    const wrong = await fetch(`${waggle.baseUrl}/api/session`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ key: 'nope' }) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    assert.deepEqual(await wrong.json(), { error: 'unknown API key: check that you pasted the whole key', permission: 'run_queries' });
    const ingest = await fetch(`${waggle.baseUrl}/api/session`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ key: keys.only.send_events }) });
    assert.equal(ingest.status, 403);
    assert.deepEqual(await ingest.json(), { error: `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission run_queries, which signing in needs`, permission: 'run_queries' });
  });

  it('refuses a cross-site sign-in (the browser guard applies to the session endpoint)', async () => {
    const response = await fetch(`${waggle.baseUrl}/api/session`, { method: 'POST', headers: { ...JSON_HEADERS, origin: 'https://evil.example' }, body: JSON.stringify({ key: keys.all }) });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('set-cookie'), null);
  });

  it('creates a key through the API (secret shown once), lists it without the secret, and revoking it makes it 401', async () => {
    const admin = { authorization: `Bearer ${keys.only.manage_keys}` };
    const created = await fetch(`${waggle.baseUrl}/api/keys`, { method: 'POST', headers: { ...JSON_HEADERS, ...admin }, body: JSON.stringify({ name: 'browser', permissions: ['send_events'] }) });
    assert.equal(created.status, 201);
    const made = (await created.json()) as { id: string; name: string; permissions: string[]; secret: string; last_used_at: null };
    assert.deepEqual([made.name, made.permissions, made.last_used_at], ['browser', ['send_events'], null]);
    assert.match(made.secret, new RegExp(`^wgk_${made.id}_[A-Za-z0-9_-]{43}$`));
    const listText = await (await fetch(`${waggle.baseUrl}/api/keys`, { headers: admin })).text();
    assert.ok(listText.includes(made.id));
    assert.ok(!listText.includes(made.secret.slice(-43)));
    assert.ok(!listText.includes('secret'));
    assert.equal((await fetch(`${waggle.baseUrl}/1/auth`, { headers: { 'x-honeycomb-team': made.secret } })).status, 200);
    const revoked = await fetch(`${waggle.baseUrl}/api/keys/${made.id}`, { method: 'DELETE', headers: admin });
    assert.equal(revoked.status, 200);
    const after = await fetch(`${waggle.baseUrl}/1/auth`, { headers: { 'x-honeycomb-team': made.secret } });
    assert.equal(after.status, 401);
    assert.deepEqual(await after.json(), { error: 'unknown API key: this request needs an API key' });
  });

  it('refuses a key with an unknown permission or no name', async () => {
    const admin = { authorization: `Bearer ${keys.all}`, ...JSON_HEADERS };
    const bad = await fetch(`${waggle.baseUrl}/api/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'x', permissions: ['root'] }) });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: `permissions: unknown permission "root"; known: ${PERMISSIONS.join(', ')}` });
    const none = await fetch(`${waggle.baseUrl}/api/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ permissions: [] }) });
    assert.equal(none.status, 400);
    assert.deepEqual(await none.json(), { error: 'name: required, a string' });
  });
});
