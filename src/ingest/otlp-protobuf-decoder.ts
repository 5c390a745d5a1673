import { Buffer } from 'node:buffer';
import { pushAttribute, type AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { idFromBytes } from '../core/trace-id.js';
import { otlpAnyValueJson } from './otlp-any-value-json.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { OtlpBatchBuilder, type OtlpDecodeOptions, type OtlpSpanFields, emptyOtlpSpanFields } from './otlp-event-mapping.js';
import { VALUE_BOOL, VALUE_BYTES, VALUE_DOUBLE, VALUE_INT, VALUE_NONE, VALUE_STRING, VALUE_TEXT } from './otlp-any-value-kind.js';

/**
 * Decodes an OTLP ExportTraceServiceRequest (protobuf) straight into EventRecords.
 * This is the ingest hot path: it reads fields where they lie (no intermediate message objects),
 * allocates little beyond what ends up in the records, and where protobuf allows a field it
 * depends on to come later (a resource after its spans), re-reads tags in a second pass.
 * Untrusted input: every length is checked against the bytes left in its enclosing message
 * before use, and nothing is allocated from a declared length. Malformed input throws
 * OtlpDecodeError naming the problem and its byte offset.
 */
export function decodeOtlpTraceProtobuf(bytes: Uint8Array, options: OtlpDecodeOptions): DecodedBatch {
  const reader = new ProtobufTraceReader(bytes, new OtlpBatchBuilder(options));
  return reader.readRequest();
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start group', 'end group', 'fixed32'];


const TWO_POW_32 = 4294967296;

class ProtobufTraceReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  /** The same memory seen as a Buffer, for base64 and hex without copying. */
  private readonly nodeBuf: Buffer;
  private readonly builder: OtlpBatchBuilder;
  private readonly maxDepth: number;
  private pos = 0;

  // The tag read last by readTag.
  private field = 0;
  private wire = 0;
  private tagStart = 0;

  // The AnyValue read last by readAnyValue.
  private valueKind = VALUE_NONE;
  private valueString = '';
  private valueNumber = 0;
  private valueBigint = 0n;
  private valueIsBig = false;
  private valueBool = false;
  private bytesStart = 0;
  private bytesEnd = 0;

  /** Reused for every span: validation and mapping happen in the builder. */
  private readonly span: OtlpSpanFields = emptyOtlpSpanFields();

  constructor(bytes: Uint8Array, builder: OtlpBatchBuilder) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.nodeBuf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.builder = builder;
    this.maxDepth = builder.maxAnyValueDepth;
  }

  readRequest(): DecodedBatch {
    const end = this.buf.length;
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 1) {
        const subEnd = this.enterLengthDelimited(end, 'ExportTraceServiceRequest', 'resource_spans');
        this.readResourceSpans(subEnd);
      } else {
        this.skipField(end);
      }
    }
    return this.builder.finish();
  }

  // ResourceSpans{ Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3 }
  // The resource may legally follow its scope_spans, and every span needs it: a first pass reads
  // the resource, a second the scope_spans. Re-reading tags is cheaper than keeping a list of
  // ranges, whose size an attacker would choose.
  private readResourceSpans(end: number): void {
    const start = this.pos;
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    while (this.pos < end) {
      if (this.readTag(end) === 1) {
        const subEnd = this.enterLengthDelimited(end, 'ResourceSpans', 'resource');
        this.readResource(subEnd, layer);
      } else {
        this.skipField(end);
      }
    }
    this.builder.beginResource(layer);
    this.pos = start;
    while (this.pos < end) {
      if (this.readTag(end) === 2) {
        const subEnd = this.enterLengthDelimited(end, 'ResourceSpans', 'scope_spans');
        this.readScopeSpans(subEnd);
      } else {
        this.skipField(end);
      }
    }
  }

  // Resource{ repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2 }
  private readResource(end: number, layer: AttributeList): void {
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 1) {
        const subEnd = this.enterLengthDelimited(end, 'Resource', 'attributes');
        this.readKeyValue(subEnd, layer);
      } else {
        this.skipField(end);
      }
    }
  }

  // ScopeSpans{ InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3 }
  // Two passes, as for ResourceSpans: the scope first, then the spans.
  private readScopeSpans(end: number): void {
    const start = this.pos;
    let name = '';
    let version = '';
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    while (this.pos < end) {
      if (this.readTag(end) !== 1) {
        this.skipField(end);
        continue;
      }
      // InstrumentationScope{ string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped = 4 }
      const scopeEnd = this.enterLengthDelimited(end, 'ScopeSpans', 'scope');
      while (this.pos < scopeEnd) {
        switch (this.readTag(scopeEnd)) {
          case 1:
            name = this.readString(scopeEnd, 'InstrumentationScope', 'name');
            break;
          case 2:
            version = this.readString(scopeEnd, 'InstrumentationScope', 'version');
            break;
          case 3: {
            const subEnd = this.enterLengthDelimited(scopeEnd, 'InstrumentationScope', 'attributes');
            this.readKeyValue(subEnd, layer);
            break;
          }
          default:
            this.skipField(scopeEnd);
        }
      }
    }
    this.builder.beginScope(name, version, layer);
    this.pos = start;
    while (this.pos < end) {
      if (this.readTag(end) === 2) {
        const subEnd = this.enterLengthDelimited(end, 'ScopeSpans', 'spans');
        this.readSpan(subEnd);
      } else {
        this.skipField(end);
      }
    }
  }

  private readSpan(end: number): void {
    const span = this.span;
    let traceIdStart = 0;
    let spanIdStart = 0;
    let parentIdStart = 0;
    span.traceIdBytes = 0;
    span.spanIdBytes = 0;
    span.parentIdBytes = 0;
    span.traceState = '';
    span.name = '';
    span.kind = 0;
    span.startNs = 0n;
    span.endNs = 0n;
    span.statusCode = 0;
    span.statusMessage = '';
    span.attributes = { keys: [], kinds: [], values: [] };
    const start = this.pos;
    let hasEvents = false;
    let hasLinks = false;

    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1: {
          const subEnd = this.enterLengthDelimited(end, 'Span', 'trace_id');
          traceIdStart = this.pos;
          span.traceIdBytes = subEnd - traceIdStart;
          this.pos = subEnd;
          break;
        }
        case 2: {
          const subEnd = this.enterLengthDelimited(end, 'Span', 'span_id');
          spanIdStart = this.pos;
          span.spanIdBytes = subEnd - spanIdStart;
          this.pos = subEnd;
          break;
        }
        case 3:
          span.traceState = this.readString(end, 'Span', 'trace_state');
          break;
        case 4: {
          const subEnd = this.enterLengthDelimited(end, 'Span', 'parent_span_id');
          parentIdStart = this.pos;
          span.parentIdBytes = subEnd - parentIdStart;
          this.pos = subEnd;
          break;
        }
        case 5:
          span.name = this.readString(end, 'Span', 'name');
          break;
        case 6:
          this.expectWire(WIRE_VARINT, 'Span', 'kind');
          span.kind = this.readVarint(end);
          break;
        case 7:
          span.startNs = this.readFixed64(end, 'Span', 'start_time_unix_nano');
          break;
        case 8:
          span.endNs = this.readFixed64(end, 'Span', 'end_time_unix_nano');
          break;
        case 9: {
          const subEnd = this.enterLengthDelimited(end, 'Span', 'attributes');
          this.readKeyValue(subEnd, span.attributes);
          break;
        }
        case 11:
          this.pos = this.enterLengthDelimited(end, 'Span', 'events');
          hasEvents = true;
          break;
        case 13:
          this.pos = this.enterLengthDelimited(end, 'Span', 'links');
          hasLinks = true;
          break;
        case 15: {
          // Status{ string message = 2; StatusCode code = 3 } (field 1 is a deprecated code)
          const statusEnd = this.enterLengthDelimited(end, 'Span', 'status');
          while (this.pos < statusEnd) {
            const field = this.readTag(statusEnd);
            if (field === 2) {
              span.statusMessage = this.readString(statusEnd, 'Status', 'message');
            } else if (field === 3) {
              this.expectWire(WIRE_VARINT, 'Status', 'code');
              span.statusCode = this.readVarint(statusEnd);
            } else {
              this.skipField(statusEnd);
            }
          }
          break;
        }
        default:
          // dropped_*_count (10, 12, 14), flags (16) and unknown fields carry nothing we store.
          this.skipField(end);
      }
    }

    const buf = this.buf;
    span.traceId = span.traceIdBytes === 16 ? idFromBytes(buf, traceIdStart, 16) : 0n;
    span.spanId = span.spanIdBytes === 8 ? idFromBytes(buf, spanIdStart, 8) : 0n;
    span.parentId = span.parentIdBytes === 8 ? idFromBytes(buf, parentIdStart, 8) : 0n;
    const record = this.builder.addSpan(span);
    // Events and links need the accepted span's record, so they are read in passes of their own
    // (events first, then links, as the JSON decoder does).
    if (record !== null && hasEvents) {
      this.pos = start;
      while (this.pos < end) {
        if (this.readTag(end) === 11) this.readEvent(this.enterLengthDelimited(end, 'Span', 'events'), record);
        else this.skipField(end);
      }
    }
    if (record !== null && hasLinks) {
      this.pos = start;
      while (this.pos < end) {
        if (this.readTag(end) === 13) this.readLink(this.enterLengthDelimited(end, 'Span', 'links'), record);
        else this.skipField(end);
      }
    }
    this.pos = end;
  }

  // Event{ fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped = 4 }
  private readEvent(end: number, span: EventRecord): void {
    let timeNs = 0n;
    let name = '';
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1:
          timeNs = this.readFixed64(end, 'Event', 'time_unix_nano');
          break;
        case 2:
          name = this.readString(end, 'Event', 'name');
          break;
        case 3: {
          const subEnd = this.enterLengthDelimited(end, 'Event', 'attributes');
          this.readKeyValue(subEnd, attributes);
          break;
        }
        default:
          this.skipField(end);
      }
    }
    this.builder.addSpanEvent(span, timeNs, name, attributes);
  }

  // Link{ bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; ... }
  private readLink(end: number, span: EventRecord): void {
    let traceIdHex = '';
    let spanIdHex = '';
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1: {
          const subEnd = this.enterLengthDelimited(end, 'Link', 'trace_id');
          traceIdHex = this.nodeBuf.toString('hex', this.pos, subEnd);
          this.pos = subEnd;
          break;
        }
        case 2: {
          const subEnd = this.enterLengthDelimited(end, 'Link', 'span_id');
          spanIdHex = this.nodeBuf.toString('hex', this.pos, subEnd);
          this.pos = subEnd;
          break;
        }
        case 4: {
          const subEnd = this.enterLengthDelimited(end, 'Link', 'attributes');
          this.readKeyValue(subEnd, attributes);
          break;
        }
        default:
          this.skipField(end);
      }
    }
    this.builder.addLink(span, traceIdHex, spanIdHex, attributes);
  }

  // KeyValue{ string key = 1; AnyValue value = 2 }. An attribute without a value is skipped.
  private readKeyValue(end: number, list: AttributeList): void {
    let key = '';
    let valueStart = -1;
    let valueEnd = -1;
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 1) {
        key = this.readString(end, 'KeyValue', 'key');
      } else if (field === 2) {
        valueEnd = this.enterLengthDelimited(end, 'KeyValue', 'value');
        valueStart = this.pos;
        this.pos = valueEnd;
      } else {
        this.skipField(end);
      }
    }
    if (valueStart < 0) return;
    this.pos = valueStart;
    this.readAnyValue(valueEnd, 1);
    switch (this.valueKind) {
      case VALUE_STRING:
      case VALUE_TEXT:
        pushAttribute(list, key, 'string', this.valueString);
        break;
      case VALUE_BYTES:
        pushAttribute(list, key, 'string', this.nodeBuf.toString('base64', this.bytesStart, this.bytesEnd));
        break;
      case VALUE_BOOL:
        pushAttribute(list, key, 'boolean', this.valueBool);
        break;
      case VALUE_INT:
        pushAttribute(list, key, 'integer', this.valueIsBig ? this.valueBigint : this.valueNumber);
        break;
      case VALUE_DOUBLE:
        pushAttribute(list, key, 'float', this.valueNumber);
        break;
      default:
        break;
    }
    this.pos = end;
  }

  /**
   * AnyValue{ oneof: string 1; bool 2; int64 3; double 4; ArrayValue 5; KeyValueList 6; bytes 7 }.
   * Leaves the value in the scratch slot (the last oneof member wins, as in protobuf). Arrays and
   * key-value lists are rendered to JSON text right away; depth counts AnyValue levels from 1.
   */
  private readAnyValue(end: number, depth: number): void {
    if (depth > this.maxDepth) {
      throw this.fail(`an AnyValue is nested deeper than the limit of ${this.maxDepth} levels`, this.pos);
    }
    this.valueKind = VALUE_NONE;
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1:
          this.valueString = this.readString(end, 'AnyValue', 'string_value');
          this.valueKind = VALUE_STRING;
          break;
        case 2:
          this.expectWire(WIRE_VARINT, 'AnyValue', 'bool_value');
          this.valueBool = this.readVarint(end) !== 0;
          this.valueKind = VALUE_BOOL;
          break;
        case 3:
          this.expectWire(WIRE_VARINT, 'AnyValue', 'int_value');
          this.readInt64(end);
          this.valueKind = VALUE_INT;
          break;
        case 4:
          this.expectWire(WIRE_FIXED64, 'AnyValue', 'double_value');
          this.checkAvailable(8, end, 'AnyValue', 'double_value');
          this.valueNumber = this.view.getFloat64(this.pos, true);
          this.pos += 8;
          this.valueKind = VALUE_DOUBLE;
          break;
        case 5: {
          const subEnd = this.enterLengthDelimited(end, 'AnyValue', 'array_value');
          const text = this.readArrayJson(subEnd, depth);
          this.valueString = text;
          this.valueKind = VALUE_TEXT;
          break;
        }
        case 6: {
          const subEnd = this.enterLengthDelimited(end, 'AnyValue', 'kvlist_value');
          const text = this.readKeyValueListJson(subEnd, depth);
          this.valueString = text;
          this.valueKind = VALUE_TEXT;
          break;
        }
        case 7: {
          const subEnd = this.enterLengthDelimited(end, 'AnyValue', 'bytes_value');
          this.bytesStart = this.pos;
          this.bytesEnd = subEnd;
          this.valueKind = VALUE_BYTES;
          this.pos = subEnd;
          break;
        }
        default:
          this.skipField(end);
      }
    }
  }

  /** The scratch AnyValue as a JSON fragment, for a value nested in an array or key-value list. */
  private scratchValueJson(): string {
    switch (this.valueKind) {
      case VALUE_STRING:
        return otlpAnyValueJson.string(this.valueString);
      case VALUE_TEXT:
        return this.valueString;
      case VALUE_BYTES:
        return otlpAnyValueJson.bytes(this.nodeBuf.toString('base64', this.bytesStart, this.bytesEnd));
      case VALUE_BOOL:
        return otlpAnyValueJson.boolean(this.valueBool);
      case VALUE_INT:
        return otlpAnyValueJson.integer(this.valueIsBig ? this.valueBigint : this.valueNumber);
      case VALUE_DOUBLE:
        return otlpAnyValueJson.float(this.valueNumber);
      default:
        return otlpAnyValueJson.absent;
    }
  }

  // ArrayValue{ repeated AnyValue values = 1 }
  private readArrayJson(end: number, depth: number): string {
    let text = '[';
    let first = true;
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 1) {
        const subEnd = this.enterLengthDelimited(end, 'ArrayValue', 'values');
        this.readAnyValue(subEnd, depth + 1);
        text += first ? this.scratchValueJson() : `,${this.scratchValueJson()}`;
        first = false;
      } else {
        this.skipField(end);
      }
    }
    return `${text}]`;
  }

  // KeyValueList{ repeated KeyValue values = 1 }
  private readKeyValueListJson(end: number, depth: number): string {
    let text = '{';
    let first = true;
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field !== 1) {
        this.skipField(end);
        continue;
      }
      const kvEnd = this.enterLengthDelimited(end, 'KeyValueList', 'values');
      let key = '';
      let valueJson: string = otlpAnyValueJson.absent;
      while (this.pos < kvEnd) {
        const kvField = this.readTag(kvEnd);
        if (kvField === 1) {
          key = this.readString(kvEnd, 'KeyValue', 'key');
        } else if (kvField === 2) {
          const valueEnd = this.enterLengthDelimited(kvEnd, 'KeyValue', 'value');
          this.readAnyValue(valueEnd, depth + 1);
          valueJson = this.scratchValueJson();
        } else {
          this.skipField(kvEnd);
        }
      }
      text += `${first ? '' : ','}${otlpAnyValueJson.key(key)}${valueJson}`;
      first = false;
    }
    return `${text}}`;
  }

  // ---- wire-level reading ----

  /** Reads a tag; returns its field number (the wire type is left in this.wire). */
  private readTag(end: number): number {
    this.tagStart = this.pos;
    const tag = this.readVarint(end);
    // Field numbers stop at 2^29 - 1, so a valid tag fits 32 bits.
    if (tag > 0xffffffff) throw this.fail(`tag ${tag} is out of range`, this.tagStart);
    this.field = tag >>> 3;
    this.wire = tag & 7;
    if (this.field === 0) throw this.fail('field number 0 is not allowed', this.tagStart);
    return this.field;
  }

  /**
   * Reads a varint as a JS number: exact up to 2^53, which covers every tag, length and enum
   * of a valid message; a larger (malformed) value stays larger than any length we can accept.
   */
  private readVarint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) throw this.fail('the message ends inside a varint', pos);
    let byte = buf[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let value = byte & 0x7f;
    let multiplier = 128;
    for (let i = 1; i < 10; i++) {
      if (pos >= end) throw this.fail('the message ends inside a varint', this.pos);
      byte = buf[pos++]!;
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
      multiplier *= 128;
    }
    throw this.fail('a varint is longer than 10 bytes', this.pos);
  }

  /** int64 varint (two's complement): a number when safe, else a bigint, in the scratch slot. */
  private readInt64(end: number): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (i === 10) throw this.fail('a varint is longer than 10 bytes', start);
      if (pos >= end) throw this.fail('the message ends inside a varint', start);
      const bits = buf[pos++]! & 0x7f;
      if (i < 4) {
        lo |= bits << (7 * i);
      } else if (i === 4) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else {
        hi |= bits << (7 * i - 32);
      }
      if (buf[pos - 1]! < 0x80) break;
    }
    this.pos = pos;
    lo >>>= 0;
    hi |= 0;
    // |value| < 2^53 whenever hi is within +-2^21; the float arithmetic below is then exact.
    if (hi >= -0x200000 && hi < 0x200000) {
      const value = hi * TWO_POW_32 + lo;
      if (Number.isSafeInteger(value)) {
        this.valueNumber = value;
        this.valueIsBig = false;
        return;
      }
    }
    this.valueBigint = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo));
    this.valueIsBig = true;
  }

  private readFixed64(end: number, message: string, fieldName: string): bigint {
    this.expectWire(WIRE_FIXED64, message, fieldName);
    this.checkAvailable(8, end, message, fieldName);
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  private readString(end: number, message: string, fieldName: string): string {
    const subEnd = this.enterLengthDelimited(end, message, fieldName);
    const start = this.pos;
    this.pos = subEnd;
    return cachedUtf8(this.buf, this.nodeBuf, start, subEnd);
  }

  /** Checks a length-delimited field, reads its length; returns its end with pos at its start. */
  private enterLengthDelimited(end: number, message: string, fieldName: string): number {
    this.expectWire(WIRE_LEN, message, fieldName);
    return this.readLength(end, message, fieldName);
  }

  /** message and fieldName are null for a field we skip without knowing it. */
  private readLength(end: number, message: string | null, fieldName: string | null): number {
    const lengthStart = this.pos;
    const length = this.readVarint(end);
    const left = end - this.pos;
    if (length > left) {
      throw this.fail(
        `${this.describeField(message, fieldName)} declares a length of ${length} bytes but only ${left} are left in the enclosing message`,
        lengthStart,
      );
    }
    return this.pos + length;
  }

  private checkAvailable(count: number, end: number, message: string | null, fieldName: string | null): void {
    if (end - this.pos < count) {
      throw this.fail(`the message ends inside ${this.describeField(message, fieldName)}`, this.pos);
    }
  }

  private describeField(message: string | null, fieldName: string | null): string {
    return message === null ? `field ${this.field}` : `field ${this.field} (${fieldName ?? '?'}) of ${message}`;
  }

  private expectWire(expected: number, message: string, fieldName: string): void {
    if (this.wire !== expected) {
      throw this.fail(
        `${this.describeField(message, fieldName)} has wire type ${this.wire} (${wireName(this.wire)}), expected ${expected} (${wireName(expected)})`,
        this.tagStart,
      );
    }
  }

  /** Skips a field we do not store, validating it as far as its wire type allows. */
  private skipField(end: number): void {
    switch (this.wire) {
      case WIRE_VARINT:
        this.readVarint(end);
        return;
      case WIRE_FIXED64:
        this.checkAvailable(8, end, null, null);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.readLength(end, null, null);
        return;
      case WIRE_FIXED32:
        this.checkAvailable(4, end, null, null);
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
      case WIRE_END_GROUP:
        throw this.fail(`field ${this.field} uses groups (wire type ${this.wire}), which OTLP never does`, this.tagStart);
      default:
        throw this.fail(`field ${this.field} has the invalid wire type ${this.wire}`, this.tagStart);
    }
  }

  private fail(problem: string, offset: number): OtlpDecodeError {
    return new OtlpDecodeError(problem, { byteOffset: offset });
  }
}

