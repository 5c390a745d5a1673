import { Buffer } from 'node:buffer';
import { pushAttribute, type AttributeList } from '../core/attribute-value.js';
import { otlpAnyValueJson } from './otlp-any-value-json.js';
import { OtlpDecodeError, type OtlpSignalName } from './otlp-decode-error.js';
import { VALUE_BOOL, VALUE_BYTES, VALUE_DOUBLE, VALUE_INT, VALUE_NONE, VALUE_STRING, VALUE_TEXT } from './otlp-any-value-kind.js';

/**
 * The protobuf reading every OTLP decoder shares (traces, logs, metrics): tags, varints, lengths
 * checked against the enclosing message, strings, and the common messages Resource,
 * InstrumentationScope, KeyValue and AnyValue. Each signal's decoder extends it with the messages
 * of its own request. Untrusted input: every length is checked against the bytes left in its
 * enclosing message before use, and nothing is allocated from a declared length.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start group', 'end group', 'fixed32'];


const TWO_POW_32 = 4294967296;

/** The scope of an InstrumentationScope message, read by readScope. */
export interface OtlpScopeFields {
  name: string;
  version: string;
  attributes: AttributeList;
}

export class OtlpProtobufReader {
  protected readonly buf: Uint8Array;
  protected readonly view: DataView;
  /** The same memory seen as a Buffer, for base64 and hex without copying. */
  protected readonly nodeBuf: Buffer;
  protected readonly maxDepth: number;
  private readonly signal: OtlpSignalName;
  protected pos = 0;

  // The tag read last by readTag.
  protected field = 0;
  protected wire = 0;
  protected tagStart = 0;

  // The AnyValue read last by readAnyValue.
  protected valueKind = VALUE_NONE;
  protected valueString = '';
  protected valueNumber = 0;
  protected valueBigint = 0n;
  protected valueIsBig = false;
  protected valueBool = false;
  protected bytesStart = 0;
  protected bytesEnd = 0;

  constructor(bytes: Uint8Array, maxDepth: number, signal: OtlpSignalName) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.nodeBuf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxDepth = maxDepth;
    this.signal = signal;
  }

  // InstrumentationScope{ string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped = 4 }
  protected readScope(end: number, scope: OtlpScopeFields): void {
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1:
          scope.name = this.readString(end, 'InstrumentationScope', 'name');
          break;
        case 2:
          scope.version = this.readString(end, 'InstrumentationScope', 'version');
          break;
        case 3: {
          const subEnd = this.enterLengthDelimited(end, 'InstrumentationScope', 'attributes');
          this.readKeyValue(subEnd, scope.attributes);
          break;
        }
        default:
          this.skipField(end);
      }
    }
  }

  // Resource{ repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2 }
  protected readResource(end: number, layer: AttributeList): void {
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


  // KeyValue{ string key = 1; AnyValue value = 2 }. An attribute without a value is skipped.
  protected readKeyValue(end: number, list: AttributeList): void {
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
  protected readAnyValue(end: number, depth: number): void {
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
  protected scratchValueJson(): string {
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
  protected readArrayJson(end: number, depth: number): string {
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
  protected readKeyValueListJson(end: number, depth: number): string {
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
  protected readTag(end: number): number {
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
  protected readVarint(end: number): number {
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
  protected readInt64(end: number): void {
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

  /**
   * A big-endian id of 8 or 16 bytes at `start` (checked by the caller), through the reader's own
   * DataView: core's idFromBytes makes a DataView per call, three per span on the hot path.
   */
  protected idAt(start: number, length: 8 | 16): bigint {
    const view = this.view;
    if (length === 8) return view.getBigUint64(start, false);
    return (view.getBigUint64(start, false) << 64n) | view.getBigUint64(start + 8, false);
  }

  protected readFixed64(end: number, message: string, fieldName: string): bigint {
    this.expectWire(WIRE_FIXED64, message, fieldName);
    this.checkAvailable(8, end, message, fieldName);
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  protected readString(end: number, message: string, fieldName: string): string {
    const subEnd = this.enterLengthDelimited(end, message, fieldName);
    const start = this.pos;
    this.pos = subEnd;
    return cachedUtf8(this.buf, this.nodeBuf, start, subEnd);
  }

  /** Checks a length-delimited field, reads its length; returns its end with pos at its start. */
  protected enterLengthDelimited(end: number, message: string, fieldName: string): number {
    this.expectWire(WIRE_LEN, message, fieldName);
    return this.readLength(end, message, fieldName);
  }

  /** message and fieldName are null for a field we skip without knowing it. */
  protected readLength(end: number, message: string | null, fieldName: string | null): number {
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

  protected checkAvailable(count: number, end: number, message: string | null, fieldName: string | null): void {
    if (end - this.pos < count) {
      throw this.fail(`the message ends inside ${this.describeField(message, fieldName)}`, this.pos);
    }
  }

  protected describeField(message: string | null, fieldName: string | null): string {
    return message === null ? `field ${this.field}` : `field ${this.field} (${fieldName ?? '?'}) of ${message}`;
  }

  protected expectWire(expected: number, message: string, fieldName: string): void {
    if (this.wire !== expected) {
      throw this.fail(
        `${this.describeField(message, fieldName)} has wire type ${this.wire} (${wireName(this.wire)}), expected ${expected} (${wireName(expected)})`,
        this.tagStart,
      );
    }
  }

  /** Skips a field we do not store, validating it as far as its wire type allows. */
  protected skipField(end: number): void {
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

  protected fail(problem: string, offset: number): OtlpDecodeError {
    return new OtlpDecodeError(problem, { byteOffset: offset }, this.signal);
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

export function cachedUtf8(buf: Uint8Array, nodeBuf: Buffer, start: number, end: number): string {
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