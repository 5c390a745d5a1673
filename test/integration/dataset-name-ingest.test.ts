import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const identity = (value: Buffer): Buffer => value;

/** A minimal protobuf ExportTraceServiceRequest with one valid span and no service.name. */
function request(): Buffer {
  const span = Buffer.concat([Buffer.from([0x0a, 16]), Buffer.alloc(16, 1), Buffer.from([0x12, 8]), Buffer.alloc(8, 7), Buffer.from([0x2a, 4]), Buffer.from('grpc')]);
  const scopeSpans = Buffer.concat([Buffer.from([0x12, span.length]), span]);
  const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
  return Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);
}

function exportWithDataset(port: number, dataset: string): Promise<{ code: grpc.status; details: string }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-honeycomb-dataset', dataset);
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, request(), metadata, (error: grpc.ServiceError | null) => {
      client.close();
      resolve({ code: error ? error.code : grpc.status.OK, details: error ? error.details : '' });
    });
  });
}

describe('dataset names over OTLP/gRPC', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('refuses an x-honeycomb-dataset that cannot name a dataset with INVALID_ARGUMENT saying why', async () => {
    assert.deepEqual(await exportWithDataset(waggle.ports.otlpGrpc, '__ALL__'), { code: grpc.status.INVALID_ARGUMENT, details: "x-honeycomb-dataset: '__all__' is reserved: it means every dataset" });
    assert.deepEqual(await exportWithDataset(waggle.ports.otlpGrpc, 'x'.repeat(256)), { code: grpc.status.INVALID_ARGUMENT, details: 'x-honeycomb-dataset: dataset name is longer than 255 characters' });
    assert.deepEqual(await waggle.store.listDatasets(), []);
  });

  it('stores spans under the x-honeycomb-dataset name with its case, one dataset with its slug', async () => {
    assert.deepEqual(await exportWithDataset(waggle.ports.otlpGrpc, 'Team A'), { code: grpc.status.OK, details: '' });
    assert.deepEqual(await exportWithDataset(waggle.ports.otlpGrpc, 'team-a'), { code: grpc.status.OK, details: '' });
    await waggle.ingest.flushNow();
    assert.deepEqual((await waggle.store.listDatasets()).map((d) => [d.name, d.slug]), [['Team A', 'team-a']]);
  });
});
