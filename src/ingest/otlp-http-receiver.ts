import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnsupportedMediaTypeError, WaggleError } from '../core/errors.js';
import { toHttpError } from '../api/error-status.js';
import { sendBytes } from '../api/http-io.js';
import { parseContentEncoding } from './body-decompression.js';
import { GRPC_CODE_BY_ERROR } from './grpc-status-codes.js';
import type { IngestService } from './ingest-service.js';
import { readIngestBody } from './ingest-body-reader.js';
import { ingestAnswer } from './ingest-answer.js';
import { decodeUtf8HeaderValue } from './utf8-header-decoder.js';
import { OTLP_SIGNALS, type OtlpSignal } from './otlp-signals.js';
import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
  type PartialSuccess,
} from './otlp-response-encoder.js';

type OtlpEncoding = 'protobuf' | 'json';

const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

function requestEncoding(req: IncomingMessage): OtlpEncoding {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new UnsupportedMediaTypeError(
    `unsupported Content-Type '${type}': OTLP/HTTP takes application/x-protobuf or application/json`,
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * POST /v1/traces, /v1/logs or /v1/metrics: one receiver, the signal picks the decoder. Knows HTTP
 * (content types, status codes, response encoding) and nothing of the byte layout, which belongs
 * to the decoders behind the ingest service.
 */
export async function handleOtlpHttpExport(
  signal: OtlpSignal,
  req: IncomingMessage,
  res: ServerResponse,
  ingest: IngestService,
  maxBodyBytes: number,
  checkDatasets?: (datasets: ReadonlySet<string>) => void,
): Promise<void> {
  const traits = OTLP_SIGNALS[signal];
  let encoding: OtlpEncoding = 'json';
  const startedAt = performance.now();
  try {
    encoding = requestEncoding(req);
    const contentEncoding = parseContentEncoding(header(req, 'content-encoding'));
    // Refused before the body is read: a busy server need not hold a large body only to drop it.
    const body = await readIngestBody(ingest, req, maxBodyBytes);
    const meta: Record<string, string> = { contentEncoding };
    const rawDataset = header(req, 'x-honeycomb-dataset');
    const dataset = rawDataset === undefined ? undefined : decodeUtf8HeaderValue(rawDataset);
    if (dataset !== undefined && dataset.trim() !== '') meta['dataset'] = dataset.trim();
    const decoded = await ingest.ingest({ format: traits.formats[encoding], body, meta, ...(checkDatasets ? { checkDatasets } : {}) });
    const { batch } = decoded;
    const partial: PartialSuccess | null =
      batch.rejectedSpans > 0 ? { rejectedSpans: batch.rejectedSpans, errorMessage: batch.rejectionMessage } : null;
    const responseBody = encoding === 'protobuf' ? encodeExportResponseProtobuf(partial) : Buffer.from(encodeExportResponseJson(partial, traits.rejectedJsonField));
    sendBytes(res, 200, CONTENT_TYPES[encoding], responseBody);
    ingest.metrics?.ingest.answered('otlp_http', ingestAnswer(body.length, decoded), startedAt);
  } catch (error) {
    ingest.metrics?.ingest.refused('otlp_http', error, startedAt);
    const httpError = toHttpError(error);
    const code = error instanceof WaggleError ? GRPC_CODE_BY_ERROR[error.code] : 13;
    const body = encoding === 'protobuf' ? encodeStatusProtobuf(code, httpError.message) : Buffer.from(encodeStatusJson(code, httpError.message));
    const headers: Record<string, string> = httpError.status === 503 ? { 'retry-after': '1' } : {};
    if (!res.headersSent) sendBytes(res, httpError.status, CONTENT_TYPES[encoding], body, headers);
    if (httpError.status >= 500 && httpError.status !== 503) throw error;
  }
}
