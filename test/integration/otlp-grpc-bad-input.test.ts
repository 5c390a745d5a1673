import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const identity = (value: Buffer): Buffer => value;

function exportRaw(port: number, body: Buffer): Promise<{ code: grpc.status; details: string; response: Buffer | undefined }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      identity,
      identity,
      body,
      (error: grpc.ServiceError | null, response?: Buffer) => {
        client.close();
        resolve({ code: error ? error.code : grpc.status.OK, details: error ? error.details : '', response });
      },
    );
  });
}

/** A minimal protobuf ExportTraceServiceRequest with one span: valid, or with an all-zero trace id. */
function request(traceIdByte: number): Buffer {
  const span = Buffer.concat([
    Buffer.from([0x0a, 16]), Buffer.alloc(16, traceIdByte),
    Buffer.from([0x12, 8]), Buffer.alloc(8, 7),
    Buffer.from([0x2a, 4]), Buffer.from('grpc'),
  ]);
  const scopeSpans = Buffer.concat([Buffer.from([0x12, span.length]), span]);
  const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
  return Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);
}

describe('OTLP/gRPC with bad input', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle({ maxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await waggle.stop();
  });

  it('accepts a valid request with an empty response', async () => {
    const result = await exportRaw(waggle.ports.otlpGrpc, request(1));
    assert.equal(result.code, grpc.status.OK);
    assert.equal(result.response?.length, 0);
  });

  it('reports an all-zero trace id as a partial success', async () => {
    const result = await exportRaw(waggle.ports.otlpGrpc, request(0));
    assert.equal(result.code, grpc.status.OK);
    // partial_success { rejected_spans: 1, error_message: ... }
    assert.equal(result.response?.[0], 0x0a);
    assert.equal(result.response?.[2], 0x08);
    assert.equal(result.response?.[3], 1);
    assert.match(result.response?.toString('utf8') ?? '', /rejected 1 of 1 span: span .grpc. has an all-zero trace id/);
  });

  it('answers undecodable bytes with INVALID_ARGUMENT', async () => {
    const result = await exportRaw(waggle.ports.otlpGrpc, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]));
    assert.equal(result.code, grpc.status.INVALID_ARGUMENT);
    assert.match(result.details, /invalid OTLP protobuf trace request/);
  });

  it('answers a message over the limit with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const result = await exportRaw(waggle.ports.otlpGrpc, Buffer.alloc(128 * 1024, 0));
    assert.equal(result.code, grpc.status.RESOURCE_EXHAUSTED);
    const next = await exportRaw(waggle.ports.otlpGrpc, request(2));
    assert.equal(next.code, grpc.status.OK);
  });
});

describe('freshness', () => {
  it('makes acknowledged spans readable within 2 seconds with the default commit interval', async () => {
    const waggle = await startTestWaggle({ flushIntervalMs: 500 });
    try {
      const traceId = '3'.repeat(32);
      const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId, spanId: '4'.repeat(16), name: 'fresh', startTimeUnixNano: `${Date.now()}000000`, endTimeUnixNano: `${Date.now()}000000` }] }] }] });
      const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(response.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const trace = await fetch(`${waggle.baseUrl}/api/traces/${traceId}`);
      assert.equal(trace.status, 200);
      const spans = ((await trace.json()) as { spans: Array<{ name: string; 'service.name': string }> }).spans;
      assert.deepEqual(spans.map((s) => [s.name, s['service.name']]), [['fresh', 'unknown_service']]);
    } finally {
      await waggle.stop();
    }
  });
});
