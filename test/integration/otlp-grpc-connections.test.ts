import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DEFAULT_GRPC_CONNECTION_OPTIONS, startOtlpGrpcReceiver } from '../../src/ingest/otlp-grpc-receiver.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/** The HTTP/2 client preface and an empty SETTINGS frame: a peer that connected, then went silent. */
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** Milliseconds until the server closes a connection that sends the preface and then nothing. */
function closedAfter(port: number, limitMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(PREFACE));
    socket.on('data', () => undefined); // reads frames, never answers a PING: a vanished peer
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('OTLP/gRPC connections that do nothing', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('ships with keepalive PINGs and an idle limit', () => {
    assert.deepEqual(DEFAULT_GRPC_CONNECTION_OPTIONS, { keepaliveTimeMs: 60_000, keepaliveTimeoutMs: 20_000, maxConnectionIdleMs: 300_000 });
  });

  it('closes a half-open connection whose peer stops answering keepalive PINGs', async () => {
    const receiver = await startOtlpGrpcReceiver('127.0.0.1', 0, waggle.ingest, 1024 * 1024, { keepaliveTimeMs: 200, keepaliveTimeoutMs: 200, maxConnectionIdleMs: 3_600_000 });
    try {
      const ms = await closedAfter(receiver.port, 5_000);
      assert.notEqual(ms, null, 'the connection was still open after 5 s');
    } finally {
      await receiver.stop();
    }
  });

  it('closes a connection idle for longer than the idle limit', async () => {
    const receiver = await startOtlpGrpcReceiver('127.0.0.1', 0, waggle.ingest, 1024 * 1024, { keepaliveTimeMs: 3_600_000, keepaliveTimeoutMs: 20_000, maxConnectionIdleMs: 300 });
    try {
      const ms = await closedAfter(receiver.port, 5_000);
      assert.notEqual(ms, null, 'the connection was still open after 5 s');
    } finally {
      await receiver.stop();
    }
  });
});
