import type { AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { OtlpBatchBuilder, type OtlpDecodeOptions, type OtlpSpanFields, emptyOtlpSpanFields } from './otlp-event-mapping.js';
import { HEX_RE, OtlpJsonReader, describe, parseOtlpJson, pick } from './otlp-json-reader.js';

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest into EventRecords, with the same mapping (and
 * so the same records) as the protobuf decoder.
 * Accepted as the OTLP specification and proto3's JSON mapping allow: lowerCamelCase or the
 * proto's snake_case field names, trace and span ids as hex in any case, enums as integers or
 * their names, 64-bit integers as strings or numbers, bytes values as base64 (standard or
 * URL-safe), null as "not set"; unknown fields are ignored. A value of the wrong shape throws
 * OtlpDecodeError naming its JSON path.
 * 64-bit integers are exact whether sent as strings or as JSON numbers: a number beyond 2^53 is
 * read from its digits (quoteInt64Numbers), never through a double.
 */
export function decodeOtlpTraceJson(text: string, options: OtlpDecodeOptions): DecodedBatch {
  const root = parseOtlpJson(text, 'trace');
  const builder = new OtlpBatchBuilder(options);
  return new JsonTraceReader(builder).readRequest(root);
}

const SPAN_KIND_NUMBERS: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODE_NUMBERS: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

class JsonTraceReader extends OtlpJsonReader {
  private readonly builder: OtlpBatchBuilder;

  private readonly span: OtlpSpanFields = emptyOtlpSpanFields();

  constructor(builder: OtlpBatchBuilder) {
    super(builder.maxAnyValueDepth, 'trace');
    this.builder = builder;
  }

  readRequest(root: unknown): DecodedBatch {
    const request = this.object(root);
    if (request === null) throw this.fail('the body must be a JSON object, got null');
    const resourceSpans = this.array(pick(request, 'resourceSpans', 'resource_spans'), 'resourceSpans');
    for (let i = 0; i < resourceSpans.length; i++) {
      this.path.push('resourceSpans', i);
      this.readResourceSpans(resourceSpans[i]);
      this.path.pop();
      this.path.pop();
    }
    return this.builder.finish();
  }

  private readResourceSpans(value: unknown): void {
    const resourceSpans = this.object(value) ?? {};
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    this.readResource(resourceSpans.resource, layer);
    this.builder.beginResource(layer);

    const scopeSpans = this.array(pick(resourceSpans, 'scopeSpans', 'scope_spans'), 'scopeSpans');
    for (let i = 0; i < scopeSpans.length; i++) {
      this.path.push('scopeSpans', i);
      this.readScopeSpans(scopeSpans[i]);
      this.path.pop();
      this.path.pop();
    }
  }

  private readScopeSpans(value: unknown): void {
    const scopeSpans = this.object(value) ?? {};
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    const { name, version } = this.readScope(scopeSpans.scope, layer);
    this.builder.beginScope(name, version, layer);

    const spans = this.array(scopeSpans.spans, 'spans');
    for (let i = 0; i < spans.length; i++) {
      this.path.push('spans', i);
      this.readSpan(spans[i]);
      this.path.pop();
      this.path.pop();
    }
  }

  private readSpan(value: unknown): void {
    const source = this.object(value) ?? {};
    const span = this.span;
    this.readId(pick(source, 'traceId', 'trace_id'), 'traceId', 16);
    span.traceId = this.idValue;
    span.traceIdBytes = this.idBytes;
    this.readId(pick(source, 'spanId', 'span_id'), 'spanId', 8);
    span.spanId = this.idValue;
    span.spanIdBytes = this.idBytes;
    this.readId(pick(source, 'parentSpanId', 'parent_span_id'), 'parentSpanId', 8);
    span.parentId = this.idValue;
    span.parentIdBytes = this.idBytes;
    span.traceState = this.string(pick(source, 'traceState', 'trace_state'), 'traceState');
    span.name = this.string(source.name, 'name');
    span.kind = this.enumNumber(source.kind, 'kind', SPAN_KIND_NUMBERS);
    span.startNs = this.uint64(pick(source, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
    span.endNs = this.uint64(pick(source, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
    span.attributes = { keys: [], kinds: [], values: [] };
    this.readAttributes(source.attributes, span.attributes);
    this.path.push('status');
    const status = this.object(source.status);
    span.statusCode = status === null ? 0 : this.enumNumber(status.code, 'code', STATUS_CODE_NUMBERS);
    span.statusMessage = status === null ? '' : this.string(status.message, 'message');
    this.path.pop();

    const record = this.builder.addSpan(span);
    if (record === null) return;
    const events = this.array(source.events, 'events');
    for (let i = 0; i < events.length; i++) {
      this.path.push('events', i);
      this.readEvent(events[i], record);
      this.path.pop();
      this.path.pop();
    }
    const links = this.array(source.links, 'links');
    for (let i = 0; i < links.length; i++) {
      this.path.push('links', i);
      this.readLink(links[i], record);
      this.path.pop();
      this.path.pop();
    }
  }

  private readEvent(value: unknown, span: EventRecord): void {
    const event = this.object(value) ?? {};
    const timeNs = this.uint64(pick(event, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
    const name = this.string(event.name, 'name');
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    this.readAttributes(event.attributes, attributes);
    this.builder.addSpanEvent(span, timeNs, name, attributes);
  }

  private readLink(value: unknown, span: EventRecord): void {
    const link = this.object(value) ?? {};
    const traceIdHex = this.linkedId(pick(link, 'traceId', 'trace_id'), 'traceId');
    const spanIdHex = this.linkedId(pick(link, 'spanId', 'span_id'), 'spanId');
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    this.readAttributes(link.attributes, attributes);
    this.builder.addLink(span, traceIdHex, spanIdHex, attributes);
  }

  // ---- scalars ----

  private idValue = 0n;
  /** Byte length of the id read last; -1 when it was not a hex string. */
  private idBytes = 0;

  /** A span's own ids: a bad one rejects the span (partial success), it does not fail the request. */
  private readId(value: unknown, field: string, expectedBytes: number): void {
    const hex = this.string(value, field);
    if (!HEX_RE.test(hex)) {
      this.idBytes = -1;
      this.idValue = 0n;
      return;
    }
    this.idBytes = hex.length / 2;
    this.idValue = this.idBytes === expectedBytes ? BigInt(`0x${hex}`) : 0n;
  }

  private linkedId(value: unknown, field: string): string {
    const hex = this.string(value, field);
    if (!HEX_RE.test(hex)) throw this.fail(`${field} must be a hex string, got ${describe(value)}`);
    return hex.toLowerCase();
  }
}
