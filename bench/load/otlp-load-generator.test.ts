import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedHandleCall } from '@grpc/grpc-js';
import { TRACE_EXPORT_METHOD } from './grpc-otlp-sender.js';
import { runLoadInChildProcess } from './load-generator-process.js';
import { runLoad, type LoadOptions } from './load-runner.js';

const HTTP_PORT = 19211;
const GRPC_PORT = 19212;

/** What the throwaway server saw; `respond` decides each answer by request number. */
const seen = { bodies: 0, bytes: 0, distinct: new Set<string>(), contentTypes: new Set<string>() };
let respond: (n: number, response: http.ServerResponse) => void = (_n, response) => response.writeHead(200).end();

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    seen.bodies += 1;
    seen.bytes += body.length;
    seen.distinct.add(createHash('sha1').update(body).digest('hex'));
    seen.contentTypes.add(String(request.headers['content-type']));
    respond(seen.bodies, response);
  });
});

function reset(): void {
  seen.bodies = 0;
  seen.bytes = 0;
  seen.distinct.clear();
  seen.contentTypes.clear();
  respond = (_n, response) => response.writeHead(200).end();
}

const small = {
  inFlight: 4,
  poolRequests: 8,
  spansPerRequest: 500,
  maxSeconds: 20,
  seed: 3,
  traceIdSample: 10,
  retryLimit: 3,
  placement: { mode: 'now', spreadSeconds: 60 },
} as const satisfies Partial<LoadOptions>;

before(async () => {
  await new Promise<void>((resolve) => server.listen(HTTP_PORT, '127.0.0.1', resolve));
});
after(() => {
  server.close();
});

test('a count-mode protobuf run from a child process sends exactly the spans asked for, each body unique', async () => {
  reset();
  const result = await runLoadInChildProcess({
    ...small,
    transport: 'http-protobuf',
    target: `http://127.0.0.1:${HTTP_PORT}/v1/traces`,
    totalSpans: 20 * 500,
  });
  assert.equal(seen.bodies, 20);
  // 20 requests over a pool of 8: three passes, and no body repeats.
  assert.equal(seen.distinct.size, 20);
  assert.deepEqual([...seen.contentTypes], ['application/x-protobuf']);
  assert.equal(result.requestsSent, 20);
  assert.equal(result.requestsAccepted, 20);
  assert.equal(result.acknowledgedSpans, 10_000);
  assert.equal(result.bytesSent, seen.bytes);
  assert.equal(result.traceIdSample.length, 10);
  assert.ok(result.traceIdSample.every((id) => /^[0-9a-f]{32}$/.test(id)));
  assert.ok(BigInt(result.minStartNs) < BigInt(result.maxEndNs));
});

test('a duration-mode JSON run stops on time and counts every acknowledged body', async () => {
  reset();
  const result = await runLoad({ ...small, transport: 'http-json', target: `http://127.0.0.1:${HTTP_PORT}/v1/traces`, durationSeconds: 1 });
  assert.deepEqual([...seen.contentTypes], ['application/json']);
  assert.ok(seen.bodies > 0);
  assert.equal(result.acknowledgedSpans, seen.bodies * 500);
  assert.equal(seen.distinct.size, seen.bodies);
  assert.ok(result.elapsedSeconds >= 1 && result.elapsedSeconds < 5);
});

test('partial successes, retryable answers and failures are counted apart', async () => {
  reset();
  respond = (n, response) => {
    if (n === 1) {
      response.writeHead(503, { 'retry-after': '0' }).end();
    } else if (n === 2) {
      // ExportTraceServiceResponse{partial_success{rejected_spans: 3, error_message: "bad"}}
      response.writeHead(200, { 'content-type': 'application/x-protobuf' })
        .end(Buffer.from([0x0a, 0x07, 0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]));
    } else if (n === 3) {
      response.writeHead(400).end('nope');
    } else {
      response.writeHead(200).end();
    }
  };
  const result = await runLoad({ ...small, inFlight: 1, poolRequests: 2, transport: 'http-protobuf', target: `http://127.0.0.1:${HTTP_PORT}/v1/traces`, totalSpans: 5 * 500 });
  assert.equal(seen.bodies, 6);
  assert.equal(result.retries, 1);
  assert.deepEqual(result.retryCodes, { 'http-503': 1 });
  assert.equal(result.requestsSent, 5);
  assert.equal(result.requestsAccepted, 3);
  assert.equal(result.requestsPartial, 1);
  assert.equal(result.requestsFailed, 1);
  assert.equal(result.rejectedSpans, 3);
  assert.equal(result.acknowledgedSpans, 3 * 500 + 497);
  assert.deepEqual(result.errors, { 'partial-success': 1, 'http-400': 1 });
});

test('gRPC sends the raw protobuf request to the TraceService Export method', async () => {
  const received: Buffer[] = [];
  const passthrough = (buffer: Buffer): Buffer => buffer;
  const definition: ServiceDefinition = {
    Export: {
      path: TRACE_EXPORT_METHOD,
      requestStream: false,
      responseStream: false,
      requestSerialize: passthrough,
      requestDeserialize: passthrough,
      responseSerialize: passthrough,
      responseDeserialize: passthrough,
    },
  };
  const handler: UntypedHandleCall = (call: { request: Buffer }, callback: (error: null, response: Buffer) => void) => {
    received.push(call.request);
    callback(null, Buffer.alloc(0));
  };
  const grpcServer = new Server();
  grpcServer.addService(definition, { Export: handler });
  await new Promise<void>((resolve, reject) => {
    grpcServer.bindAsync(`127.0.0.1:${GRPC_PORT}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
  });
  try {
    const result = await runLoad({ ...small, transport: 'grpc', target: `127.0.0.1:${GRPC_PORT}`, totalSpans: 10 * 500 });
    assert.equal(received.length, 10);
    assert.equal(result.acknowledgedSpans, 5000);
    // Field 1 (resource_spans), length-delimited: a real ExportTraceServiceRequest.
    assert.ok(received.every((body) => body[0] === 0x0a));
  } finally {
    grpcServer.forceShutdown();
  }
});

test('refuses a target that is not loopback', async () => {
  await assert.rejects(
    runLoad({ ...small, transport: 'http-protobuf', target: 'http://example.com/v1/traces', totalSpans: 500 }),
    /only sends to loopback/,
  );
});
