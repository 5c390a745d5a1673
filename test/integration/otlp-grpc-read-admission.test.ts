import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { GrpcReadAdmission, grpcReadSlots } from '../../src/ingest/grpc-read-admission.js';
import { DEFAULT_GRPC_CONNECTION_OPTIONS, startOtlpGrpcReceiver } from '../../src/ingest/otlp-grpc-receiver.js';
import { minimalOtlpProtobufSpans } from '../support/minimal-otlp-spans.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** A raw gRPC call: its message sent in two parts when asked, and the status it ends with. */
function rawCall(port: number, message: Buffer): { sendFirstPart: () => void; sendRest: () => void; status: Promise<{ code: number; message: string }>; close: () => void } {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  const split = 5 + Math.floor(message.length / 2);
  const status = new Promise<{ code: number; message: string }>((resolve) => {
    const settle = (headers: http2.IncomingHttpHeaders): void => {
      if (headers['grpc-status'] !== undefined) resolve({ code: Number(headers['grpc-status']), message: decodeURIComponent(String(headers['grpc-message'] ?? '')) });
    };
    stream.on('response', settle);
    stream.on('trailers', settle);
    stream.on('data', () => undefined);
  });
  return {
    sendFirstPart: () => stream.write(framed.subarray(0, split)),
    sendRest: () => stream.end(framed.subarray(split)),
    status,
    close: () => session.destroy(),
  };
}

/** A message sent whole at once. */
function sendWhole(call: ReturnType<typeof rawCall>): void {
  call.sendFirstPart();
  call.sendRest();
}

describe('OTLP/gRPC messages received a bounded number at a time (http.grpcReceivingBytes)', () => {
  let waggle: Waggle;

  /** A receiver of 1 MiB messages behind `admission`, with the raw calls `test` opens closed after it. */
  async function withReceiver(admission: GrpcReadAdmission, test: (open: (body: Buffer) => ReturnType<typeof rawCall>) => Promise<void>): Promise<void> {
    const receiver = await startOtlpGrpcReceiver('127.0.0.1', 0, waggle.ingest, 1024 * 1024, DEFAULT_GRPC_CONNECTION_OPTIONS, async () => undefined, admission);
    const calls: Array<ReturnType<typeof rawCall>> = [];
    try {
      await test((body) => {
        const call = rawCall(receiver.port, body);
        calls.push(call);
        return call;
      });
    } finally {
      for (const call of calls) call.close();
      await receiver.stop();
    }
  }

  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('counts each read at the largest message: 2 at once for the 64 MiB default, 32 for 4 MiB, at least 1', () => {
    assert.equal(grpcReadSlots(64 * 1024 * 1024), 2);
    assert.equal(grpcReadSlots(4 * 1024 * 1024), 32);
    assert.equal(grpcReadSlots(512 * 1024 * 1024), 1);
  });

  it('holds a call back while the only slot is reading another message, answers UNAVAILABLE after the wait, and reads again once the message is whole', async () => {
    const admission = new GrpcReadAdmission(1, 300, 60_000);
    await withReceiver(admission, async (open) => {
      const slow = open(minimalOtlpProtobufSpans(200, 31));
      slow.sendFirstPart();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(admission.reading, 1);
      const waiting = open(minimalOtlpProtobufSpans(3, 32));
      sendWhole(waiting);
      assert.deepEqual(await waiting.status, {
        code: 14,
        message: 'Waggle is receiving 1 OTLP/gRPC messages of up to the body limit at once (http.grpcReceivingBytes); retry shortly',
      });
      slow.sendRest();
      assert.deepEqual(await slow.status, { code: 0, message: 'OK' });
      const next = open(minimalOtlpProtobufSpans(3, 33));
      sendWhole(next);
      assert.deepEqual(await next.status, { code: 0, message: 'OK' });
      assert.deepEqual({ reading: admission.reading, waiting: admission.waiting }, { reading: 0, waiting: 0 });
    });
  });

  it('answers UNAVAILABLE to a sender that does not finish its message in time, and gives its slot to the next call', async () => {
    const admission = new GrpcReadAdmission(1, 10_000, 300);
    await withReceiver(admission, async (open) => {
      const stalled = open(minimalOtlpProtobufSpans(200, 34));
      stalled.sendFirstPart();
      assert.deepEqual(await stalled.status, { code: 14, message: 'the message was not received within 300 ms (http.grpcReadTimeoutMs); retry' });
      const next = open(minimalOtlpProtobufSpans(3, 35));
      sendWhole(next);
      assert.deepEqual(await next.status, { code: 0, message: 'OK' });
      assert.equal(admission.reading, 0);
    });
  });
});
