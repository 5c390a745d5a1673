import { Buffer } from 'node:buffer';
import { pushAttribute, type AttributeList } from '../core/attribute-value.js';
import { otlpAnyValueJson } from './otlp-any-value-json.js';
import { OtlpDecodeError, type OtlpSignalName } from './otlp-decode-error.js';
import { VALUE_BOOL, VALUE_BYTES, VALUE_DOUBLE, VALUE_INT, VALUE_NONE, VALUE_STRING, VALUE_TEXT } from './otlp-any-value-kind.js';

/**
 * The OTLP/JSON reading every OTLP decoder shares (traces, logs, metrics): parsing with exact
 * 64-bit integers, the JSON path of a problem, scalars as proto3's JSON mapping allows them, and
 * the common messages Resource, InstrumentationScope, KeyValue and AnyValue. Each signal's
 * decoder extends it with the messages of its own request.
 */

export type JsonObject = Record<string, unknown>;

/**
 * The int64/fixed64 fields of OTLP requests (times, intValue, metric integers and counts), when
 * written as a JSON number of 16 digits or more (the shortest that can pass 2^53), followed by what
 * may follow a number. The match cannot start inside a string: there every quote is escaped, so
 * `"intValue"` followed by `:` is always a real key (or the tail of an odd unknown key, whose value
 * is ignored anyway).
 */
const INT64_NUMBER_RE =
  /"(startTimeUnixNano|endTimeUnixNano|timeUnixNano|observedTimeUnixNano|intValue|asInt|count|zeroCount|start_time_unix_nano|end_time_unix_nano|time_unix_nano|observed_time_unix_nano|int_value|as_int|zero_count)"([ \t\r\n]*:[ \t\r\n]*)(-?\d{16,})(?=[ \t\r\n,}\]])/g;

/**
 * Wraps such numbers in quotes before JSON.parse, so that the string form of the field (which the
 * reader parses digit by digit) carries them and no double rounds them: JSON.parse on Node 20 gives
 * a reviver no access to a number's source text. A general exact parser (lossless-json) was 5×
 * slower on the whole decode; this pass costs a regex scan, and nothing when no field matches.
 */
function quoteInt64Numbers(text: string): string {
  return text.replace(INT64_NUMBER_RE, '"$1"$2"$3"');
}

/** Parses an OTLP/JSON body; text that is not JSON is a 400 naming the parser's complaint. */
export function parseOtlpJson(text: string, signal: OtlpSignalName): unknown {
  try {
    return JSON.parse(quoteInt64Numbers(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OtlpDecodeError(`the body is not valid JSON (${reason})`, { jsonPath: '$' }, signal);
  }
}

export const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
export const UINT_RE = /^\d+$/;
const INT_RE = /^-?\d+$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DOUBLE_WORDS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

const UINT64_LIMIT = 1n << 64n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;


export class OtlpJsonReader {
  protected readonly maxDepth: number;
  private readonly signal: OtlpSignalName;
  /** The path to the value being read, as segments; rendered only for an error message. */
  protected readonly path: (string | number)[] = ['$'];

  protected valueKind = VALUE_NONE;
  protected valueString = '';
  protected valueNumber = 0;
  protected valueInt: number | bigint = 0;
  protected valueBool = false;

  constructor(maxDepth: number, signal: OtlpSignalName) {
    this.maxDepth = maxDepth;
    this.signal = signal;
  }

  /** The resource's attributes (ResourceSpans/ResourceLogs/ResourceMetrics.resource) into layer. */
  protected readResource(value: unknown, layer: AttributeList): void {
    this.path.push('resource');
    const resource = this.object(value);
    if (resource !== null) this.readAttributes(resource.attributes, layer);
    this.path.pop();
  }

  /** InstrumentationScope{ name, version, attributes }. */
  protected readScope(value: unknown, layer: AttributeList): { name: string; version: string } {
    this.path.push('scope');
    const scope = this.object(value);
    let name = '';
    let version = '';
    if (scope !== null) {
      name = this.string(scope.name, 'name');
      version = this.string(scope.version, 'version');
      this.readAttributes(scope.attributes, layer);
    }
    this.path.pop();
    return { name, version };
  }

  /** Calls read for each element of the array at field, with the path kept. */
  protected each(value: unknown, field: string, read: (item: unknown) => void): void {
    const items = this.array(value, field);
    for (let i = 0; i < items.length; i++) {
      this.path.push(field, i);
      read(items[i]);
      this.path.pop();
      this.path.pop();
    }
  }

  // ---- attributes ----

  /** repeated KeyValue; an attribute without a value is skipped. */
  protected readAttributes(value: unknown, list: AttributeList): void {
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
  protected readAnyValue(value: unknown, depth: number): void {
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

  protected setKind(kind: number, field: string, previous: string): void {
    if (previous !== '') throw this.fail(`an AnyValue sets both ${previous} and ${field}; it may set only one`);
    this.valueKind = kind;
  }

  protected scratchValueJson(): string {
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
  protected readArrayJson(value: unknown, depth: number): string {
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
  protected readKeyValueListJson(value: unknown, depth: number): string {
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

  protected string(value: unknown, field: string): string {
    if (typeof value === 'string') return value;
    if (value === undefined || value === null) return '';
    throw this.fail(`${field} must be a string, got ${describe(value)}`);
  }

  protected object(value: unknown): JsonObject | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw this.fail(`expected an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  protected array(value: unknown, field: string): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.fail(`${field} must be an array, got ${describe(value)}`);
    return value;
  }

  protected uint64(value: unknown, field: string): bigint {
    if (value === undefined || value === null) return 0n;
    let result: bigint | null = null;
    if (typeof value === 'string' && UINT_RE.test(value)) result = BigInt(value);
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) result = BigInt(value);
    if (result === null || result >= UINT64_LIMIT) {
      throw this.fail(`${field} must be an unsigned 64-bit integer (a string or a number), got ${describe(value)}`);
    }
    return result;
  }

  protected int64(value: unknown, field: string): number | bigint {
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

  protected double(value: unknown, field: string): number {
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
  protected base64(value: unknown, field: string): string {
    if (typeof value !== 'string' || !BASE64_RE.test(value)) {
      throw this.fail(`${field} must be a base64 string, got ${describe(value)}`);
    }
    return Buffer.from(value, 'base64').toString('base64');
  }

  protected enumNumber(value: unknown, field: string, names: Readonly<Record<string, number>>): number {
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

  protected fail(problem: string): OtlpDecodeError {
    let path = '';
    for (const segment of this.path) path += typeof segment === 'number' ? `[${segment}]` : path === '' ? segment : `.${segment}`;
    return new OtlpDecodeError(problem, { jsonPath: path }, this.signal);
  }
}

/** lowerCamelCase wins when both spellings are present. */
export function pick(source: JsonObject, camel: string, snake: string): unknown {
  const value = source[camel];
  return value === undefined || value === null ? source[snake] : value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string "${value.slice(0, 40)}..."` : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
