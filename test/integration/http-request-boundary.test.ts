import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { rawHttpExchange } from '../support/raw-http-exchange.js';
import { spawnWaggle, waitForExit, type WaggleProcess } from '../support/waggle-process.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Waggle as a real process: a request that crashes it shows as an exit, not a failed test runner. */
describe('the request boundary', () => {
  let waggle: WaggleProcess;
  before(async () => {
    waggle = await spawnWaggle(['--data-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-boundary-'))]);
  });
  after(async () => {
    waggle.child.kill('SIGTERM');
    await waitForExit(waggle.child);
  });

  async function assertStillServing(): Promise<void> {
    assert.equal(waggle.child.exitCode, null, `waggle exited: ${waggle.output()}`);
    for (const port of [waggle.ports.http, waggle.ports.otlpHttp]) {
      const health = await rawHttpExchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.deepEqual([health.status, health.body], [200, '{"status":"ok","ready":true}']);
    }
  }

  it('answers a malformed percent-encoding in the path with 400 JSON and keeps running', async () => {
    const response = await rawHttpExchange(waggle.ports.http, 'GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(response.status, 400);
    assert.equal(response.headers['content-type'], JSON_TYPE);
    assert.deepEqual(JSON.parse(response.body), { error: "request path '/%E0%A4%A' has a malformed percent-encoding" });
    await assertStillServing();
  });

  it('answers a malformed percent-encoding in an API path parameter with 400 JSON', async () => {
    const response = await rawHttpExchange(waggle.ports.http, 'GET /1/columns/%FF%FE HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(response.body), { error: "request path '/1/columns/%FF%FE' has a malformed percent-encoding" });
    await assertStillServing();
  });

  it('answers an absolute-form target that is not a URL with 400 JSON on both HTTP ports', async () => {
    for (const port of [waggle.ports.http, waggle.ports.otlpHttp]) {
      const response = await rawHttpExchange(port, 'GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.equal(response.status, 400);
      assert.equal(response.headers['content-type'], JSON_TYPE);
      assert.deepEqual(JSON.parse(response.body), { error: "request target 'http://[::1' is not a valid URL" });
    }
    await assertStillServing();
  });

  it('routes a well-formed absolute-form target by its path', async () => {
    const response = await rawHttpExchange(waggle.ports.http, `GET http://127.0.0.1:${waggle.ports.http}/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    assert.deepEqual([response.status, response.body], [200, '{"status":"ok","ready":true}']);
  });

  it('answers a target that is neither a path nor a URL with 400 JSON', async () => {
    const response = await rawHttpExchange(waggle.ports.http, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(response.body), { error: "request target '*' is neither a path nor an absolute URL" });
    await assertStillServing();
  });

  it("answers what Node's parser refuses with a JSON body: bad request line 400, bad Content-Length 400, headers too large 431", async () => {
    const garbage = await rawHttpExchange(waggle.ports.http, 'GARBAGE\r\n\r\n');
    assert.deepEqual([garbage.status, garbage.headers['content-type'], JSON.parse(garbage.body)], [400, JSON_TYPE, { error: 'malformed HTTP request: invalid method' }]);
    const badLength = await rawHttpExchange(waggle.ports.http, 'POST /1/boards HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n');
    assert.deepEqual([badLength.status, JSON.parse(badLength.body)], [400, { error: 'malformed HTTP request: invalid Content-Length' }]);
    const huge = await rawHttpExchange(waggle.ports.otlpHttp, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.deepEqual([huge.status, huge.headers['content-type'], JSON.parse(huge.body)], [431, JSON_TYPE, { error: 'request line and headers exceed 16384 bytes' }]);
    await assertStillServing();
  });

  it('answers an HTTP/1.1 request without Host with 400 JSON', async () => {
    const response = await rawHttpExchange(waggle.ports.http, 'GET /1/datasets HTTP/1.1\r\n\r\n');
    assert.deepEqual([response.status, JSON.parse(response.body)], [400, { error: 'the Host header is required' }]);
  });

  it('logs an upload the client aborts as one line without a stack trace', async () => {
    const before = waggle.output().length;
    for (const [port, target, type] of [
      [waggle.ports.otlpHttp, '/v1/traces', 'application/x-protobuf'],
      [waggle.ports.otlpHttp, '/1/batch/aborted', 'application/json'],
    ] as const) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(`POST ${target} HTTP/1.1\r\nHost: waggle:4318\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(10)}`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const logged = waggle.output().slice(before);
    assert.deepEqual(logged.split('\n').filter((line) => line !== ''), [
      'waggle: client closed the connection before the response to POST /v1/traces',
      'waggle: client closed the connection before the response to POST /1/batch/aborted',
    ]);
    await assertStillServing();
  });
});
