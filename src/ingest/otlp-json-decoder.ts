import { Buffer } from 'node:buffer';
import { pushAttribute, type AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { JsonOutlineScanner, type JsonObjectOutline, type JsonOutline, type JsonOutlineGuide, type JsonValueSlice } from './json-outline-scanner.js';
import { otlpAnyValueJson } from './otlp-any-value-json.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { OtlpBatchBuilder, type OtlpDecodeOptions, type OtlpSpanFields, emptyOtlpSpanFields } from './otlp-event-mapping.js';
import { VALUE_BOOL, VALUE_BYTES, VALUE_DOUBLE, VALUE_INT, VALUE_NONE, VALUE_STRING, VALUE_TEXT } from './otlp-any-value-kind.js';

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

function malformed(error: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  return new OtlpDecodeError(`the body is not valid JSON (${error.message})`, { jsonPath: '$' });
}

type JsonObject = Record<string, unknown>;

/**
 * The int64/fixed64 fields of a trace request (times and intValue), when written as a JSON number
 * of 16 digits or more (the shortest that can pass 2^53), followed by what may follow a number.
 * The match cannot start inside a string: there every quote is escaped, so `"intValue"` followed by
 * `:` is always a real key (or the tail of an odd unknown key, whose value is ignored anyway).
 * Slices of the body begin and end between values, so a match lies within one slice.
 */
const INT64_NUMBER_RE =
  /"(startTimeUnixNano|endTimeUnixNano|timeUnixNano|intValue|start_time_unix_nano|end_time_unix_nano|time_unix_nano|int_value)"([ \t\r\n]*:[ \t\r\n]*)(-?\d{16,})(?=[ \t\r\n,}\]])/g;

/**
 * Wraps such numbers in quotes before JSON.parse, so that the string form of the field (which the
 * reader parses digit by digit) carries them and no double rounds them: JSON.parse on Node 20 gives
 * a reviver no access to a number's source text. A general exact parser (lossless-json) was 5×
 * slower on the whole decode; this pass costs a regex scan, and nothing when no field matches.
 */
