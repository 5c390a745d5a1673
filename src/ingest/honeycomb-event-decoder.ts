/**
 * Honeycomb Events API bodies (already parsed from JSON or msgpack) → EventRecords.
 * Pure: no HTTP here. The receiver parses the body (honeycomb-body-decoder.ts), calls these
 * functions, and turns a thrown BadRequestError into a 400.
 *
 * Decisions:
 * - Known keys (trace.trace_id, name, duration_ms, ...) become core fields only when well-formed;
 *   otherwise they stay ordinary attributes, so no value is silently dropped.
 * - Keys such as `__proto__` are stored as ordinary attribute keys: the attribute list is made of
 *   arrays, and the input is only read through Object.entries, so no prototype is ever touched.
 * - An event breaking a documented Honeycomb limit (2000 fields, 64 KB per string) is refused as a
 *   whole, with an English message, never truncated.
 */
import { datasetNameProblem } from '../core/dataset-name.js';
import { BadRequestError } from '../core/errors.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';
import { emptyAttributeList, pushAttribute, type AttributeList } from '../core/attribute-value.js';
import type { AnnotationType, EventRecord, SpanKindName, StatusCodeName } from '../core/event-record.js';
import { parseSpanIdHex, parseTraceIdHex } from '../core/trace-id.js';
import { resolveHoneycombEventTime } from './honeycomb-event-time.js';
import { checkEventCount } from './request-event-bound.js';

export const HONEYCOMB_MAX_FIELDS = INGEST_LIMITS.attributesPerEvent.value;
/** 64 KB, counted in UTF-8 bytes, for string values (JSON text of objects included). */
export const HONEYCOMB_MAX_STRING_BYTES = INGEST_LIMITS.valueBytes.value;
/** Field names are columns held in memory for the store's life: much shorter (UTF-8 bytes). */
const MAX_KEY_BYTES = INGEST_LIMITS.keyBytes.value;

export interface HoneycombEventMeta {
  dataset: string;
  /** X-Honeycomb-Event-Time: RFC 3339 or a Unix time in seconds or milliseconds (honeycomb-event-time.ts). */
  eventTime?: string;
  /** X-Honeycomb-Samplerate. */
  sampleRate?: string;
  receivedAtNs: bigint;
}

export interface HoneycombBatchMeta {
  dataset: string;
  receivedAtNs: bigint;
  /** Items the batch may hold (ingest.eventsPerRequest by default; WAL replay: REPLAY_MAX_EVENTS). */
  maxEvents?: number;
}

/** One entry of the batch answer, in the order of the request's items. */
export interface HoneycombItemStatus {
  status: number;
  error?: string;
}

export interface HoneycombBatchResult {
  /** The accepted events, in request order. */
  events: EventRecord[];
  statuses: HoneycombItemStatus[];
}

const UUID_RE = /^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$/;
const SPAN_KINDS: ReadonlySet<string> = new Set<SpanKindName>([
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
]);
/** status_code as a name, or as OTLP's integer (0 unset, 1 ok, 2 error), which Honeycomb shows. */
const STATUS_CODES: Readonly<Record<string, StatusCodeName>> = {
  unset: 'unset',
  ok: 'ok',
  error: 'error',
  '0': 'unset',
  '1': 'ok',
  '2': 'error',
};
const ANNOTATION_TYPES: ReadonlySet<string> = new Set<AnnotationType>(['span_event', 'link']);
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function utf8Length(text: string, max: number): number {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: short strings need no exact count.
  return text.length * 3 <= max ? text.length : Buffer.byteLength(text, 'utf8');
}

function checkStringSize(what: string, key: string, text: string, max = HONEYCOMB_MAX_STRING_BYTES): void {
  const bytes = utf8Length(text, max);
  if (bytes > max) {
    throw new BadRequestError(`${what} of field "${key.slice(0, 100)}" is ${bytes} bytes; at most ${max} bytes are accepted`);
  }
}

function parseTraceId(value: unknown): bigint | null {
  if (typeof value !== 'string') return null;
  const uuid = UUID_RE.exec(value);
  const hex = uuid ? uuid.slice(1).join('') : value;
  return parseTraceIdHex(hex);
}

