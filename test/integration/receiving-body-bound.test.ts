import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { HTTP_LIMITS } from '../../src/core/limits/http-limits.js';
import { receivingBodyBytes } from '../../src/api/http-io.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';
import { until } from '../support/poll-until.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const BOUND = HTTP_LIMITS.receivingBodyBytes.value;
const SENT = 1_000_000;

/** A POST /api/query that declares SENT + 10 bytes, sends SENT and holds back the rest; resolves with the socket once all is written. */
function partialBody(port: number): Promise<{ socket: net.Socket; answer: () => string }> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${SENT + 10}\r\n\r\n`);
      socket.write(Buffer.alloc(SENT, 0x20), () => resolve({ socket, answer: () => received }));
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
  });
}

describe('request bodies being received, bounded all together (issue 9: peak RSS ≤ 1 GiB)', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers 503 + Retry-After to the bodies that would pass http.receivingBodyBytes, and takes bodies again once the others are gone', async () => {
    const count = Math.ceil(BOUND / SENT) + 10;
    const held = await Promise.all(Array.from({ length: count }, () => partialBody(waggle.ports.http)));
    const refused = await until('the bodies over the bound answered', async () => {
      const answers = held.map((h) => h.answer()).filter((a) => a !== '');
      return answers.length >= count - Math.floor(BOUND / SENT) ? answers : null;
    });
    assert.ok(receivingBodyBytes() <= BOUND, `${receivingBodyBytes()} bytes held`);
    const first = refused[0]!;
    assert.match(first, /^HTTP\/1\.1 503 /);
    assert.match(first, /retry-after: 1/i);
    assert.ok(first.includes(`"error":"Waggle is receiving ${BOUND} bytes of request bodies at once (http.receivingBodyBytes); retry shortly"`), first.slice(0, 400));
    for (const h of held) h.socket.destroy();
    await until('the held bodies let go', async () => (receivingBodyBytes() === 0 ? true : null));
    const answer = await callJson(waggle, 'POST', '/api/query', { dataset: '__all__', q: 'VISUALIZE COUNT' });
    assert.equal(answer.status, 200);
  });
});
