import type { AttributeList } from './attribute-value.js';

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCodeName = 'unset' | 'ok' | 'error';
/**
 * Honeycomb's meta.annotation_type: spans have none; span events and links are events of their own.
 * OTLP log records are 'log', so that everything that reads a trace's spans (roots, waterfall rows,
 * span counts) passes over the logs that carry its trace id.
 */
export type AnnotationType = 'span_event' | 'link' | 'log';

/**
 * One wide event: a span, a span event, a link, or a Honeycomb event.
 * Ids are binary (bigint) inside Waggle and lowercase hex at the edges.
 * Nanosecond quantities are bigint, never a JS number.
 */
export interface EventRecord {
  /** The dataset name as sent (service.name, x-honeycomb-dataset or the URL), validated; the store replaces it with the dataset's storage key when it queues the event. */
  dataset: string;
  timestampNs: bigint;
  /** null for events that have no duration (Honeycomb events without duration_ms). */
  durationNs: bigint | null;
  /** 128-bit trace id. */
  traceId: bigint | null;
  /** 64-bit span id; span events and links have none. */
  spanId: bigint | null;
  /** Parent span id; for span events and links, the id of the span they belong to. */
  parentId: bigint | null;
  name: string | null;
  serviceName: string | null;
  kind: SpanKindName | null;
  statusCode: StatusCodeName | null;
  statusMessage: string | null;
  libraryName: string | null;
  libraryVersion: string | null;
  annotationType: AnnotationType | null;
  /** Honeycomb sample rate: this event stands for sampleRate events. 1 for OTLP. */
  sampleRate: number;
  /**
   * Attribute layers, applied in order (resource, scope, span): a later layer's key wins.
   * Layers are shared between the spans of one resource, so treat them as read-only.
   */
  attributes: readonly AttributeList[];
}

/** What a decoder produced from one request: the events, plus how many spans it refused and why. */
export interface DecodedBatch {
  events: EventRecord[];
  /** Number of spans (not events) accepted. */
  acceptedSpans: number;
  rejectedSpans: number;
  /** English explanation of the rejections, empty when none. */
  rejectionMessage: string;
}
