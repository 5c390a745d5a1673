import { pushAttribute, type AttributeList } from '../core/attribute-value.js';
import { datasetNameProblem, FALLBACK_DATASET } from '../core/dataset-name.js';
import type { DecodedBatch, EventRecord, SpanKindName, StatusCodeName } from '../core/event-record.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';
import { OtlpResourceScope } from './otlp-resource-scope.js';
import { AttributeShapeSharing } from './attribute-shape-sharing.js';
import { RequestEventBound } from './request-event-bound.js';

/**
 * The dataset of a resource's spans: its service.name, trimmed, with case and spaces kept. A
 * service.name that cannot name a dataset (control characters, '/', longer than the limit,
 * `__all__`) sends its spans to `unknown_service` instead of rejecting them: the spans are good,
 * only their service's name is unusable as a dataset (it is kept in the service.name column).
 */
export function datasetForService(serviceName: string): string {
  const trimmed = serviceName.trim();
  return datasetNameProblem(trimmed) === null ? trimmed : FALLBACK_DATASET;
}

/** Options shared by the OTLP decoders. */
export interface OtlpDecodeOptions {
  /** The x-honeycomb-dataset header, validated: every event goes to this dataset instead of its service.name. */
  datasetOverride?: string | null;
  /** Events the request may make (ingest.eventsPerRequest by default; WAL replay: REPLAY_MAX_EVENTS). */
  maxEvents?: number;
  /**
   * AnyValues nested deeper than this (arrays and key-value lists) make the request invalid.
   * Default 32; at most 1000 is honoured, since the decoders recurse once per level.
   */
  maxAnyValueDepth?: number;
}

/**
 * One OTLP span as a decoder read it, before validation. Decoders fill one instance per request
 * and reuse it for every span, so the hot path allocates nothing for it.
 * Ids are given with the byte length received, so validation is the same for both encodings;
 * an id is only meaningful when its length is the expected one. A length of -1 means the JSON
 * value was not a hex string.
 */
export interface OtlpSpanFields {
  traceId: bigint;
  traceIdBytes: number;
  spanId: bigint;
  spanIdBytes: number;
  /** parentIdBytes is 0 when the span has no parent. */
  parentId: bigint;
  parentIdBytes: number;
  traceState: string;
  name: string;
  /** The raw enum number; unknown numbers map to 'unspecified'. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  statusCode: number;
  statusMessage: string;
  attributes: AttributeList;
}

/** A blank span record for a decoder to reuse for every span it reads. */
export function emptyOtlpSpanFields(): OtlpSpanFields {
  return {
    traceId: 0n,
    traceIdBytes: 0,
    spanId: 0n,
    spanIdBytes: 0,
    parentId: 0n,
    parentIdBytes: 0,
    traceState: '',
    name: '',
    kind: 0,
    startNs: 0n,
    endNs: 0n,
    statusCode: 0,
    statusMessage: '',
    attributes: { keys: [], kinds: [], values: [] },
  };
}

const DEFAULT_MAX_ANY_VALUE_DEPTH = 32;
const MAX_ANY_VALUE_DEPTH_LIMIT = 1000;

/** The AnyValue depth limit a decoder honours for these options. */
export function maxAnyValueDepthOf(options: OtlpDecodeOptions): number {
  return Math.min(options.maxAnyValueDepth ?? DEFAULT_MAX_ANY_VALUE_DEPTH, MAX_ANY_VALUE_DEPTH_LIMIT);
}
export const UNKNOWN_SERVICE = 'unknown_service';
const SERVICE_NAME_KEY = 'service.name';
const MAX_NAME_IN_MESSAGE = 100;

const SPAN_KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES: readonly StatusCodeName[] = ['unset', 'ok', 'error'];

/**
 * Maps OTLP traces to Honeycomb-style wide events, the one place both decoders share:
 * a span is one event; its span events and links are events of their own, pointing at the span
 * through parentId. Attribute layers are [resource, scope, own]; the resource and scope layers
 * are shared by every event of that resource and scope.
 *
 * Usage: beginResource, then per scope beginScope, then per span addSpan followed by that span's
 * addSpanEvent / addLink calls; finish once at the end.
 */
export class OtlpBatchBuilder {
  readonly maxAnyValueDepth: number;
  private events: EventRecord[] = [];
  private readonly bound: RequestEventBound;
  private acceptedSpans = 0;
  private rejectedSpans = 0;
  private firstRejection = '';

  /** Where the events of the last accepted span begin in `events`, while its children may follow. */
  private currentSpan: EventRecord | null = null;
  private currentSpanIndex = 0;
  private currentSpanName = '';

  /** The resource and scope of the spans being added (shared with the logs and metrics builders). */
  private readonly scope: OtlpResourceScope;

  /** Events' own layers share their keys and kinds arrays (see AttributeShapeSharing). */
  private readonly shapes = new AttributeShapeSharing();

  constructor(options: OtlpDecodeOptions) {
    this.bound = new RequestEventBound('spans, span events and links', options.maxEvents);
    this.maxAnyValueDepth = maxAnyValueDepthOf(options);
    this.scope = new OtlpResourceScope(options);
  }

