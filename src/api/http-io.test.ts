import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readBody } from './http-io.js';
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
