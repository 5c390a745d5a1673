import { datasetNameProblem } from '../core/dataset-name.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { BadRequestError } from '../core/errors.js';
import { inflateBody, parseContentEncoding } from './body-decompression.js';
import { decodeHoneycombBody } from './honeycomb-body-decoder.js';
import { decodeHoneycombBatch, decodeHoneycombEvent } from './honeycomb-event-decoder.js';
import { decodeOtlpTraceJson, decodeOtlpTraceJsonInPieces } from './otlp-json-decoder.js';
import { decodeOtlpTraceProtobuf } from './otlp-protobuf-decoder.js';
import { decodeOtlpLogsJson } from './otlp-logs-json-decoder.js';
import { decodeOtlpLogsProtobuf } from './otlp-logs-protobuf-decoder.js';
import { decodeOtlpMetricsJson } from './otlp-metrics-json-decoder.js';
import { decodeOtlpMetricsProtobuf } from './otlp-metrics-protobuf-decoder.js';
import type { PayloadFormat } from './wal/write-ahead-log.js';

/**
 * Decodes an inflated request body of a given format into events. The same function serves live
 * requests and WAL replay, so replay produces exactly the events that were acknowledged.
 * `meta` carries what the decoder needs besides the body (dataset, headers, receive time).
 */
export interface DecodedPayload {
  batch: DecodedBatch;
  /** Per-item statuses, for the Honeycomb batch endpoint. */
  itemStatuses?: Array<{ status: number; error?: string }>;
  /** Of batch.rejectedSpans, how many column admission refused (the rest the decoder found invalid). */
  refusedForColumns?: number;
  /** Size of the body once inflated, when the decode knew it (else the body as received is counted). */
  decodedBytes?: number;
}

/**
 * Body as received (maybe compressed, per meta.contentEncoding); at most maxBytes once inflated, and
 * at most maxEvents events (ingest.eventsPerRequest when not given; WAL replay: REPLAY_MAX_EVENTS).
 */
type PayloadDecoder = (body: Buffer, meta: Record<string, string>, maxBytes: number, maxEvents?: number) => DecodedPayload;

function inflated(body: Buffer, meta: Record<string, string>, maxBytes: number): Buffer {
  return inflateBody(body, parseContentEncoding(meta['contentEncoding']), maxBytes);
}

/** The x-honeycomb-dataset header (receivers pass it trimmed, absent when blank); 400 when it cannot name a dataset. */
function datasetOverride(meta: Record<string, string>): string | null {
  const value = meta['dataset'];
  if (value === undefined || value === '') return null;
  const problem = datasetNameProblem(value);
  if (problem !== null) throw new BadRequestError(`x-honeycomb-dataset: ${problem}`);
  return value;
}

function receivedAt(meta: Record<string, string>): bigint {
  const value = meta['receivedAtNs'];
  if (value === undefined || !/^\d+$/.test(value)) throw new BadRequestError('missing receive time');
  return BigInt(value);
}

function honeycombData(body: Buffer, meta: Record<string, string>, maxBytes: number): unknown {
  return decodeHoneycombBody(body, meta['contentType'], meta['contentEncoding'], { maxBytes });
}

/** The decoders' maxEvents option, absent when not given (their default: ingest.eventsPerRequest). */
function eventBound(maxEvents: number | undefined): { maxEvents?: number } {
  return maxEvents === undefined ? {} : { maxEvents };
}

export const PAYLOAD_DECODERS: Record<PayloadFormat, PayloadDecoder> = {
  'otlp-protobuf': (body, meta, maxBytes, maxEvents) => ({
    batch: decodeOtlpTraceProtobuf(inflated(body, meta, maxBytes), { datasetOverride: datasetOverride(meta), ...eventBound(maxEvents) }),
  }),
  'otlp-json': (body, meta, maxBytes, maxEvents) => ({
    batch: decodeOtlpTraceJson(inflated(body, meta, maxBytes), { datasetOverride: datasetOverride(meta), ...eventBound(maxEvents) }),
  }),
  'otlp-logs-protobuf': (body, meta, maxBytes, maxEvents) => ({
    batch: decodeOtlpLogsProtobuf(inflated(body, meta, maxBytes), { datasetOverride: datasetOverride(meta), ...eventBound(maxEvents) }),
  }),
  'otlp-logs-json': (body, meta, maxBytes, maxEvents) => ({
    batch: decodeOtlpLogsJson(inflated(body, meta, maxBytes).toString('utf8'), { datasetOverride: datasetOverride(meta), ...eventBound(maxEvents) }),
  }),
  'otlp-metrics-protobuf': (body, meta, maxBytes, maxEvents) => ({
    batch: decodeOtlpMetricsProtobuf(inflated(body, meta, maxBytes), { datasetOverride: datasetOverride(meta), ...eventBound(maxEvents) }),
  }),
  'otlp-metrics-json': (body, meta, maxBytes, maxEvents) => ({
    batch: decodeOtlpMetricsJson(inflated(body, meta, maxBytes).toString('utf8'), { datasetOverride: datasetOverride(meta), ...eventBound(maxEvents) }),
  }),
  'honeycomb-event': (body, meta, maxBytes) => {
    const event = decodeHoneycombEvent(honeycombData(body, meta, maxBytes), {
      dataset: meta['dataset'] ?? 'unknown_service',
      eventTime: meta['eventTime'],
      sampleRate: meta['sampleRate'],
      receivedAtNs: receivedAt(meta),
    });
    return { batch: { events: [event], acceptedSpans: 1, rejectedSpans: 0, rejectionMessage: '' } };
  },
  'honeycomb-batch': (body, meta, maxBytes, maxEvents) => {
    const result = decodeHoneycombBatch(honeycombData(body, meta, maxBytes), { dataset: meta['dataset'] ?? 'unknown_service', receivedAtNs: receivedAt(meta), ...eventBound(maxEvents) });
    const rejected = result.statuses.filter((s) => s.status !== 202).length;
    return {
      batch: { events: result.events, acceptedSpans: result.events.length, rejectedSpans: rejected, rejectionMessage: '' },
      itemStatuses: result.statuses,
    };
  },
};

/**
 * PAYLOAD_DECODERS[format], handing the events over as it goes: yields them in order, in pieces of
 * at least `pieceEvents`, and returns the payload with the events not yet yielded. An OTLP/JSON
 * body is decoded piece by piece (its decoder never holds the whole body's parsed tree nor all
 * its events); the other formats decode whole and return everything at the end. As with
 * PAYLOAD_DECODERS, an error may still come after pieces: then the whole body is refused.
 */
export function* decodePayloadInPieces(
  format: PayloadFormat,
  body: Buffer,
  meta: Record<string, string>,
  maxBytes: number,
  pieceEvents: number,
): Generator<EventRecord[], DecodedPayload, void> {
  if (format !== 'otlp-json') return PAYLOAD_DECODERS[format](body, meta, maxBytes);
  const options = { datasetOverride: datasetOverride(meta) };
  return { batch: yield* decodeOtlpTraceJsonInPieces(inflated(body, meta, maxBytes), options, pieceEvents) };
}
