import type { IncomingMessage } from 'node:http';
import { nowNs } from '../core/unix-nanos.js';
import { sendJson } from '../api/http-io.js';
import { readIngestBody } from './ingest-body-reader.js';
import type { HttpRouter } from '../api/http-router.js';
import { HONEYCOMB_MAX_BATCH_BODY_BYTES, HONEYCOMB_MAX_EVENT_BODY_BYTES } from './honeycomb-body-decoder.js';
import type { IngestService } from './ingest-service.js';
import { ingestAnswer } from './ingest-answer.js';
import type { DecodedPayload } from './payload-decoders.js';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function baseMeta(req: IncomingMessage, dataset: string): Record<string, string> {
  const meta: Record<string, string> = { dataset, receivedAtNs: nowNs().toString() };
  const contentType = header(req, 'content-type');
  const contentEncoding = header(req, 'content-encoding');
  if (contentType !== undefined) meta['contentType'] = contentType;
  if (contentEncoding !== undefined) meta['contentEncoding'] = contentEncoding;
  return meta;
}

/** Runs one request's ingest and records its outcome; errors go on to the request boundary. */
async function measured(ingest: IngestService, run: () => Promise<{ bodyBytes: number; decoded: DecodedPayload }>): Promise<void> {
  const startedAt = performance.now();
  try {
    const { bodyBytes, decoded } = await run();
    ingest.metrics?.ingest.answered('honeycomb', ingestAnswer(bodyBytes, decoded), startedAt);
  } catch (error) {
    ingest.metrics?.ingest.refused('honeycomb', error, startedAt);
    throw error;
  }
}

/** Honeycomb's Events API: POST /1/events/:dataset and POST /1/batch/:dataset. */
export function addHoneycombEventRoutes(router: HttpRouter, ingest: IngestService): void {
  router.add('POST', '/1/events/:dataset', ({ req, res, params }) =>
    measured(ingest, async () => {
      const body = await readIngestBody(ingest, req, HONEYCOMB_MAX_EVENT_BODY_BYTES);
      const meta = baseMeta(req, params['dataset'] ?? '');
      const eventTime = header(req, 'x-honeycomb-event-time');
      const sampleRate = header(req, 'x-honeycomb-samplerate');
      if (eventTime !== undefined) meta['eventTime'] = eventTime;
      if (sampleRate !== undefined) meta['sampleRate'] = sampleRate;
      const decoded = await ingest.ingest({ format: 'honeycomb-event', body, meta });
      sendJson(res, 200, {});
      return { bodyBytes: body.length, decoded };
    }),
  );

  router.add('POST', '/1/batch/:dataset', ({ req, res, params }) =>
    measured(ingest, async () => {
      const body = await readIngestBody(ingest, req, HONEYCOMB_MAX_BATCH_BODY_BYTES);
      const decoded = await ingest.ingest({ format: 'honeycomb-batch', body, meta: baseMeta(req, params['dataset'] ?? '') });
      sendJson(res, 200, decoded.itemStatuses ?? []);
      return { bodyBytes: body.length, decoded };
    }),
  );
}