function parseSpanId(value: unknown): bigint | null {
  return typeof value === 'string' ? parseSpanIdHex(value) : null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Largest duration_ms whose nanoseconds fit the store's signed 64-bit integer (about 292 years). */
const MAX_DURATION_MS = 9_223_372_036_854;

function parseDurationNs(raw: unknown): bigint | null {
  // An integer beyond 2^53 arrives as a bigint (exact JSON, msgpack int64).
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  // Refused rather than stored: acknowledged, it could never be committed (found by fuzzing).
  if (Math.abs(value) > MAX_DURATION_MS) throw new BadRequestError(`duration_ms ${value} is out of range: at most ${MAX_DURATION_MS} ms are accepted`);
  if (value < 0) return null;
  return BigInt(Math.round(value * 1e6));
}

function parseSpanKind(value: unknown): SpanKindName | null {
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return SPAN_KINDS.has(lower) ? (lower as SpanKindName) : null;
}

function parseStatusCode(value: unknown): StatusCodeName | null {
  if (typeof value === 'string') return STATUS_CODES[value.toLowerCase()] ?? null;
  if (typeof value === 'number' && Number.isInteger(value)) return STATUS_CODES[String(value)] ?? null;
  return null;
}

function parseAnnotationType(value: unknown): AnnotationType | null {
  return typeof value === 'string' && ANNOTATION_TYPES.has(value) ? (value as AnnotationType) : null;
}

/**
 * Honeycomb's sample rate: a positive integer, 1 when absent or unusable. A fractional rate ≥ 1 is
 * truncated (Honeycomb's clients only send integers).
 */
function parseSampleRate(raw: unknown): number {
  const value = (typeof raw === 'string' && raw.trim() !== '') || typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) return 1;
  return Math.min(Math.trunc(value), Number.MAX_SAFE_INTEGER);
}

/** Nested values (objects, arrays) are stored as JSON text; bytes as base64, bigints exactly. */
function nestedJsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -MAX_SAFE_BIGINT && value <= MAX_SAFE_BIGINT ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

function nestedToJson(key: string, value: object): string {
  try {
    return JSON.stringify(value, nestedJsonReplacer);
  } catch (error) {
    // Stack overflow on absurd nesting: a bad event, not a server fault.
    if (error instanceof RangeError) throw new BadRequestError(`value of field "${key.slice(0, 100)}" is nested too deeply`);
    throw error;
  }
}

/** Adds one non-core field to the list with its kind; null and undefined are skipped. */
function pushField(list: AttributeList, key: string, value: unknown): void {
  switch (typeof value) {
    case 'string':
      pushAttribute(list, key, 'string', value);
      return;
    case 'boolean':
      pushAttribute(list, key, 'boolean', value);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) pushAttribute(list, key, 'integer', value);
      else if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) pushAttribute(list, key, 'integer', BigInt(value));
      else pushAttribute(list, key, 'float', value);
      return;
    case 'bigint':
      // msgpack int64/uint64; a uint64 above int64 cannot be an integer column: keep its digits.
      if (value >= -MAX_SAFE_BIGINT && value <= MAX_SAFE_BIGINT) pushAttribute(list, key, 'integer', Number(value));
      else if (value >= INT64_MIN && value <= INT64_MAX) pushAttribute(list, key, 'integer', value);
      else pushAttribute(list, key, 'string', value.toString());
      return;
    case 'object': {
      if (value === null) return;
      let text: string;
      if (value instanceof Date) text = Number.isFinite(value.getTime()) ? value.toISOString() : 'Invalid Date';
      else if (value instanceof Uint8Array) text = nestedJsonReplacer(key, value) as string;
      else text = nestedToJson(key, value);
      checkStringSize('value', key, text);
      pushAttribute(list, key, 'string', text);
      return;
    }
    default:
      // undefined, functions, symbols cannot come out of JSON or msgpack.
      return;
  }
}

interface ItemInput {
  data: unknown;
  time: unknown;
  sampleRate: unknown;
}

function decodeItem(item: ItemInput, dataset: string, receivedAtNs: bigint): EventRecord {
  const { data } = item;
  if (!isPlainRecord(data)) throw new BadRequestError('event data must be a JSON object');
  const entries = Object.entries(data);
  if (entries.length > HONEYCOMB_MAX_FIELDS) {
    throw new BadRequestError(`event has ${entries.length} fields; at most ${HONEYCOMB_MAX_FIELDS} are accepted`);
  }
  const record: EventRecord = {
    dataset,
    timestampNs: resolveHoneycombEventTime(item.time, receivedAtNs),
    durationNs: null,
    traceId: null,
    spanId: null,
    parentId: null,
    name: null,
    serviceName: null,
    kind: null,
    statusCode: null,
    statusMessage: null,
    libraryName: null,
    libraryVersion: null,
    annotationType: null,
    sampleRate: parseSampleRate(item.sampleRate),
    attributes: [],
  };
  const list = emptyAttributeList();
  // `service.name` wins over the older `service_name` when both are usable.
  const hasServiceDotName = nonEmptyString(Object.getOwnPropertyDescriptor(data, 'service.name')?.value) !== null;
  let errorFlag = false;
  for (const [key, value] of entries) {
    checkStringSize('name', key, key, MAX_KEY_BYTES);
    if (typeof value === 'string') checkStringSize('value', key, value);
    if (liftCoreField(record, key, value, hasServiceDotName)) continue;
    if (key === 'error' && typeof value === 'boolean') {
      errorFlag = value;
      continue;
    }
    pushField(list, key, value);
  }
  if (errorFlag && record.statusCode === null) record.statusCode = 'error';
  record.attributes = [list];
  return record;
}

