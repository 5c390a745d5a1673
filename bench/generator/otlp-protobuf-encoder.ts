import type { EncodedRequest } from './encoded-request.js';
import type { GeneratedAttribute, GeneratedResource, GeneratedScope, GeneratedSpan } from './generated-span.js';
import { groupSpansByResourceAndScope } from './span-grouping.js';

/**
 * Encodes spans as an OTLP ExportTraceServiceRequest in protobuf, laid out byte for byte as the
 * OpenTelemetry JS SDK's ProtobufTraceSerializer does (the test checks this), so the benchmark sends
 * what real exporters send. Leaf messages are encoded first; containers are then written with known
 * lengths in one pass, which is what lets us record absolute offsets of ids and times.
 */
export function encodeProtobufRequest(spans: readonly GeneratedSpan[]): EncodedRequest {
  const groups = groupSpansByResourceAndScope(spans);
  const strings = new StringCache();
  const encodedSpans: EncodedSpan[] = [];
  interface ScopePlan { scopeBytes: Uint8Array; spans: EncodedSpan[]; contentLength: number }
  interface ResourcePlan { resourceBytes: Uint8Array; scopes: ScopePlan[]; contentLength: number }
  const plans: ResourcePlan[] = [];
  for (const group of groups) {
    const resourceBytes = encodeResource(group.resource, strings);
    const scopes: ScopePlan[] = [];
    let resourceContent = fieldLength(resourceBytes.length);
    for (const scopeGroup of group.scopes) {
      const scopeBytes = encodeScope(scopeGroup.scope, strings);
      let scopeContent = fieldLength(scopeBytes.length);
      const scopeSpans: EncodedSpan[] = [];
      for (const span of scopeGroup.spans) {
        const encoded = encodeSpan(span, strings);
        scopeSpans.push(encoded);
        encodedSpans.push(encoded);
        scopeContent += fieldLength(encoded.bytes.length);
      }
      scopes.push({ scopeBytes, spans: scopeSpans, contentLength: scopeContent });
      resourceContent += fieldLength(scopeContent);
    }
    plans.push({ resourceBytes, scopes, contentLength: resourceContent });
  }
  let total = 0;
  for (const plan of plans) total += fieldLength(plan.contentLength);

  const out = new ProtoWriter(total);
  const count = spans.length;
  const points = {
    traceId: new Int32Array(count),
    spanId: new Int32Array(count),
    parentSpanId: new Int32Array(count),
    startTime: new Int32Array(count),
    endTime: new Int32Array(count),
  };
  const userDigits: number[] = [];
  let index = 0;
  for (const plan of plans) {
    out.tag(1, 2);
    out.varint(plan.contentLength);
    out.tag(1, 2);
    out.lengthPrefixed(plan.resourceBytes);
    for (const scope of plan.scopes) {
      out.tag(2, 2);
      out.varint(scope.contentLength);
      out.tag(1, 2);
      out.lengthPrefixed(scope.scopeBytes);
      for (const span of scope.spans) {
        out.tag(2, 2);
        out.varint(span.bytes.length);
        const base = out.position;
        out.raw(span.bytes);
        points.traceId[index] = base + span.traceIdAt;
        points.spanId[index] = base + span.spanIdAt;
        points.parentSpanId[index] = span.parentIdAt < 0 ? -1 : base + span.parentIdAt;
        points.startTime[index] = base + span.startAt;
        points.endTime[index] = base + span.endAt;
        if (span.userDigitsAt >= 0) userDigits.push(base + span.userDigitsAt);
        index += 1;
      }
    }
  }
  if (out.position !== total) throw new Error(`protobuf size mismatch: wrote ${out.position}, planned ${total}`);
  return {
    encoding: 'protobuf',
    body: out.finish(),
    spanCount: count,
    patchPoints: { ...points, userDigits: Int32Array.from(userDigits) },
  };
}

interface EncodedSpan {
  readonly bytes: Uint8Array;
  readonly traceIdAt: number;
  readonly spanIdAt: number;
  readonly parentIdAt: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly userDigitsAt: number;
}

/** The SDK sets "sampled" and "has is_remote" (parent not remote) on every span it exports. */
const SPAN_FLAGS = 0x101;
const USER_ID_PREFIX_LENGTH = 'user-'.length;

