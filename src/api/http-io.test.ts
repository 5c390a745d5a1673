import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readBody, sendJsonList } from './http-io.js';
import { countEventLoopTurns } from '../../test/support/event-loop-turns.js';

const BODY_BYTES = 16 * 1024 * 1024;

/** A client process: POSTs a body of argv[1] bytes (its byte offsets as 32-bit words) to port argv[2], prints the answer. */
const SENDER = `
const http = require('node:http');
const bytes = Number(process.argv[1]);
const body = Buffer.alloc(bytes);
for (let i = 0; i < bytes; i += 4) body.writeUInt32LE(i, i);
const req = http.request({ host: '127.0.0.1', port: Number(process.argv[2]), method: 'POST', headers: { 'content-length': bytes } }, (res) => {
  let text = '';
  res.on('data', (chunk) => (text += chunk));
  res.on('end', () => process.stdout.write(text));
});
req.end(body);
`;

describe('readBody', () => {
  it('reads a large body a few hundred KiB per turn of the event loop, whole and in order', async () => {
    // Bytes arriving in each turn, noted by a listener beside readBody's own.
    const perTurn = new Map<number, number>();
    let received: Buffer | null = null;
    const server = http.createServer((req, res) => {
      // Let the client's bytes pile up first (socket and request buffers), as they do while the
      // main thread is busy elsewhere: then one turn could read megabytes.
      setTimeout(() => {
        // And the main thread busy now and then, so that they pile up again while the body arrives.
        const busy = setInterval(() => {
          const until = Date.now() + 20;
          while (Date.now() < until);
        }, 30);
        const turns = countEventLoopTurns();
        req.on('data', (chunk: Buffer) => perTurn.set(turns.current(), (perTurn.get(turns.current()) ?? 0) + chunk.length));
        readBody(req, BODY_BYTES).then(
          (body) => {
            clearInterval(busy);
            turns.stop();
            received = body;
            res.end('ok');
          },
          (error: unknown) => {
            clearInterval(busy);
            turns.stop();
            res.statusCode = 500;
            res.end(String(error));
          },
        );
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // Sent by another process, which goes on sending while this one is busy.
      const answer = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['-e', SENDER, String(BODY_BYTES), String(port)], (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
      assert.equal(answer, 'ok');
      const body = Buffer.alloc(BODY_BYTES);
      for (let i = 0; i < BODY_BYTES; i += 4) body.writeUInt32LE(i, i);
      assert.ok(received !== null && body.equals(received));
      // 256 KiB between turns, and the chunk that crossed it (at most 64 KiB from the socket).
      const most = Math.max(...perTurn.values());
      assert.ok(most <= 320 * 1024, `a turn read ${most} bytes`);
    } finally {
      server.close();
    }
  });
});

describe('sendJsonList', () => {
  /** Serves one answer made by `send`, fetches it, and gives its JSON text and the turns the answer took. */
  async function served(send: (res: http.ServerResponse) => Promise<void>): Promise<{ text: string; contentType: string | null; turns: number }> {
    let turnsTaken = 0;
    const server = http.createServer((_req, res) => {
      const turns = countEventLoopTurns();
      void send(res).then(() => {
        turnsTaken = turns.current();
        turns.stop();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return { text: await response.text(), contentType: response.headers.get('content-type'), turns: turnsTaken };
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('sends the fields and the list as JSON.stringify would, the list stringified over several turns of the event loop', async () => {
    const list = Array.from({ length: 4_500 }, (_, i) => ({ i, name: `span "${i}"`, nested: [i, null, { ok: i % 2 === 0 }] }));
    const answer = await served((res) => sendJsonList(res, 200, { trace_id: 'ab', truncated: true }, 'spans', list));
    assert.equal(answer.text, JSON.stringify({ trace_id: 'ab', truncated: true, spans: list }));
    assert.equal(answer.contentType, 'application/json; charset=utf-8');
    // Three slices of 2 000, 2 000 and 500 items: two turns between them.
    assert.equal(answer.turns, 2);
  });

  it('sends an empty list, and a list with no other fields', async () => {
    assert.equal((await served((res) => sendJsonList(res, 200, { logs: 0 }, 'spans', []))).text, '{"logs":0,"spans":[]}');
    assert.equal((await served((res) => sendJsonList(res, 200, {}, 'spans', [1, 'two']))).text, '{"spans":[1,"two"]}');
  });
});