/**
 * Sets the core field for a well-formed known key; false means "store it as an attribute".
 * A core field is only ever assigned a parsed value, never reset, so key order cannot matter.
 */
function liftCoreField(record: EventRecord, key: string, value: unknown, hasServiceDotName: boolean): boolean {
  switch (key) {
    case 'trace.trace_id':
      return assign(parseTraceId(value), (v) => (record.traceId = v));
    case 'trace.span_id':
      return assign(parseSpanId(value), (v) => (record.spanId = v));
    case 'trace.parent_id':
      return assign(parseSpanId(value), (v) => (record.parentId = v));
    case 'name':
      return assign(nonEmptyString(value), (v) => (record.name = v));
    case 'service.name':
      return assign(nonEmptyString(value), (v) => (record.serviceName = v));
    case 'service_name':
      return !hasServiceDotName && assign(nonEmptyString(value), (v) => (record.serviceName = v));
    case 'duration_ms':
      return assign(parseDurationNs(value), (v) => (record.durationNs = v));
    case 'span.kind':
      return assign(parseSpanKind(value), (v) => (record.kind = v));
    case 'status_code':
      return assign(parseStatusCode(value), (v) => (record.statusCode = v));
    case 'status_message':
      if (typeof value !== 'string') return false;
      record.statusMessage = value;
      return true;
    case 'library.name':
      return assign(nonEmptyString(value), (v) => (record.libraryName = v));
    case 'library.version':
      return assign(nonEmptyString(value), (v) => (record.libraryVersion = v));
    case 'meta.annotation_type':
      return assign(parseAnnotationType(value), (v) => (record.annotationType = v));
    default:
      return false;
  }
}

function assign<T>(parsed: T | null, set: (value: T) => void): boolean {
  if (parsed === null) return false;
  set(parsed);
  return true;
}

/** The dataset of the URL, trimmed, case kept (the store makes `My Dataset` and `my-dataset` one); 400 when invalid. */
function normalizeDataset(dataset: string): string {
  const trimmed = dataset.trim();
  const problem = datasetNameProblem(trimmed);
  if (problem !== null) throw new BadRequestError(problem);
  return trimmed;
}

/**
 * `POST /1/events/:dataset`: one flat JSON object. Throws BadRequestError (→ 400) when the body is
 * not an object or breaks a limit.
 */
export function decodeHoneycombEvent(data: unknown, meta: HoneycombEventMeta): EventRecord {
  return decodeItem(
    { data, time: meta.eventTime, sampleRate: meta.sampleRate },
    normalizeDataset(meta.dataset),
    meta.receivedAtNs,
  );
}

/**
 * `POST /1/batch/:dataset`: `[{data, time?, samplerate?}]`. Every item gets a status, in order:
 * 202 when accepted, 400 with an English reason when refused; one bad item never spoils the rest.
 * Throws BadRequestError (→ 400 for the whole request) when the body is not an array.
 */
export function decodeHoneycombBatch(items: unknown, meta: HoneycombBatchMeta): HoneycombBatchResult {
  if (!Array.isArray(items)) throw new BadRequestError('batch body must be a JSON array of {data, time?, samplerate?}');
  checkEventCount(items.length, 'events', meta.maxEvents);
  const dataset = normalizeDataset(meta.dataset);
  const events: EventRecord[] = [];
  const statuses: HoneycombItemStatus[] = [];
  for (const item of items as unknown[]) {
    try {
      if (!isPlainRecord(item)) throw new BadRequestError('batch item must be an object {data, time?, samplerate?}');
      const get = (name: string): unknown => Object.getOwnPropertyDescriptor(item, name)?.value;
      events.push(decodeItem({ data: get('data'), time: get('time'), sampleRate: get('samplerate') }, dataset, meta.receivedAtNs));
      statuses.push({ status: 202 });
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      statuses.push({ status: 400, error: error.message });
    }
  }
  return { events, statuses };
}
