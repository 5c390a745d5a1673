import type { IncomingMessage } from 'node:http';
import { readBody, SHARED_BODY_BYTES } from '../api/http-io.js';
import type { IngestService } from './ingest-service.js';

/**
 * Reads an ingest request's body, admitted first: while ingest is busy (the queue's events or
 * the bytes of bodies held at their bound) the request is refused (503) before a byte of its body
 * is read, and a large body (1 MiB or more, the size from which bodies go to shared memory and the
 * decode worker) counts as held, by its declared Content-Length, while it is read. So concurrent
 * large uploads are not all read only to be refused after: they are taken one at a time.
 */
export async function readIngestBody(ingest: IngestService, req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const release = ingest.reserveBody(Number(req.headers['content-length']), SHARED_BODY_BYTES);
  try {
    return await readBody(req, maxBytes);
  } finally {
    release();
  }
}
