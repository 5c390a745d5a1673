import { Counter, Histogram, type Registry } from 'prom-client';
import { WaggleError } from '../core/errors.js';
import { IngestBusyError, IngestMemoryError, IngestNotReadyError } from '../ingest/ingest-refusals.js';

/** Where a request came in: OTLP over HTTP (protobuf or JSON), OTLP/gRPC, Honeycomb's Events API. */
export type IngestTransport = 'otlp_http' | 'otlp_grpc' | 'honeycomb';

/** What an acknowledged request held, as its receiver answered it. */
export interface IngestAnswer {
  /** The body as received (compressed when it was sent so). */
  readonly bodyBytes: number;
  /** Spans (OTLP) or events (Honeycomb) stored. */
  readonly accepted: number;
  /** Refused by the decoder (invalid: bad ids, too many attributes, too long a key or value, ...). */
  readonly refusedInvalid: number;
  /** Refused by column admission (columns per dataset or in all). */
  readonly refusedColumns: number;
}

/** Why a whole request was refused: a WaggleError code, or one of Waggle's own 503s. */
function refusalReason(error: unknown): string {
  if (error instanceof IngestBusyError) return 'queue_full';
  if (error instanceof IngestNotReadyError) return 'not_ready';
  if (error instanceof IngestMemoryError) return 'memory';
  return error instanceof WaggleError ? error.code : 'internal';
}

/** Counters every receiver feeds, one call per request (both answers take under a microsecond). */
export class IngestMetrics {
  private readonly acknowledged: Counter<'transport'>;
  private readonly refusedRequests: Counter<'transport' | 'reason'>;
  private readonly received: Counter<'transport'>;
  private readonly accepted: Counter<'transport'>;
  private readonly refusedSpans: Counter<'transport' | 'reason'>;
  private readonly bytes: Counter<'transport'>;
  private readonly duration: Histogram<'transport' | 'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.acknowledged = new Counter({ name: 'waggle_ingest_requests_acknowledged_total', help: 'Ingest requests answered with success (partial successes included): durable in the write-ahead log.', labelNames: ['transport'], registers });
    this.refusedRequests = new Counter({ name: 'waggle_ingest_requests_refused_total', help: 'Ingest requests refused whole (nothing stored), by reason: an error code (bad_request, payload_too_large, unsupported_media_type, internal, ...), queue_full (commits behind, 503), not_ready (full disk, failing writes or WAL replay, 503) or memory (near WAGGLE_MAX_MEMORY_BYTES, 503).', labelNames: ['transport', 'reason'], registers });
    this.received = new Counter({ name: 'waggle_ingest_spans_received_total', help: 'Spans (OTLP) and events (Honeycomb) in acknowledged requests: accepted plus refused.', labelNames: ['transport'], registers });
    this.accepted = new Counter({ name: 'waggle_ingest_spans_accepted_total', help: 'Spans (OTLP) and events (Honeycomb) acknowledged and queued for storage.', labelNames: ['transport'], registers });
    this.refusedSpans = new Counter({ name: 'waggle_ingest_spans_refused_total', help: 'Spans and events refused inside acknowledged requests (OTLP partial success, Honeycomb item 400), by reason: invalid or too_many_columns.', labelNames: ['transport', 'reason'], registers });
    this.bytes = new Counter({ name: 'waggle_ingest_received_bytes_total', help: 'Bodies of acknowledged ingest requests, as received (before decompression).', labelNames: ['transport'], registers });
    this.duration = new Histogram({
      name: 'waggle_ingest_request_duration_seconds',
      help: 'Time from a request reaching its receiver to its answer (body read, decode, WAL append and fsync), by outcome: acknowledged or refused.',
      labelNames: ['transport', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** An acknowledged request; `startedAt` is performance.now() when it arrived. */
  answered(transport: IngestTransport, answer: IngestAnswer, startedAt: number): void {
    this.acknowledged.inc({ transport });
    this.received.inc({ transport }, answer.accepted + answer.refusedInvalid + answer.refusedColumns);
    this.accepted.inc({ transport }, answer.accepted);
    if (answer.refusedInvalid > 0) this.refusedSpans.inc({ transport, reason: 'invalid' }, answer.refusedInvalid);
    if (answer.refusedColumns > 0) this.refusedSpans.inc({ transport, reason: 'too_many_columns' }, answer.refusedColumns);
    this.bytes.inc({ transport }, answer.bodyBytes);
    this.duration.observe({ transport, outcome: 'acknowledged' }, (performance.now() - startedAt) / 1000);
  }

  /** A request refused whole with `error`. */
  refused(transport: IngestTransport, error: unknown, startedAt: number): void {
    this.refusedRequests.inc({ transport, reason: refusalReason(error) });
    this.duration.observe({ transport, outcome: 'refused' }, (performance.now() - startedAt) / 1000);
  }
}
