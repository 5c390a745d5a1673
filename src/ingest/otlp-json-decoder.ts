import { Buffer } from 'node:buffer';
import type { AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { JsonOutlineScanner, type JsonObjectOutline, type JsonOutline, type JsonOutlineGuide, type JsonValueSlice } from './json-outline-scanner.js';
import { OtlpBatchBuilder, type OtlpDecodeOptions, type OtlpSpanFields, emptyOtlpSpanFields } from './otlp-event-mapping.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { HEX_RE, OtlpJsonReader, describe, parseOtlpJson, pick, type JsonObject } from './otlp-json-reader.js';

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
 * A string is taken as its UTF-8 encoding (the body as received).
 */
export function decodeOtlpTraceJson(body: Uint8Array | string, options: OtlpDecodeOptions, outlineFromBytes: number = OUTLINE_FROM_BYTES): DecodedBatch {
  const pieces = decodeOtlpTraceJsonInPieces(body, options, Number.POSITIVE_INFINITY, outlineFromBytes);
  for (;;) {
    const next = pieces.next();
    if (next.done === true) return next.value;
  }
}

/**
 * decodeOtlpTraceJson, handing the events over as it goes: it yields them (in order) whenever at
 * least `pieceEvents` are decoded, and returns the batch with the events not yet yielded and the
 * counts of the whole request. Nothing of the request is final until it returns: a malformed
 * part further on still fails the whole request (OtlpDecodeError), as before.
 *
 * A body of `outlineFromBytes` or more is never parsed whole: the levels down to the spans arrays
 * are outlined in place (JsonOutlineScanner) and the spans parsed a slice of ~256 KiB at a time,
 * so memory holds the body, the outline and one slice's tree, not the tree of the whole body
 * (measured: a 64 MB body parsed whole took ~400 MB for ~2 s). Smaller bodies are parsed whole,
 * which is faster (the outline scan cost ~20% of the throughput on SDK-sized batches). The same
 * reader reads both, so both decode alike; tests pass 0 to outline every body.
 */
export function* decodeOtlpTraceJsonInPieces(
  body: Uint8Array | string,
  options: OtlpDecodeOptions,
  pieceEvents: number,
  outlineFromBytes: number = OUTLINE_FROM_BYTES,
): Generator<EventRecord[], DecodedBatch, void> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const scanner = new JsonOutlineScanner(bytes);
  let root: JsonOutline = { kind: 'slice', start: 0, end: bytes.length };
  if (bytes.length >= outlineFromBytes) {
    try {
      root = scanner.outline(REQUEST_GUIDE);
    } catch (error) {
      throw malformed(error);
    }
  }
  const builder = new OtlpBatchBuilder(options);
  yield* new JsonTraceReader(builder, scanner, pieceEvents).readRequest(root);
  return builder.finish();
}

/**
 * Bodies from this size on are outlined (see decodeOtlpTraceJsonInPieces); the tree of a smaller
 * one is ~10 MB at most. The size from which a live body is decoded in the worker thread too.
 */
const OUTLINE_FROM_BYTES = 1024 * 1024;

/** The levels outlined in place: the request, its resourceSpans, their scopeSpans, their spans (one slice per span). */
const SCOPE_SPANS_GUIDE: JsonOutlineGuide = { kind: 'array', elements: { kind: 'object', members: { scope: 'slice', spans: { kind: 'array', elements: 'slice' } } } };
const RESOURCE_SPANS_GUIDE: JsonOutlineGuide = {
  kind: 'array',
  elements: { kind: 'object', members: { resource: 'slice', scopeSpans: SCOPE_SPANS_GUIDE, scope_spans: SCOPE_SPANS_GUIDE } },
};
const REQUEST_GUIDE: JsonOutlineGuide = { kind: 'object', members: { resourceSpans: RESOURCE_SPANS_GUIDE, resource_spans: RESOURCE_SPANS_GUIDE } };
const EMPTY_OBJECT_OUTLINE: JsonObjectOutline = { kind: 'object', members: new Map() };

/**
 * Spans parsed by one JSON.parse: large enough that the calls cost little next to the parse,
 * small enough that one slice's tree is a few MB (a tuning step, not a bound on input: a larger
 * span is parsed alone).
 */
const SPANS_SLICE_BYTES = 256 * 1024;