function wireName(wire: number): string {
  return WIRE_NAMES[wire] ?? 'invalid';
}

/** UTF-8 with replacement of invalid sequences (lenient, like most OTLP receivers). */
function decodeUtf8(nodeBuf: Buffer, start: number, end: number): string {
  return nodeBuf.toString('utf8', start, end);
}

// Attribute keys, span names and many values repeat from span to span. A small direct-mapped
// cache from UTF-8 bytes to the decoded string skips most decoding and hands the store the same
// string instance again and again (its hash is then computed once). Fixed size: bounded memory,
// and a miss only costs the hash and the copy of a few bytes.
const CACHE_SLOTS = 4096;
const CACHE_MAX_BYTES = 48;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX_BYTES);
const cacheLengths = new Int32Array(CACHE_SLOTS);
const cacheStrings: string[] = new Array<string>(CACHE_SLOTS).fill('');

function cachedUtf8(buf: Uint8Array, nodeBuf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > CACHE_MAX_BYTES) return decodeUtf8(nodeBuf, start, end);
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  const slot = hash >>> 20;
  const base = slot * CACHE_MAX_BYTES;
  if (cacheLengths[slot] === length) {
    let i = 0;
    while (i < length && cacheBytes[base + i] === buf[start + i]) i++;
    if (i === length) return cacheStrings[slot]!;
  }
  const text = decodeUtf8(nodeBuf, start, end);
  for (let i = 0; i < length; i++) cacheBytes[base + i] = buf[start + i]!;
  cacheLengths[slot] = length;
  cacheStrings[slot] = text;
  return text;
}
