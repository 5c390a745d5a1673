import net from 'node:net';

export interface RawHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes as they are over a fresh TCP connection (no client library to tidy them up) and
 * reads one HTTP response: up to its Content-Length, or until the server closes. Rejects when the
 * connection closes without a response or nothing complete arrives within `timeoutMs`.
 */
export function rawHttpExchange(port: number, request: string | Buffer, timeoutMs = 5_000, options: { halfClose?: boolean } = {}): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const isHead = (typeof request === 'string' ? request.slice(0, 5) : request.subarray(0, 5).toString('latin1')) === 'HEAD ';
    let settled = false;
    const finish = (outcome: RawHttpResponse | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(received.toString('latin1').slice(0, 200))}`)), timeoutMs);
    const tryParse = (closed: boolean): void => {
      const headerEnd = received.indexOf('\r\n\r\n');
      if (headerEnd < 0) {
        if (closed) finish(new Error(`connection closed without a response; got ${JSON.stringify(received.toString('latin1').slice(0, 200))}`));
        return;
      }
      const lines = received.subarray(0, headerEnd).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = received.subarray(headerEnd + 4);
      // A response to HEAD announces a length but carries no body.
      const length = isHead ? 0 : headers['content-length'] === undefined ? null : Number(headers['content-length']);
      if (length !== null && body.length >= length) finish({ status, headers, body: body.subarray(0, length).toString('utf8') });
      else if (closed) finish({ status, headers, body: body.toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    socket.on('error', () => tryParse(true));
    socket.write(request);
    // Half-closing tells the server no more bytes will come, so a short body cannot keep it waiting.
    if (options.halfClose === true) socket.end();
  });
}