/** The outline scanner's complaint about malformed JSON, as the whole-body parse words it. */
function malformed(error: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  return new OtlpDecodeError(`the body is not valid JSON (${error.message})`, { jsonPath: '$' }, 'trace');
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

  private readonly scanner: JsonOutlineScanner;
  /** Events handed over (yielded) once at least this many are decoded. */
  private readonly pieceEvents: number;

  private readonly span: OtlpSpanFields = emptyOtlpSpanFields();

  constructor(builder: OtlpBatchBuilder, scanner: JsonOutlineScanner, pieceEvents: number) {
    super(builder.maxAnyValueDepth, 'trace');
    this.builder = builder;
    this.scanner = scanner;
    this.pieceEvents = pieceEvents;
  }

  *readRequest(root: RequestPart): Generator<EventRecord[], void, void> {
    const request = this.objectPart(root);
    if (request === null) throw this.fail('the body must be a JSON object, got null');
    const resourceSpans = this.arrayParts(this.pickPart(request, 'resourceSpans', 'resource_spans'), 'resourceSpans');
    for (let i = 0; i < resourceSpans.length; i++) {
      this.path.push('resourceSpans', i);
      yield* this.readResourceSpans(resourceSpans[i]!);
      this.path.pop();
      this.path.pop();
    }
  }

  private *readResourceSpans(part: RequestPart): Generator<EventRecord[], void, void> {
    const resourceSpans = this.objectPart(part) ?? EMPTY_OBJECT_OUTLINE;
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    this.readResource(this.value(memberPart(resourceSpans, 'resource')), layer);
    this.builder.beginResource(layer);

    const scopeSpans = this.arrayParts(this.pickPart(resourceSpans, 'scopeSpans', 'scope_spans'), 'scopeSpans');
    for (let i = 0; i < scopeSpans.length; i++) {
      this.path.push('scopeSpans', i);
      yield* this.readScopeSpans(scopeSpans[i]!);
      this.path.pop();
      this.path.pop();
    }
  }

  private *readScopeSpans(part: RequestPart): Generator<EventRecord[], void, void> {
    const scopeSpans = this.objectPart(part) ?? EMPTY_OBJECT_OUTLINE;
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    const { name, version } = this.readScope(this.value(memberPart(scopeSpans, 'scope')), layer);
    this.builder.beginScope(name, version, layer);

    const spans = memberPart(scopeSpans, 'spans');
    if (spans?.kind !== 'array') {
      const values = this.array(this.value(spans), 'spans');
      for (let i = 0; i < values.length; i++) this.readSpanAt(i, values[i]);
    } else {
      // Outlined: consecutive spans are parsed together, a slice of about SPANS_SLICE_BYTES at a time.
      const slices = spans.elements;
      for (let first = 0; first < slices.length; ) {
        const start = asSlice(slices[first]!).start;
        let last = first;
        while (last + 1 < slices.length && asSlice(slices[last + 1]!).end - start <= SPANS_SLICE_BYTES) last++;
        const values = this.parseText(`[${this.scanner.text(start, asSlice(slices[last]!).end)}]`) as unknown[];
        for (let i = first; i <= last; i++) this.readSpanAt(i, values[i - first]);
        first = last + 1;
        if (this.builder.eventCount() >= this.pieceEvents) yield this.builder.takeEvents();
      }
    }
    if (this.builder.eventCount() >= this.pieceEvents) yield this.builder.takeEvents();
  }

  private readSpanAt(index: number, value: unknown): void {
    this.path.push('spans', index);
    this.readSpan(value);
    this.path.pop();
    this.path.pop();
  }

  /** A part that should be an object: its members, or null for null; throws for another kind. */
  private objectPart(part: RequestPart | undefined): ObjectPart | null {
    if (part === undefined) return null;
    if (part.kind === 'object') return part;
    const object = this.object(this.value(part));
    return object === null ? null : { kind: 'parsed', value: object };
  }

  /** A part that should be an array: its elements ([] for null); throws for another kind. */
  private arrayParts(part: RequestPart | undefined, field: string): readonly RequestPart[] {
    if (part === undefined) return [];
    if (part.kind === 'array') return part.elements;
    return this.array(this.value(part), field).map((value): RequestPart => ({ kind: 'parsed', value }));
  }

  /** A member by either spelling: lowerCamelCase wins unless it is absent or null (as pick). */
  private pickPart(source: ObjectPart, camel: string, snake: string): RequestPart | undefined {
    const part = memberPart(source, camel);
    const isNull = part === undefined || (part.kind === 'slice' ? this.scanner.isNull(part) : part.kind === 'parsed' && part.value === null);
    return isNull ? memberPart(source, snake) : part;
  }

  /** The value of a part that is not outlined (undefined when absent). */
  private value(part: RequestPart | undefined): unknown {
    if (part === undefined) return undefined;
    if (part.kind === 'parsed') return part.value;
    const slice = asSlice(part);
    return this.parseText(this.scanner.text(slice.start, slice.end));
  }

  private parseText(text: string): unknown {
    return parseOtlpJson(text, 'trace');
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

/**
 * A part of the request as the reader meets it: outlined (a large body's upper levels), a slice
 * of the body not parsed yet, or a value parsed already (a small body, or what lies in a slice).
 */
type RequestPart = JsonOutline | ParsedPart;
interface ParsedPart {
  readonly kind: 'parsed';
  readonly value: unknown;
}
type ObjectPart = JsonObjectOutline | { readonly kind: 'parsed'; readonly value: JsonObject };

function memberPart(source: ObjectPart, key: string): RequestPart | undefined {
  if (source.kind === 'object') return source.members.get(key);
  const value = source.value[key];
  return value === undefined ? undefined : { kind: 'parsed', value };
}

/** Parts the guides leave unoutlined are slices (see REQUEST_GUIDE). */
function asSlice(part: RequestPart): JsonValueSlice {
  if (part.kind !== 'slice') throw new Error(`expected a slice of the body, got a part of kind ${part.kind}`);
  return part;
}
