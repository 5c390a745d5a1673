import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWaggleTracing } from './start-waggle-tracing.js';
import { withSpan } from './with-span.js';

// A separate file because OpenTelemetry's globals can be registered once per process.
interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const received: Received[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});

after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

it('exports spans as OTLP protobuf to <endpoint>/v1/traces with the given headers', async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const tracing = startWaggleTracing({
    serviceName: 'otlp-probe',
    endpoint,
    headers: { 'x-honeycomb-dataset': 'probe-dataset' },
    registerEsmHook: false,
  });
  withSpan('exported span', { 'user.id': 'u-99' }, () => undefined);
  await tracing.shutdown();

  assert.equal(received.length, 1);
  const [request] = received;
  assert.equal(request?.url, '/v1/traces');
  assert.equal(request?.headers['content-type'], 'application/x-protobuf');
  assert.equal(request?.headers['x-honeycomb-dataset'], 'probe-dataset');
  // Strings are stored verbatim in protobuf: the span name, attribute and service name are there.
  const body = request?.body.toString('latin1') ?? '';
  for (const text of ['exported span', 'user.id', 'u-99', 'otlp-probe']) assert.ok(body.includes(text), `missing ${text}`);
});
