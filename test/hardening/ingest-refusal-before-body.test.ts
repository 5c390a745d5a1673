import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { handleOtlpHttpExport } from '../../src/ingest/otlp-http-receiver.js';
import { WriteAheadLog } from '../../src/ingest/wal/write-ahead-log.js';
import { createLogger } from '../../src/observability/waggle-logger.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { requestWithSpans, spanBody } from '../fixtures/otlp/protobuf-bytes-fixture.js';
import { largeOtlpJsonBody } from '../support/large-otlp-body.js';
import { TEST_RETENTION_NS } from '../support/waggle-test-server.js';

function smallRequest(spanIdHex: string): { format: 'otlp-protobuf'; body: Buffer; meta: Record<string, string> } {
  return { format: 'otlp-protobuf', body: Buffer.from(requestWithSpans([spanBody({ spanIdHex })])), meta: { contentEncoding: 'identity' } };
}

interface RawAnswer {
  head: string;
  body: string;
}

/**
 * Sends the headers of a POST /v1/traces declaring `declaredBytes` and then only `sent` of the
 * body, and resolves with the first answer the server gives (the rest of the body never comes).
 */
function postPartly(port: number, declaredBytes: number, sent: Buffer, socket: net.Socket = net.connect(port, '127.0.0.1')): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = received.slice(0, headEnd);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? NaN);
      const body = received.slice(headEnd + 4);
      if (body.length < length) return;
      socket.destroy();
      resolve({ head, body });
    });
    socket.on('error', reject);
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declaredBytes}\r\n\r\n`);
    socket.write(sent);
  });
}

describe('OTLP/HTTP refuses a busy request before reading its body', () => {
  let dataDir: string;
  let store: DuckDbSpanStore;
  let service: IngestService;
  let server: http.Server;
  let port: number;
  /** Every request's handling, in arrival order; `arrived` is called as each one is admitted. */
  const handled: Array<Promise<void>> = [];
  let arrived: (() => void) | null = null;
  const nextArrival = (): Promise<void> => new Promise((resolve) => (arrived = resolve));
  const smallBytes = smallRequest('0000000000000001').body.length;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-refuse-before-body-'));
    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, retentionNs: TEST_RETENTION_NS });
    const { wal } = WriteAheadLog.open(path.join(dataDir, 'wal'), 0n, { sync: false, maxFileBytes: 64 * 1024 * 1024 });
    // Not started: nothing commits unless the test asks, so the queue stays as it is.
    service = new IngestService(wal, store, { maxBodyBytes: 64 * 1024 * 1024, maxPendingEvents: 1_000_000, maxQueuedBodyBytes: 2 * smallBytes, flushIntervalMs: 3_600_000 }, createLogger('text', () => {}));
    server = http.createServer((req, res) => {
      // The handler admits the request (and reserves a large body) before its first await.
      handled.push(handleOtlpHttpExport('traces', req, res, service, 64 * 1024 * 1024).catch(() => undefined));
      arrived?.();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.stop();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After while the queued bytes are at their bound, with only 1 KiB of an 8 MiB body sent', { timeout: 20_000 }, async () => {
    await service.ingest(smallRequest('0000000000000001'));
    await service.ingest(smallRequest('0000000000000002'));
    assert.equal(store.pendingEvents(), 2);
    const answer = await postPartly(port, 8 * 1024 * 1024, Buffer.alloc(1024, 0x20));
    assert.match(answer.head, /^HTTP\/1\.1 503 /);
    assert.match(answer.head, /\r\nretry-after: 1\r\n/i);
    assert.match(answer.head, /\r\ncontent-type: application\/json\r\n/i);
    assert.deepEqual(JSON.parse(answer.body), { code: 14, message: 'Waggle is busy writing earlier data; retry shortly' });
    assert.equal(store.pendingEvents(), 2);
  });

  it('takes a large body sent in pieces once the queue is committed, every span of it', { timeout: 60_000 }, async () => {
    await service.flushNow();
    assert.equal(store.pendingEvents(), 0);
    const body = Buffer.from(largeOtlpJsonBody(3_000_000));
    const spans = body.toString('utf8').split('"cart.total"').length - 1;
    const events = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      // In uneven pieces, as a network delivers them: each lands at its place in the one buffer.
      for (let offset = 0; offset < body.length; offset += 65_521) req.write(body.subarray(offset, offset + 65_521));
      req.end();
    });
    assert.deepEqual(events, { status: 200, text: '{}' });
    // Spans, plus one event per span event (every 10th span) and per link (every 25th).
    assert.equal(store.pendingEvents(), spans + Math.ceil(spans / 10) + Math.ceil(spans / 25));
  });
  it('reads large bodies one at a time: while one is received another is refused (503), a small request is not, and a client that goes away gives its turn back', { timeout: 60_000 }, async () => {
    await service.flushNow();
    assert.equal(store.pendingEvents(), 0);
    // A: 8 MiB declared, 1 KiB sent, then nothing: it is being received.
    const first = net.connect(port, '127.0.0.1');
    const firstArrived = nextArrival();
    // Never answered: the client goes away first.
    void postPartly(port, 8 * 1024 * 1024, Buffer.alloc(1024, 0x20), first).catch(() => undefined);
    await firstArrived;
    const firstHandled = handled[handled.length - 1]!;
    // B: another large body is refused before its body is read.
    const second = await postPartly(port, 8 * 1024 * 1024, Buffer.alloc(1024, 0x20));
    assert.match(second.head, /^HTTP\/1\.1 503 /);
    assert.match(second.head, /\r\nretry-after: 1\r\n/i);
    assert.deepEqual(JSON.parse(second.body), { code: 14, message: 'Waggle is busy writing earlier data; retry shortly' });
    // C: a small request is taken meanwhile.
    const small = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(smallRequest('0000000000000009').body) });
    assert.equal(small.status, 200);
    assert.equal(store.pendingEvents(), 1);
    // A goes away: its turn is given back, and the next large body is taken whole.
    first.destroy();
    await firstHandled;
    const body = Buffer.from(largeOtlpJsonBody(1_500_000));
    const spans = body.toString('utf8').split('"cart.total"').length - 1;
    const taken = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.deepEqual({ status: taken.status, text: await taken.text() }, { status: 200, text: '{}' });
    assert.equal(store.pendingEvents(), 1 + spans + Math.ceil(spans / 10) + Math.ceil(spans / 25));
  });
});
