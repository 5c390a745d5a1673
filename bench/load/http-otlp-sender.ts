import http from 'node:http';
import { decodePartialSuccess } from './otlp-response-decoder.js';
import { assertLoopbackHost, type OtlpSender, type SendOutcome } from './otlp-sender.js';

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** OTLP/HTTP sender over keep-alive connections, one per request in flight. */
export function createHttpOtlpSender(url: string, encoding: 'protobuf' | 'json', inFlight: number): OtlpSender {
  const target = new URL(url);
  assertLoopbackHost(target.hostname);
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight, maxFreeSockets: inFlight });
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  return {
    send(body: Uint8Array): Promise<SendOutcome> {
      return new Promise((resolve, reject) => {
        const request = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: { 'content-type': contentType, 'content-length': body.length },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', reject);
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              const responseBody = Buffer.concat(chunks);
              if (status === 200) {
                try {
                  const partial = decodePartialSuccess(responseBody, encoding);
                  resolve(partial === null ? { kind: 'accepted' } : { kind: 'partial', ...partial });
                } catch (error) {
                  resolve({ kind: 'failed', code: 'bad-response', message: String(error) });
                }
              } else if (RETRYABLE_STATUSES.has(status)) {
                resolve({ kind: 'retryable', code: `http-${status}`, retryAfterMs: retryAfterMs(response.headers['retry-after']) });
              } else {
                resolve({ kind: 'failed', code: `http-${status}`, message: responseBody.toString('utf8').slice(0, 300) });
              }
            });
          },
        );
        request.on('error', reject);
        request.end(body);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}

function retryAfterMs(header: string | undefined): number | null {
  if (header === undefined) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
