import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS = [
  'content-type',
  'content-encoding',
  'x-honeycomb-team',
  // The other way to send a key (Authorization: Bearer <key>).
  'authorization',
  'x-honeycomb-dataset',
  'x-honeycomb-event-time',
  'x-honeycomb-samplerate',
  'traceparent',
  'tracestate',
  'baggage',
].join(', ');

/**
 * CORS for the ingest endpoints, so browser SDKs can export. Returns true when the request was a
 * preflight and has been answered.
 */
export function applyIngestCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const allowAny = allowedOrigins.includes('*');
    if (allowAny || allowedOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', allowAny ? '*' : origin);
      if (!allowAny) res.setHeader('vary', 'Origin');
    }
  }
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '86400',
  });
  res.end();
  return true;
}