function quoteInt64Numbers(text: string): string {
  return text.replace(INT64_NUMBER_RE, '"$1"$2"$3"');
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

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const UINT_RE = /^\d+$/;
const INT_RE = /^-?\d+$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DOUBLE_WORDS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

const UINT64_LIMIT = 1n << 64n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;


class JsonTraceReader {
  private readonly builder: OtlpBatchBuilder;
  private readonly scanner: JsonOutlineScanner;
  /** Events handed over (yielded) once at least this many are decoded. */
  private readonly pieceEvents: number;
  private readonly maxDepth: number;
  /** The path to the value being read, as segments; rendered only for an error message. */
  private readonly path: (string | number)[] = ['$'];

  private valueKind = VALUE_NONE;
  private valueString = '';
  private valueNumber = 0;
  private valueInt: number | bigint = 0;
  private valueBool = false;

  private readonly span: OtlpSpanFields = emptyOtlpSpanFields();

  constructor(builder: OtlpBatchBuilder, scanner: JsonOutlineScanner, pieceEvents: number) {
    this.builder = builder;
    this.scanner = scanner;
    this.pieceEvents = pieceEvents;
    this.maxDepth = builder.maxAnyValueDepth;
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
    this.path.push('resource');
    const resource = this.object(this.value(memberPart(resourceSpans, 'resource')));
    if (resource !== null) this.readAttributes(resource.attributes, layer);
    this.path.pop();
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
    this.path.push('scope');
    const scope = this.object(this.value(memberPart(scopeSpans, 'scope')));
    let name = '';
    let version = '';
    if (scope !== null) {
      name = this.string(scope.name, 'name');
      version = this.string(scope.version, 'version');
      this.readAttributes(scope.attributes, layer);
    }
    this.path.pop();
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
    try {
      return JSON.parse(quoteInt64Numbers(text)) as unknown;
    } catch (error) {
      throw malformed(error);
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

  // ---- attributes ----

  /** repeated KeyValue; an attribute without a value is skipped. */
  private readAttributes(value: unknown, list: AttributeList): void {
    const attributes = this.array(value, 'attributes');
    this.path.push('attributes');
    for (let i = 0; i < attributes.length; i++) {
      this.path.push(i);
      const keyValue = this.object(attributes[i]) ?? {};
      const key = this.string(keyValue.key, 'key');
      this.path.push('value');
      this.readAnyValue(keyValue.value, 1);
      this.path.pop();
      this.path.pop();
      switch (this.valueKind) {
        case VALUE_STRING:
        case VALUE_TEXT:
        case VALUE_BYTES:
          pushAttribute(list, key, 'string', this.valueString);
          break;
        case VALUE_BOOL:
          pushAttribute(list, key, 'boolean', this.valueBool);
          break;
        case VALUE_INT:
          pushAttribute(list, key, 'integer', this.valueInt);
          break;
        case VALUE_DOUBLE:
          pushAttribute(list, key, 'float', this.valueNumber);
          break;
        default:
          break;
      }
    }
    this.path.pop();
  }

  /** Reads an AnyValue into the scratch slot; depth counts AnyValue levels from 1. */
  private readAnyValue(value: unknown, depth: number): void {
    this.valueKind = VALUE_NONE;
    const anyValue = this.object(value);
    if (anyValue === null) return;
    if (depth > this.maxDepth) throw this.fail(`an AnyValue is nested deeper than the limit of ${this.maxDepth} levels`);
    let member = '';
    for (const field in anyValue) {
      const raw = anyValue[field];
      if (raw === null || raw === undefined) continue;
      switch (field) {
        case 'stringValue':
        case 'string_value':
          this.valueString = this.string(raw, field);
          this.setKind(VALUE_STRING, field, member);
          break;
        case 'boolValue':
        case 'bool_value':
          if (typeof raw !== 'boolean') throw this.fail(`${field} must be true or false, got ${describe(raw)}`);
          this.valueBool = raw;
          this.setKind(VALUE_BOOL, field, member);
          break;
        case 'intValue':
        case 'int_value':
          this.valueInt = this.int64(raw, field);
          this.setKind(VALUE_INT, field, member);
          break;
        case 'doubleValue':
        case 'double_value':
          this.valueNumber = this.double(raw, field);
          this.setKind(VALUE_DOUBLE, field, member);
          break;
        case 'arrayValue':
        case 'array_value': {
          this.path.push(field);
          const text = this.readArrayJson(raw, depth);
          this.path.pop();
          this.valueString = text;
          this.setKind(VALUE_TEXT, field, member);
          break;
        }
        case 'kvlistValue':
        case 'kvlist_value': {
          this.path.push(field);
          const text = this.readKeyValueListJson(raw, depth);
          this.path.pop();
          this.valueString = text;
          this.setKind(VALUE_TEXT, field, member);
          break;
        }
        case 'bytesValue':
        case 'bytes_value':
          this.valueString = this.base64(raw, field);
          this.setKind(VALUE_BYTES, field, member);
          break;
        default:
          continue;
      }
      member = field;
    }
  }

  private setKind(kind: number, field: string, previous: string): void {
    if (previous !== '') throw this.fail(`an AnyValue sets both ${previous} and ${field}; it may set only one`);
    this.valueKind = kind;
  }

  private scratchValueJson(): string {
    switch (this.valueKind) {
      case VALUE_STRING:
        return otlpAnyValueJson.string(this.valueString);
      case VALUE_TEXT:
        return this.valueString;
      case VALUE_BYTES:
        return otlpAnyValueJson.bytes(this.valueString);
      case VALUE_BOOL:
        return otlpAnyValueJson.boolean(this.valueBool);
      case VALUE_INT:
        return otlpAnyValueJson.integer(this.valueInt);
      case VALUE_DOUBLE:
        return otlpAnyValueJson.float(this.valueNumber);
      default:
        return otlpAnyValueJson.absent;
    }
  }

  // ArrayValue{ values: AnyValue[] }
  private readArrayJson(value: unknown, depth: number): string {
    const arrayValue = this.object(value) ?? {};
    const values = this.array(arrayValue.values, 'values');
    this.path.push('values');
    let text = '[';
    for (let i = 0; i < values.length; i++) {
      this.path.push(i);
      this.readAnyValue(values[i], depth + 1);
      this.path.pop();
      text += i === 0 ? this.scratchValueJson() : `,${this.scratchValueJson()}`;
    }
    this.path.pop();
    return `${text}]`;
  }

  // KeyValueList{ values: KeyValue[] }
  private readKeyValueListJson(value: unknown, depth: number): string {
    const list = this.object(value) ?? {};
    const values = this.array(list.values, 'values');
    this.path.push('values');
    let text = '{';
    for (let i = 0; i < values.length; i++) {
      this.path.push(i);
      const keyValue = this.object(values[i]) ?? {};
      const key = this.string(keyValue.key, 'key');
      this.path.push('value');
      this.readAnyValue(keyValue.value, depth + 1);
      this.path.pop();
      this.path.pop();
      text += `${i === 0 ? '' : ','}${otlpAnyValueJson.key(key)}${this.scratchValueJson()}`;
    }
    this.path.pop();
    return `${text}}`;
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

  private string(value: unknown, field: string): string {
    if (typeof value === 'string') return value;
    if (value === undefined || value === null) return '';
    throw this.fail(`${field} must be a string, got ${describe(value)}`);
  }

  private object(value: unknown): JsonObject | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw this.fail(`expected an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  private array(value: unknown, field: string): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.fail(`${field} must be an array, got ${describe(value)}`);
    return value;
  }

  private uint64(value: unknown, field: string): bigint {
    if (value === undefined || value === null) return 0n;
    let result: bigint | null = null;
    if (typeof value === 'string' && UINT_RE.test(value)) result = BigInt(value);
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) result = BigInt(value);
    if (result === null || result >= UINT64_LIMIT) {
      throw this.fail(`${field} must be an unsigned 64-bit integer (a string or a number), got ${describe(value)}`);
    }
    return result;
  }

  private int64(value: unknown, field: string): number | bigint {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    let result: bigint | null = null;
    if (typeof value === 'string' && INT_RE.test(value)) result = BigInt(value);
    else if (typeof value === 'number' && Number.isInteger(value)) result = BigInt(value);
    if (result === null || result < INT64_MIN || result > INT64_MAX) {
      throw this.fail(`${field} must be a signed 64-bit integer (a string or a number), got ${describe(value)}`);
    }
    const asNumber = Number(result);
    return Number.isSafeInteger(asNumber) ? asNumber : result;
  }

  private double(value: unknown, field: string): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const word = DOUBLE_WORDS[value];
      if (word !== undefined) return word;
      const parsed = value.trim() === '' ? NaN : Number(value);
      if (!Number.isNaN(parsed)) return parsed;
    }
    throw this.fail(`${field} must be a number, got ${describe(value)}`);
  }

  /** Normalised to standard padded base64, the form the protobuf decoder writes. */
  private base64(value: unknown, field: string): string {
    if (typeof value !== 'string' || !BASE64_RE.test(value)) {
      throw this.fail(`${field} must be a base64 string, got ${describe(value)}`);
    }
    return Buffer.from(value, 'base64').toString('base64');
  }

  private enumNumber(value: unknown, field: string, names: Readonly<Record<string, number>>): number {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string') {
      // Unknown names are treated like unknown numbers: the default value, not an error.
      if (Object.hasOwn(names, value)) return names[value]!;
      if (UINT_RE.test(value)) return Number(value);
      return 0;
    }
    throw this.fail(`${field} must be an enum number or name, got ${describe(value)}`);
  }

  private fail(problem: string): OtlpDecodeError {
    let path = '';
    for (const segment of this.path) path += typeof segment === 'number' ? `[${segment}]` : path === '' ? segment : `.${segment}`;
    return new OtlpDecodeError(problem, { jsonPath: path });
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

/** lowerCamelCase wins when both spellings are present. */
function pick(source: JsonObject, camel: string, snake: string): unknown {
  const value = source[camel];
  return value === undefined || value === null ? source[snake] : value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string "${value.slice(0, 40)}..."` : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