  /**
   * Starts the spans of one resource. service.name is lifted out of the layer into serviceName
   * (and the dataset): it is a column of its own, so every service.name entry is removed from the
   * layer, including a non-string one, which cannot name a service. An empty string names none either.
   */
  beginResource(attributes: AttributeList): void {
    this.scope.beginResource(attributes);
  }

  /** Starts the spans of one instrumentation scope of the current resource. */
  beginScope(name: string, version: string, attributes: AttributeList): void {
    this.scope.beginScope(name, version, attributes);
  }

  /**
   * Validates and maps one span. Returns its event, or null when the span is rejected
   * (the caller then drops its span events and links).
   */
  addSpan(span: OtlpSpanFields): EventRecord | null {
    this.currentSpan = null;
    const attributes = span.attributes;
    if (span.traceState !== '') pushAttribute(attributes, 'trace.trace_state', 'string', span.traceState);
    const reason = rejectionReason(span) ?? this.limitProblem(attributes);
    if (reason !== null) {
      this.reject(span.name, reason);
      return null;
    }
    this.bound.add();
    this.acceptedSpans++;
    const duration = span.endNs - span.startNs;
    const record = makeRecord(
      this.scope.dataset,
      span.startNs,
      duration < 0n ? 0n : duration,
      span.traceId,
      span.spanId,
      span.parentIdBytes === 0 || span.parentId === 0n ? null : span.parentId,
      span.name,
      this.scope.serviceName,
      SPAN_KINDS[span.kind] ?? 'unspecified',
      STATUS_CODES[span.statusCode] ?? 'unset',
      span.statusMessage === '' ? null : span.statusMessage,
      this.scope.libraryName,
      this.scope.libraryVersion,
      null,
      [this.scope.resourceLayer, this.scope.scopeLayer, this.shapes.share(attributes)],
    );
    this.currentSpan = record;
    this.currentSpanIndex = this.events.length;
    this.currentSpanName = span.name;
    this.events.push(record);
    return record;
  }

  private reject(spanName: string, reason: string): void {
    if (this.rejectedSpans === 0) this.firstRejection = `span '${shorten(spanName)}' ${reason}`;
    this.rejectedSpans++;
  }

  /**
   * Whether an event with these own attributes (after the resource's and scope's) breaks an
   * ingest limit: the reason, or null. Counted per event because each event is stored as one row.
   */
  private limitProblem(own: AttributeList): string | null {
    return this.scope.limitProblem(own, this.scope.sharedAttributeCount + own.keys.length, 'span, span event or link');
  }

  /**
   * A span event or link of the current span that breaks a limit takes its span with it: the
   * span and the children already added are withdrawn and the span counts as rejected, so a
   * span is stored whole or not at all. Returns whether the child may be added.
   */
  private admitChild(span: EventRecord, attributes: AttributeList, what: string): boolean {
    if (span !== this.currentSpan) return false;
    const problem = this.limitProblem(attributes);
    if (problem === null) return true;
    this.events.length = this.currentSpanIndex;
    this.currentSpan = null;
    this.acceptedSpans--;
    this.reject(this.currentSpanName, `has a ${what} that ${problem}`);
    return false;
  }

  /** One span event (a log line in the span, e.g. a recorded exception) of an accepted span. */
  addSpanEvent(span: EventRecord, timeNs: bigint, name: string, attributes: AttributeList): void {
    if (!this.admitChild(span, attributes, 'span event')) return;
    this.bound.add();
    this.events.push(
      makeRecord(
        this.scope.dataset,
        timeNs,
        0n,
        span.traceId,
        null,
        span.spanId,
        name,
        this.scope.serviceName,
        null,
        null,
        null,
        this.scope.libraryName,
        this.scope.libraryVersion,
        'span_event',
        [this.scope.resourceLayer, this.scope.scopeLayer, this.shapes.share(attributes)],
      ),
    );
  }

  /** One link of an accepted span; the linked ids are lowercase hex, as received (not validated). */
  addLink(span: EventRecord, linkedTraceIdHex: string, linkedSpanIdHex: string, attributes: AttributeList): void {
    pushAttribute(attributes, 'trace.link.trace_id', 'string', linkedTraceIdHex);
    pushAttribute(attributes, 'trace.link.span_id', 'string', linkedSpanIdHex);
    if (!this.admitChild(span, attributes, 'link')) return;
    this.bound.add();
    this.events.push(
      makeRecord(
        this.scope.dataset,
        span.timestampNs,
        0n,
        span.traceId,
        null,
        span.spanId,
        null,
        this.scope.serviceName,
        null,
        null,
        null,
        this.scope.libraryName,
        this.scope.libraryVersion,
        'link',
        [this.scope.resourceLayer, this.scope.scopeLayer, this.shapes.share(attributes)],
      ),
    );
  }

  /** How many events are decoded and not yet taken. */
  eventCount(): number {
    return this.events.length;
  }