function encodeSpan(span: GeneratedSpan, strings: StringCache): EncodedSpan {
  const w = new ProtoWriter(512);
  w.tag(1, 2);
  w.varint(16);
  const traceIdAt = w.position;
  w.raw(span.traceId);
  w.tag(2, 2);
  w.varint(8);
  const spanIdAt = w.position;
  w.raw(span.spanId);
  let parentIdAt = -1;
  if (span.parentSpanId !== null) {
    w.tag(4, 2);
    w.varint(8);
    parentIdAt = w.position;
    w.raw(span.parentSpanId);
  }
  w.tag(5, 2);
  w.lengthPrefixed(strings.get(span.name));
  w.tag(6, 0);
  w.varint(span.kind);
  w.tag(7, 1);
  const startAt = w.position;
  w.fixed64(span.startTimeNs);
  w.tag(8, 1);
  const endAt = w.position;
  w.fixed64(span.endTimeNs);
  let userDigitsAt = -1;
  for (const attribute of span.attributes) {
    const valueAt = writeKeyValue(w, 9, attribute, strings);
    if (attribute.key === 'user.id' && span.rotatableUserIndex >= 0) userDigitsAt = valueAt + USER_ID_PREFIX_LENGTH;
  }
  w.tag(10, 0);
  w.varint(0);
  w.tag(12, 0);
  w.varint(0);
  w.tag(14, 0);
  w.varint(0);
  const message = span.statusMessage === '' ? null : strings.get(span.statusMessage);
  w.tag(15, 2);
  w.varint((message === null ? 0 : fieldLength(message.length)) + 2);
  if (message !== null) {
    w.tag(2, 2);
    w.lengthPrefixed(message);
  }
  w.tag(3, 0);
  w.varint(span.statusCode);
  w.tag(16, 5);
  w.fixed32(SPAN_FLAGS);
  return { bytes: w.finish(), traceIdAt, spanIdAt, parentIdAt, startAt, endAt, userDigitsAt };
}

function encodeResource(resource: GeneratedResource, strings: StringCache): Uint8Array {
  const w = new ProtoWriter(512);
  for (const attribute of resource.attributes) writeKeyValue(w, 1, attribute, strings);
  w.tag(2, 0);
  w.varint(0);
  return w.finish();
}

function encodeScope(scope: GeneratedScope, strings: StringCache): Uint8Array {
  const w = new ProtoWriter(128);
  w.tag(1, 2);
  w.lengthPrefixed(strings.get(scope.name));
  if (scope.version !== '') {
    w.tag(2, 2);
    w.lengthPrefixed(strings.get(scope.version));
  }
  return w.finish();
}

/** Writes one KeyValue field; returns the offset of a string value's first byte (else -1). */
function writeKeyValue(w: ProtoWriter, field: number, attribute: GeneratedAttribute, strings: StringCache): number {
  const key = strings.get(attribute.key);
  const value = attribute.value;
  let anyLength: number;
  let text: Uint8Array | null = null;
  switch (value.kind) {
    case 'string':
      text = strings.get(value.value);
      anyLength = fieldLength(text.length);
      break;
    case 'int':
      anyLength = 1 + varintSize(value.value);
      break;
    case 'double':
      anyLength = 9;
      break;
    case 'bool':
      anyLength = 2;
      break;
  }
  const kvLength = fieldLength(key.length) + fieldLength(anyLength);
  w.tag(field, 2);
  w.varint(kvLength);
  w.tag(1, 2);
  w.lengthPrefixed(key);
  w.tag(2, 2);
  w.varint(anyLength);
  let valueAt = -1;
  switch (value.kind) {
    case 'string':
      w.tag(1, 2);
      w.varint(text!.length);
      valueAt = w.position;
      w.raw(text!);
      break;
    case 'int':
      w.tag(3, 0);
      w.varint(value.value);
      break;
    case 'double':
      w.tag(4, 1);
      w.double(value.value);
      break;
    case 'bool':
      w.tag(2, 0);
      w.varint(value.value ? 1 : 0);
      break;
  }
  return valueAt;
}

/** Size of a length-delimited field's tag (fields < 16), length prefix and content. */
function fieldLength(contentLength: number): number {
  return 1 + varintSize(contentLength) + contentLength;
}

function varintSize(value: number): number {
  if (value < 0) throw new Error('negative varints are not generated by the benchmark');
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}

class StringCache {
  private readonly cache = new Map<string, Uint8Array>();
  private readonly encoder = new TextEncoder();
  get(text: string): Uint8Array {
    let bytes = this.cache.get(text);
    if (bytes === undefined) {
      bytes = this.encoder.encode(text);
      // Unbounded caching would grow with unique values (URLs); keep only the small, common ones.
      if (this.cache.size < 10_000) this.cache.set(text, bytes);
    }
    return bytes;
  }
}

class ProtoWriter {
  private buffer: Uint8Array;
  private view: DataView;
  position = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.buffer.buffer);
  }

  private ensure(extra: number): void {
    if (this.position + extra <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.position + extra));
    next.set(this.buffer.subarray(0, this.position));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  varint(value: number): void {
    this.ensure(10);
    while (value >= 128) {
      this.buffer[this.position++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    this.buffer[this.position++] = value;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.position, value, true);
    this.position += 4;
  }

  fixed64(value: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.position, value, true);
    this.position += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.position, value, true);
    this.position += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.position);
    this.position += bytes.length;
  }

  lengthPrefixed(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.position);
  }
}
