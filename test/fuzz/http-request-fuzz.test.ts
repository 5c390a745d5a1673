import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { rawHttpExchange, type RawHttpResponse } from '../support/raw-http-exchange.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { fuzzParameters } from './fuzz-runs.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const PATHS = [
  '/', '/healthz', '/v1/traces', '/1/events/fuzz', '/1/batch/fuzz', '/1/queries/__all__', '/1/query_results/__all__', '/1/boards', '/1/boards/x',
  '/1/query_annotations/__all__', '/1/columns/fuzz', '/1/datasets', '/api/query', '/api/traces', '/api/traces/zz', '/api/autocomplete', '/api/raw-events', '/query', '/assets/x.js',
];
const PATH_NOISE = [
  '%E0%A4%A', '%', '%%', '%zz', '%00', '%2e%2e%2f', '..', '//', '\\', '?', '#', ';', '%C0%AF', '%FF%FE', '%F0%9F%92', 'é', '💥', '\u0000', '~',
  'a'.repeat(3000), '?q=%E0%A4%A', '?limit=1e400', '?dataset=%00&q=LAST%20100000w&cursor=-1', '?offset=99999999999999999999&columns=,,,%00&format=csv',
];
const target = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...PATHS), fc.array(fc.constantFrom(...PATH_NOISE), { maxLength: 3 })).map(([p, noise]) => p + noise.join('')) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('http://', 'https://', 'ftp://', 'HTTP://', 'http:/', 'http://[::1', 'http://[', 'http://:80', 'http://a b'), fc.constantFrom('127.0.0.1', 'localhost:8080', 'evil.example', '[::1]', '', 'x@y'), fc.constantFrom(...PATHS)).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('*', '', 'healthz', '../etc/passwd', ' ', 'a b') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') }, { weight: 1, arbitrary: fc.constantFrom('get', 'BREW', '', 'G ET', 'CONNECT', 'TRACE') });
const version = fc.oneof({ weight: 8, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/9', '', 'http/1.1') });

/** Header lines, some well-formed, some that every strict parser should refuse. */
const headerLine = fc.oneof(
  fc.constantFrom(
    'Host: 127.0.0.1', 'Host: localhost', 'Host: evil.example', 'Host: [::1', 'Host: a@b', 'Host:', 'Host: 127.0.0.1\r\nHost: evil.example',
    'Content-Type: application/json', 'Content-Type: text/plain', 'Content-Type: application/x-protobuf', 'Content-Type: application/msgpack', 'Content-Type: ;;;',
    'Content-Length: 0', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 99999999999999999999', 'Content-Length: 3\r\nContent-Length: 4', 'Content-Length: abc',
    'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: bogus',
    'Content-Encoding: gzip', 'Content-Encoding: zstd', 'Content-Encoding: br', 'Content-Encoding: gzip, gzip, gzip',
    'Origin: http://evil.example', 'Origin: null', 'Origin: http://127.0.0.1', 'Origin: %%%',
    'X-Honeycomb-Team: k', 'X-Honeycomb-Dataset: %00', 'X-Honeycomb-Event-Time: 1e400', 'X-Honeycomb-Samplerate: -1',
    'Expect: 100-continue', 'Connection: close', 'Connection: upgrade\r\nUpgrade: websocket', 'X-Odd: \u00ff\u00fe', 'Bad Header: x', ': empty', 'X-Fold: a\r\n folded',
  ),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })).map(([name, value]) => `${name}: ${value}`),
  fc.integer({ min: 1, max: 40 }).map((kb) => `X-Big: ${'b'.repeat(kb * 1024)}`),
);
const body = fc.oneof(
  fc.constant(''),
  fc.constantFrom('{}', '[]', '{"q":"LAST 100000w"}', '{"time_range":1e400}', '{"name":"x","panels":[]}', 'null', '{', '{"__proto__":{"a":1}}', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n\r\n', '0\r\n\r\n'),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

const request = fc.record({ method, target, version, headers: fc.array(headerLine, { maxLength: 6 }), body }).map(
  ({ method, target, version, headers, body }) => Buffer.from(`${method} ${target} ${version}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`, 'latin1'),
);

describe('fuzzing raw HTTP requests against a real server', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  async function assertUp(port: number): Promise<void> {
    const health = await rawHttpExchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.deepEqual([health.status, health.headers['content-type'], health.body], [200, 'application/json; charset=utf-8', '{"status":"ok","ready":true}']);
  }

  /**
   * An error answer is JSON with an `error` string, except on OTLP's /v1/traces, which answers a
   * google.rpc.Status in the request's encoding as the OTLP specification requires. A success is
   * whatever the route gives.
   */
  function assertWellFormed(response: RawHttpResponse, sent: Buffer): void {
    const what = JSON.stringify(sent.toString('latin1').slice(0, 300));
    assert.ok(response.status >= 100 && response.status < 600, `no status for ${what}`);
    const type = response.headers['content-type'];
    if (response.status >= 400 && response.body !== '' && type !== 'application/x-protobuf') {
      const otlpJson = type === 'application/json';
      assert.equal(otlpJson || type === 'application/json; charset=utf-8', true, `status ${response.status} without a JSON body for ${what}: ${type} ${response.body.slice(0, 200)}`);
      const parsed = JSON.parse(response.body) as { error?: unknown; code?: unknown; message?: unknown };
      if (otlpJson) assert.deepEqual([typeof parsed.code, typeof parsed.message], ['number', 'string'], `OTLP status body expected for ${what}`);
      else assert.equal(typeof parsed.error, 'string', `error body without "error" for ${what}`);
    }
    if (response.status >= 500) assert.equal(response.status === 503 || response.status === 504, true, `status ${response.status} for ${what}: ${response.body}`);
  }

  for (const which of ['main', 'otlpHttp'] as const) {
    it(`answers garbage request lines, targets, headers and bodies on the ${which} port without a 500, and stays up`, async () => {
      const port = which === 'main' ? waggle.ports.http : waggle.ports.otlpHttp;
      await fc.assert(
        fc.asyncProperty(request, async (sent) => {
          let response: RawHttpResponse | null = null;
          try {
            response = await rawHttpExchange(port, sent, 5_000, { halfClose: true });
          } catch (error) {
            // Closing without an answer is allowed only when the client itself cut the request short.
            assert.match((error as Error).message, /^connection closed without a response/, `for ${JSON.stringify(sent.toString('latin1').slice(0, 300))}`);
          }
          if (response !== null) assertWellFormed(response, sent);
          await assertUp(port);
        }),
        fuzzParameters(1000),
      );
    });
  }
});