  /**
   * Hands over the events decoded so far (the batch finish() returns then holds only later ones).
   * Only between spans: a span's span events and links may still withdraw it until the next span.
   */
  takeEvents(): EventRecord[] {
    const taken = this.events;
    this.events = [];
    this.currentSpan = null;
    return taken;
  }

  finish(): DecodedBatch {
    const total = this.acceptedSpans + this.rejectedSpans;
    return {
      events: this.events,
      acceptedSpans: this.acceptedSpans,
      rejectedSpans: this.rejectedSpans,
      rejectionMessage:
        this.rejectedSpans === 0
          ? ''
          : `rejected ${this.rejectedSpans} of ${total} ${total === 1 ? 'span' : 'spans'}: ${this.firstRejection}`,
    };
  }
}

/**
 * A resource's service.name lifted out of its attribute layer: it is a column of its own, so every
 * service.name entry is removed from the layer, including a non-string one, which cannot name a
 * service. An empty string names none either. Shared by the spans, logs and metrics builders.
 */
export function liftServiceName(attributes: AttributeList): { layer: AttributeList; serviceName: string } {
  let serviceName = UNKNOWN_SERVICE;
  if (!attributes.keys.includes(SERVICE_NAME_KEY)) return { layer: attributes, serviceName };
  const layer: AttributeList = { keys: [], kinds: [], values: [] };
  for (let i = 0; i < attributes.keys.length; i++) {
    const key = attributes.keys[i]!;
    const value = attributes.values[i]!;
    if (key !== SERVICE_NAME_KEY) {
      pushAttribute(layer, key, attributes.kinds[i]!, value);
    } else {
      // A later duplicate wins, as everywhere else in an attribute list.
      serviceName = typeof value === 'string' && value !== '' ? value : UNKNOWN_SERVICE;
    }
  }
  return { layer, serviceName };
}

/** Invalid ids are grounds to reject a span (OTLP specification); the first problem found is named. */
function rejectionReason(span: OtlpSpanFields): string | null {
  if (span.traceIdBytes !== 16) return describeBadLength('trace id', span.traceIdBytes, '16 bytes');
  if (span.traceId === 0n) return 'has an all-zero trace id';
  if (span.spanIdBytes !== 8) return describeBadLength('span id', span.spanIdBytes, '8 bytes');
  if (span.spanId === 0n) return 'has an all-zero span id';
  if (span.parentIdBytes !== 0 && span.parentIdBytes !== 8) {
    return describeBadLength('parent span id', span.parentIdBytes, 'none or 8 bytes');
  }
  return null;
}

/** UTF-8 length, exact only when it might matter: a UTF-16 unit is at most 3 UTF-8 bytes. */
function utf8BytesBeyond(text: string, max: number): number | null {
  if (text.length * 3 <= max) return null;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > max ? bytes : null;
}

/** The first key or string value of a layer over its size limit, described, or null. */
export function attributeSizeProblem(layer: AttributeList, where: string): string | null {
  const maxKey = INGEST_LIMITS.keyBytes.value;
  const maxValue = INGEST_LIMITS.valueBytes.value;
  const { keys, values } = layer;
  const article = where === '' ? 'an' : 'a';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const keyBytes = utf8BytesBeyond(key, maxKey);
    if (keyBytes !== null) return `has ${article} ${where}attribute key of ${keyBytes} bytes; at most ${maxKey} are accepted`;
    const value = values[i];
    if (typeof value === 'string') {
      const valueBytes = utf8BytesBeyond(value, maxValue);
      if (valueBytes !== null) return `has ${article} ${where}attribute '${shorten(key)}' of ${valueBytes} bytes; at most ${maxValue} are accepted`;
    }
  }
  return null;
}

function describeBadLength(what: string, bytes: number, expected: string): string {
  if (bytes < 0) return `has a ${what} that is not a hex string`;
  if (bytes === 0) return `has no ${what} (expected ${expected})`;
  return `has a ${what} of ${bytes} ${bytes === 1 ? 'byte' : 'bytes'} (expected ${expected})`;
}

export function shorten(name: string): string {
  return name.length > MAX_NAME_IN_MESSAGE ? `${name.slice(0, MAX_NAME_IN_MESSAGE)}...` : name;
}

// One constructor site keeps every EventRecord on the same hidden class.
export function makeRecord(
  dataset: string,
  timestampNs: bigint,
  durationNs: bigint | null,
  traceId: bigint | null,
  spanId: bigint | null,
  parentId: bigint | null,
  name: string | null,
  serviceName: string,
  kind: SpanKindName | null,
  statusCode: StatusCodeName | null,
  statusMessage: string | null,
  libraryName: string | null,
  libraryVersion: string | null,
  annotationType: EventRecord['annotationType'],
  attributes: readonly AttributeList[],
): EventRecord {
  return {
    dataset,
    timestampNs,
    durationNs,
    traceId,
    spanId,
    parentId,
    name,
    serviceName,
    kind,
    statusCode,
    statusMessage,
    libraryName,
    libraryVersion,
    annotationType,
    sampleRate: 1,
    attributes,
  };
}
