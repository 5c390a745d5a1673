import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

interface Answer {
  status: number;
  body: unknown;
}

/** A request with exactly the headers given (fetch would refuse to set Host or Origin). */
function send(port: number, method: string, target: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? null : (JSON.parse(text) as unknown) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const BOARD = JSON.stringify({ name: 'planted by another site', panels: [] });

describe('the API refuses what other web sites make a browser send', () => {
  let waggle: Waggle;
  let host: string;
  before(async () => {
    waggle = await startTestWaggle();
    host = `127.0.0.1:${waggle.ports.http}`;
  });
  after(async () => {
    await waggle.stop();
  });

  async function boardNames(): Promise<string[]> {
    const boards = await send(waggle.ports.http, 'GET', '/1/boards', { host });
    return (boards.body as Array<{ name: string }>).map((b) => b.name);
  }

  it('refuses a no-cors text/plain POST from another origin with 403 and creates nothing', async () => {
    const answer = await send(waggle.ports.http, 'POST', '/1/boards', { host, origin: 'http://evil.example', 'content-type': 'text/plain' }, BOARD);
    assert.deepEqual(answer, { status: 403, body: { error: "POST /1/boards from Origin 'http://evil.example' is refused: the API accepts writes only from its own pages" } });
    assert.deepEqual(await boardNames(), []);
  });

  it('refuses the same cross-origin write to /api/query and /1/query_annotations', async () => {
    const query = await send(waggle.ports.http, 'POST', '/api/query', { host, origin: 'http://evil.example', 'content-type': 'text/plain' }, JSON.stringify({ q: 'VISUALIZE COUNT' }));
    assert.deepEqual(query, { status: 403, body: { error: "POST /api/query from Origin 'http://evil.example' is refused: the API accepts writes only from its own pages" } });
    const annotation = await send(waggle.ports.http, 'POST', '/1/query_annotations/__all__', { host, origin: 'null', 'content-type': 'text/plain' }, JSON.stringify({ name: 'x', query_id: 'y' }));
    assert.deepEqual(annotation, { status: 403, body: { error: "POST /1/query_annotations/__all__ from Origin 'null' is refused: the API accepts writes only from its own pages" } });
  });

  it('refuses a write whose Origin is this host on another port', async () => {
    const answer = await send(waggle.ports.http, 'POST', '/1/boards', { host, origin: 'http://127.0.0.1:1', 'content-type': 'application/json' }, BOARD);
    assert.deepEqual(answer, { status: 403, body: { error: "POST /1/boards from Origin 'http://127.0.0.1:1' is refused: the API accepts writes only from its own pages" } });
  });

  it('refuses a write without Content-Type: application/json with 415 naming what it got', async () => {
    const plain = await send(waggle.ports.http, 'POST', '/1/boards', { host, 'content-type': 'text/plain' }, BOARD);
    assert.deepEqual(plain, { status: 415, body: { error: "POST /1/boards needs Content-Type: application/json (got 'text/plain')" } });
    const form = await send(waggle.ports.http, 'PUT', '/1/boards/abc', { host, 'content-type': 'application/x-www-form-urlencoded' }, 'a=b');
    assert.deepEqual(form, { status: 415, body: { error: "PUT /1/boards/abc needs Content-Type: application/json (got 'application/x-www-form-urlencoded')" } });
    const none = await send(waggle.ports.http, 'POST', '/api/query', { host }, JSON.stringify({ q: 'VISUALIZE COUNT' }));
    assert.deepEqual(none, { status: 415, body: { error: 'POST /api/query needs Content-Type: application/json (got none)' } });
    assert.deepEqual(await boardNames(), []);
  });

  it('accepts a JSON write from its own origin, and a write with X-Honeycomb-Team and no Origin', async () => {
    const own = await send(waggle.ports.http, 'POST', '/1/boards', { host, origin: `http://${host}`, 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ name: 'own', panels: [] }));
    assert.equal(own.status, 201);
    const viaLocalhost = `localhost:${waggle.ports.http}`;
    const named = await send(waggle.ports.http, 'POST', '/1/boards', { host: viaLocalhost, origin: `http://${viaLocalhost}`, 'content-type': 'application/json' }, JSON.stringify({ name: 'named', panels: [] }));
    assert.equal(named.status, 201);
    const keyed = await send(waggle.ports.http, 'POST', '/1/boards', { host, 'x-honeycomb-team': 'key' }, JSON.stringify({ name: 'keyed', panels: [] }));
    assert.equal(keyed.status, 201);
    assert.deepEqual((await boardNames()).sort(), ['keyed', 'named', 'own']);
  });

  it('lets a DELETE without a body through without Content-Type, but not from another origin', async () => {
    const created = await send(waggle.ports.http, 'POST', '/1/boards', { host, 'content-type': 'application/json' }, JSON.stringify({ name: 'doomed', panels: [] }));
    const id = (created.body as { id: string }).id;
    const foreign = await send(waggle.ports.http, 'DELETE', `/1/boards/${id}`, { host, origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    const own = await send(waggle.ports.http, 'DELETE', `/1/boards/${id}`, { host, origin: `http://${host}` });
    assert.equal(own.status, 204);
  });

  it('refuses UI and API requests whose Host is not a name it serves (DNS rebinding)', async () => {
    const api = await send(waggle.ports.http, 'GET', '/1/datasets', { host: `rebind.evil.example:${waggle.ports.http}` });
    assert.deepEqual(api, { status: 403, body: { error: `Host 'rebind.evil.example:${waggle.ports.http}' is not a name this Waggle serves (set WAGGLE_ALLOWED_HOSTS to add it)` } });
    const ui = await send(waggle.ports.http, 'GET', '/', { host: 'rebind.evil.example' });
    assert.equal(ui.status, 403);
    const tricky = await send(waggle.ports.http, 'GET', '/1/datasets', { host: 'evil.example@127.0.0.1' });
    assert.equal(tricky.status, 403);
    for (const allowed of [`localhost:${waggle.ports.http}`, 'app.localhost', '127.0.0.1', '[::1]:8080', '10.1.2.3', 'LOCALHOST.']) {
      assert.equal((await send(waggle.ports.http, 'GET', '/1/datasets', { host: allowed })).status, 200, allowed);
    }
  });

  it('does not check Host on ingest routes: a collector in a container sends Host: waggle:4318', async () => {
    for (const port of [waggle.ports.http, waggle.ports.otlpHttp]) {
      const otlp = await send(port, 'POST', '/v1/traces', { host: 'waggle:4318', 'content-type': 'application/json' }, '{}');
      assert.deepEqual(otlp, { status: 200, body: {} });
      const events = await send(port, 'POST', '/1/events/ingested', { host: 'waggle:4318', 'content-type': 'application/json' }, '{"a":1}');
      assert.deepEqual(events, { status: 200, body: {} });
    }
    const health = await send(waggle.ports.http, 'GET', '/healthz', { host: 'waggle:8080' });
    assert.deepEqual(health, { status: 200, body: { status: 'ok', ready: true } });
  });

  it('keeps ingest open to browser exporters on any origin (WAGGLE_CORS_ORIGINS=*)', async () => {
    const answer = await send(waggle.ports.otlpHttp, 'POST', '/v1/traces', { host: 'waggle:4318', origin: 'http://shop.example', 'content-type': 'application/json' }, '{}');
    assert.deepEqual(answer, { status: 200, body: {} });
  });

  it('builds links.query_url from configuration, not from the Host header', async () => {
    const answer = await send(waggle.ports.http, 'POST', '/api/query', { host: 'app.localhost', 'content-type': 'application/json' }, JSON.stringify({ q: 'VISUALIZE COUNT LAST 1h' }));
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { links: { query_url: string } }).links.query_url, `http://localhost:${waggle.ports.http}/query?dataset=__all__&q=VISUALIZE%20COUNT%20LAST%201h`);
  });
});

describe('WAGGLE_ALLOWED_HOSTS and WAGGLE_PUBLIC_URL', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle({ allowedHosts: ['waggle.internal', '*.corp.example'], publicUrl: 'https://waggle.example.com' });
  });
  after(async () => {
    await waggle.stop();
  });

  it('serves the configured names and subdomains, the public URL host, and still refuses others', async () => {
    for (const allowed of ['waggle.internal:8080', 'a.corp.example', 'waggle.example.com']) {
      assert.equal((await send(waggle.ports.http, 'GET', '/1/datasets', { host: allowed })).status, 200, allowed);
    }
    assert.equal((await send(waggle.ports.http, 'GET', '/1/datasets', { host: 'corp.example.evil' })).status, 403);
  });

  it('accepts writes from the public origin behind a proxy and links there', async () => {
    const answer = await send(
      waggle.ports.http,
      'POST',
      '/api/query',
      { host: '127.0.0.1', origin: 'https://waggle.example.com', 'content-type': 'application/json' },
      JSON.stringify({ q: 'VISUALIZE COUNT LAST 1h' }),
    );
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { links: { query_url: string } }).links.query_url, 'https://waggle.example.com/query?dataset=__all__&q=VISUALIZE%20COUNT%20LAST%201h');
  });
});
