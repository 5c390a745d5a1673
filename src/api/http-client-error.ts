import type { Duplex } from 'node:stream';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';

interface ClientErrorAnswer {
  status: number;
  reason: string;
  message: string;
}

/**
 * What Node's HTTP parser refused, by its error code (llhttp's `HPE_*` and Node's own codes), as
 * the status Node itself would give plus a sentence for the client. Anything else is a 400.
 */
const ANSWER_BY_CODE: Record<string, ClientErrorAnswer> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', message: `request line and headers exceed ${HTTP_LIMITS.maxHeaderBytes.value} bytes` },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: 'Payload Too Large', message: 'chunk extensions are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', message: 'the request was not received in time' },
  HPE_INVALID_METHOD: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid method' },
  HPE_INVALID_URL: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid request target' },
  HPE_INVALID_VERSION: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid HTTP version' },
  HPE_INVALID_HEADER_TOKEN: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid header' },
  HPE_INVALID_CONTENT_LENGTH: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid Content-Length' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: both Content-Length and Transfer-Encoding' },
  HPE_INVALID_TRANSFER_ENCODING: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid Transfer-Encoding' },
  HPE_INVALID_CHUNK_SIZE: { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: invalid chunk size' },
};

const DEFAULT_ANSWER: ClientErrorAnswer = { status: 400, reason: 'Bad Request', message: 'malformed HTTP request' };

/** Codes meaning the client went away: there is nobody left to answer. */
const GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * The `clientError` listener: answers what Node's parser refused (bad request line, headers too
 * large, header timeout) with a JSON body like every other Waggle error, then closes the
 * connection, because the parser cannot find the next request on it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const code = error.code ?? '';
  // A response already under way on this connection (pipelining) cannot be followed by another.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (GONE_CODES.has(code) || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const answer = ANSWER_BY_CODE[code] ?? DEFAULT_ANSWER;
  const body = JSON.stringify({ error: answer.message });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
