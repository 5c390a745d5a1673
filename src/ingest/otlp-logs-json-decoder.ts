import type { AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch } from '../core/event-record.js';
import type { OtlpDecodeOptions } from './otlp-event-mapping.js';
import { OtlpLogBatchBuilder, emptyOtlpLogFields, type OtlpLogFields } from './otlp-log-mapping.js';
import { HEX_RE, OtlpJsonReader, parseOtlpJson, pick } from './otlp-json-reader.js';
import { VALUE_BYTES, VALUE_NONE, VALUE_STRING } from './otlp-any-value-kind.js';

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest into EventRecords, with the same mapping (and so
 * the same records) as the protobuf decoder, and the JSON rules of the trace decoder
 * (OtlpJsonReader): camelCase or snake_case names, hex ids, enums as numbers or names, exact int64.
 */
export function decodeOtlpLogsJson(text: string, options: OtlpDecodeOptions): DecodedBatch {
  const root = parseOtlpJson(text, 'logs');
  return new JsonLogsReader(new OtlpLogBatchBuilder(options)).readRequest(root);
}

/** SeverityNumber names (SEVERITY_NUMBER_TRACE = 1 ... SEVERITY_NUMBER_FATAL4 = 24). */
const SEVERITY_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries([
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    ['', '2', '3', '4'].map((n, j) => [`SEVERITY_NUMBER_${level}${n}`, i * 4 + j + 1] as const),
  ),
]);

class JsonLogsReader extends OtlpJsonReader {
  private readonly builder: OtlpLogBatchBuilder;
  private readonly log: OtlpLogFields = emptyOtlpLogFields();

  constructor(builder: OtlpLogBatchBuilder) {
    super(builder.maxAnyValueDepth, 'logs');
    this.builder = builder;
  }

  readRequest(root: unknown): DecodedBatch {
    const request = this.object(root);
    if (request === null) throw this.fail('the body must be a JSON object, got null');
    this.each(pick(request, 'resourceLogs', 'resource_logs'), 'resourceLogs', (item) => this.readResourceLogs(item));
    return this.builder.finish();
  }

  private readResourceLogs(value: unknown): void {
    const resourceLogs = this.object(value) ?? {};
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    this.readResource(resourceLogs.resource, layer);
    this.builder.beginResource(layer);
    this.each(pick(resourceLogs, 'scopeLogs', 'scope_logs'), 'scopeLogs', (item) => this.readScopeLogs(item));
  }

  private readScopeLogs(value: unknown): void {
    const scopeLogs = this.object(value) ?? {};
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    const { name, version } = this.readScope(scopeLogs.scope, layer);
    this.builder.beginScope(name, version, layer);
    this.each(pick(scopeLogs, 'logRecords', 'log_records'), 'logRecords', (item) => this.readLogRecord(item));
  }

  private readLogRecord(value: unknown): void {
    const source = this.object(value) ?? {};
    const log = this.log;
    log.timeNs = this.uint64(pick(source, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
    log.observedTimeNs = this.uint64(pick(source, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano');
    log.severityNumber = this.enumNumber(pick(source, 'severityNumber', 'severity_number'), 'severityNumber', SEVERITY_NUMBERS);
    log.severityText = this.string(pick(source, 'severityText', 'severity_text'), 'severityText');
    log.eventName = this.string(pick(source, 'eventName', 'event_name'), 'eventName');
    [log.traceId, log.traceIdBytes] = this.optionalId(pick(source, 'traceId', 'trace_id'), 'traceId', 16);
    [log.spanId, log.spanIdBytes] = this.optionalId(pick(source, 'spanId', 'span_id'), 'spanId', 8);
    log.attributes = { keys: [], kinds: [], values: [] };
    this.readAttributes(source.attributes, log.attributes);
    log.body = null;
    log.bodyEntries = { keys: [], kinds: [], values: [] };
    this.readBody(source.body, log);
    this.builder.addLogRecord(log);
  }

  /** The body AnyValue: its text (JSON for anything but a string), and a map's entries as attributes. */
  private readBody(value: unknown, log: OtlpLogFields): void {
    this.path.push('body');
    this.readAnyValue(value, 1);
    if (this.valueKind !== VALUE_NONE) {
      log.body = this.valueKind === VALUE_STRING || this.valueKind === VALUE_BYTES ? this.valueString : this.scratchValueJson();
      const body = this.object(value) ?? {};
      const map = this.object(pick(body, 'kvlistValue', 'kvlist_value'));
      if (map !== null) {
        this.path.push('kvlistValue');
        // KeyValueList.values has the shape of an attribute list.
        this.readAttributes(map.values, log.bodyEntries);
        this.path.pop();
      }
    }
    this.path.pop();
  }

  /** An id that may be absent ('' or missing: 0 bytes); -1 bytes when it is not hex. */
  private optionalId(value: unknown, field: string, expectedBytes: number): [bigint, number] {
    const hex = this.string(value, field);
    if (!HEX_RE.test(hex)) return [0n, -1];
    const bytes = hex.length / 2;
    return [bytes === expectedBytes ? BigInt(`0x${hex}`) : 0n, bytes];
  }
}
