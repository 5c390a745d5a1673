import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const identity = (value: Buffer): Buffer => value;
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const METRICS = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

function exportRaw(port: number, method: string, body: Buffer): Promise<{ code: grpc.status; details: string; response: Buffer | undefined }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, identity, identity, body, (error: grpc.ServiceError | null, response?: Buffer) => {
      client.close();
      resolve({ code: error ? error.code : grpc.status.OK, details: error ? error.details : '', response });
    });
  });
}

function len(field: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
}

/** ExportLogsServiceRequest with one record whose span id has `spanIdBytes` bytes. */
function logsRequest(spanIdBytes: number): Buffer {
  const record = Buffer.concat([len(5, len(1, Buffer.from('hello'))), len(10, Buffer.alloc(spanIdBytes, 7))]);
  return len(1, len(2, len(2, record)));
}

describe('OTLP/gRPC logs and metrics', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle({ maxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await waggle.stop();
  });

  it('accepts a valid logs request with an empty response', async () => {
    const result = await exportRaw(waggle.ports.otlpGrpc, LOGS, logsRequest(8));
    assert.equal(result.code, grpc.status.OK);
    assert.equal(result.response?.length, 0);
  });

  it('reports a bad span id as a partial success counting log records', async () => {
    const result = await exportRaw(waggle.ports.otlpGrpc, LOGS, logsRequest(3));
    assert.equal(result.code, grpc.status.OK);
    // partial_success { rejected_log_records: 1, error_message: ... }
    assert.deepEqual([...(result.response ?? Buffer.alloc(0)).subarray(0, 1)], [0x0a]);
    assert.equal(result.response?.[2], 0x08);
    assert.equal(result.response?.[3], 1);
    assert.match(result.response?.toString('utf8') ?? '', /rejected 1 of 1 log record: log record 0 has a span id of 3 bytes \(expected none or 8 bytes\)/);
  });

  for (const [name, method] of [['logs', LOGS], ['metrics', METRICS]] as const) {
    it(`answers malformed ${name} protobuf with INVALID_ARGUMENT naming the byte offset`, async () => {
      const result = await exportRaw(waggle.ports.otlpGrpc, method, Buffer.from([0x0a, 0x05, 0x01]));
      assert.equal(result.code, grpc.status.INVALID_ARGUMENT);
      assert.match(result.details, new RegExp(`^invalid OTLP protobuf ${name} request: .* at byte offset \\d+$`));
    });

    it(`answers a ${name} message over the size limit with RESOURCE_EXHAUSTED`, async () => {
      const result = await exportRaw(waggle.ports.otlpGrpc, method, Buffer.alloc(70 * 1024));
      assert.equal(result.code, grpc.status.RESOURCE_EXHAUSTED);
    });
  }
});
