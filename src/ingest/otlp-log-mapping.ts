import { pushAttribute, type AttributeList, type AttributeScalar } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { makeRecord, maxAnyValueDepthOf, shorten, type OtlpDecodeOptions } from './otlp-event-mapping.js';
import { OtlpResourceScope } from './otlp-resource-scope.js';
import { RequestEventBound } from './request-event-bound.js';

/**
 * One OTLP LogRecord as a decoder read it, before validation. Ids come with the byte length
 * received (as for spans): 0 means not set, -1 a JSON value that is not hex.
 */
export interface OtlpLogFields {
  timeNs: bigint;
  observedTimeNs: bigint;
  severityNumber: number;
  severityText: string;
  eventName: string;
  traceId: bigint;
  traceIdBytes: number;
  spanId: bigint;
  spanIdBytes: number;
  /** The body, when set: a string as is, any other value as its JSON text. */
  body: string | null;
  /** For a key-value list body, its entries (values as attributes are), else empty. */
  bodyEntries: AttributeList;
  attributes: AttributeList;
}

export function emptyOtlpLogFields(): OtlpLogFields {
  return {
    timeNs: 0n,
    observedTimeNs: 0n,
    severityNumber: 0,
    severityText: '',
    eventName: '',
    traceId: 0n,
    traceIdBytes: 0,
    spanId: 0n,
    spanIdBytes: 0,
    body: null,
    bodyEntries: { keys: [], kinds: [], values: [] },
    attributes: { keys: [], kinds: [], values: [] },
  };
}

/** The column that tells logs, metrics and spans apart (Honeycomb's name). */
export const SIGNAL_TYPE_KEY = 'meta.signal_type';
const BODY_KEY_PREFIX = 'body.';
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Maps OTLP logs to wide events: one log record is one event (meta.annotation_type `log`, so trace
 * views can tell it from a span), with `severity_text`, `severity_number`, `body` (and `body.<key>`
 * for a map body), `observed_time_unix_nano`, `meta.signal_type = log`, its trace and span ids when
 * set, and attribute layers [resource, scope, record] as for spans. The dataset rule is the spans'.
 *
 * Usage: beginResource, then per scope beginScope, then addLogRecord per record; finish once.
 */
export class OtlpLogBatchBuilder {
  readonly maxAnyValueDepth: number;
  private readonly events: EventRecord[] = [];
  private readonly bound: RequestEventBound;
  private accepted = 0;
  private rejected = 0;
  private firstRejection = '';
  private readonly context: OtlpResourceScope;

  constructor(options: OtlpDecodeOptions) {
    this.bound = new RequestEventBound('log records', options.maxEvents);
    this.maxAnyValueDepth = maxAnyValueDepthOf(options);
    this.context = new OtlpResourceScope(options);
  }

  beginResource(attributes: AttributeList): void {
    this.context.beginResource(attributes);
  }

  beginScope(name: string, version: string, attributes: AttributeList): void {
    this.context.beginScope(name, version, attributes);
  }

  /** Validates and maps one log record; a rejected one joins the partial success. */
  addLogRecord(log: OtlpLogFields): void {
    const own = log.attributes;
    // The record's own fields come after its attributes, so an attribute of the same name loses.
    for (let i = 0; i < log.bodyEntries.keys.length; i++) {
      pushAttribute(own, BODY_KEY_PREFIX + log.bodyEntries.keys[i]!, log.bodyEntries.kinds[i]!, log.bodyEntries.values[i]!);
    }
    if (log.body !== null) pushAttribute(own, 'body', 'string', log.body);
    if (log.severityText !== '') pushAttribute(own, 'severity_text', 'string', log.severityText);
    if (log.severityNumber !== 0) pushAttribute(own, 'severity_number', 'integer', log.severityNumber);
    if (log.observedTimeNs !== 0n && log.observedTimeNs <= INT64_MAX) pushAttribute(own, 'observed_time_unix_nano', 'integer', exactInteger(log.observedTimeNs));
    pushAttribute(own, SIGNAL_TYPE_KEY, 'string', 'log');
    const reason = idProblem(log) ?? this.context.limitProblem(own, this.context.sharedAttributeCount + own.keys.length, 'log record');
    if (reason !== null) {
      if (this.rejected === 0) this.firstRejection = `log record ${this.accepted + this.rejected} ${reason}`;
      this.rejected++;
      return;
    }
    this.bound.add();
    this.accepted++;
    const traceId = log.traceIdBytes === 16 && log.traceId !== 0n ? log.traceId : null;
    const spanId = log.spanIdBytes === 8 && log.spanId !== 0n ? log.spanId : null;
    this.events.push(
      makeRecord(
        this.context.dataset,
        log.timeNs !== 0n ? log.timeNs : log.observedTimeNs,
        null,
        traceId,
        spanId,
        null,
        log.eventName === '' ? null : log.eventName,
        this.context.serviceName,
        null,
        null,
        null,
        this.context.libraryName,
        this.context.libraryVersion,
        'log',
        [this.context.resourceLayer, this.context.scopeLayer, own],
      ),
    );
  }

  finish(): DecodedBatch {
    const total = this.accepted + this.rejected;
    return {
      events: this.events,
      acceptedSpans: this.accepted,
      rejectedSpans: this.rejected,
      rejectionMessage: this.rejected === 0 ? '' : `rejected ${this.rejected} of ${total} log ${total === 1 ? 'record' : 'records'}: ${shorten(this.firstRejection)}`,
    };
  }
}

/** A log's ids are optional, but one that is set must have its length (OTLP: grounds to reject). */
function idProblem(log: OtlpLogFields): string | null {
  if (log.traceIdBytes !== 0 && log.traceIdBytes !== 16) return badId('trace id', log.traceIdBytes, '16 bytes');
  if (log.spanIdBytes !== 0 && log.spanIdBytes !== 8) return badId('span id', log.spanIdBytes, '8 bytes');
  return null;
}

function badId(what: string, bytes: number, expected: string): string {
  if (bytes < 0) return `has a ${what} that is not a hex string`;
  return `has a ${what} of ${bytes} ${bytes === 1 ? 'byte' : 'bytes'} (expected none or ${expected})`;
}

/** An attribute integer: a number when exact, else the bigint (times in ns pass 2^53). */
export function exactInteger(value: bigint): AttributeScalar {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}
