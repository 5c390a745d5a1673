import type { AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch } from '../core/event-record.js';
import { idFromBytes } from '../core/trace-id.js';
import type { OtlpDecodeOptions } from './otlp-event-mapping.js';
import { OtlpLogBatchBuilder, emptyOtlpLogFields, type OtlpLogFields } from './otlp-log-mapping.js';
import { OtlpProtobufReader, WIRE_VARINT, type OtlpScopeFields } from './otlp-protobuf-reader.js';
import { VALUE_BYTES, VALUE_NONE, VALUE_STRING } from './otlp-any-value-kind.js';

/**
 * Decodes an OTLP ExportLogsServiceRequest (protobuf) straight into EventRecords, with the trace
 * decoder's wire reading (OtlpProtobufReader) and the mapping of OtlpLogBatchBuilder.
 * Malformed input throws OtlpDecodeError naming the problem and its byte offset.
 */
export function decodeOtlpLogsProtobuf(bytes: Uint8Array, options: OtlpDecodeOptions): DecodedBatch {
  return new ProtobufLogsReader(bytes, new OtlpLogBatchBuilder(options)).readRequest();
}

class ProtobufLogsReader extends OtlpProtobufReader {
  private readonly builder: OtlpLogBatchBuilder;
  private readonly log: OtlpLogFields = emptyOtlpLogFields();

  constructor(bytes: Uint8Array, builder: OtlpLogBatchBuilder) {
    super(bytes, builder.maxAnyValueDepth, 'logs');
    this.builder = builder;
  }

  // ExportLogsServiceRequest{ repeated ResourceLogs resource_logs = 1 }
  readRequest(): DecodedBatch {
    const end = this.buf.length;
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readResourceLogs(this.enterLengthDelimited(end, 'ExportLogsServiceRequest', 'resource_logs'));
      else this.skipField(end);
    }
    return this.builder.finish();
  }

  // ResourceLogs{ Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3 }
  // Two passes, as for ResourceSpans: the resource may follow its scope_logs.
  private readResourceLogs(end: number): void {
    const start = this.pos;
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readResource(this.enterLengthDelimited(end, 'ResourceLogs', 'resource'), layer);
      else this.skipField(end);
    }
    this.builder.beginResource(layer);
    this.pos = start;
    while (this.pos < end) {
      if (this.readTag(end) === 2) this.readScopeLogs(this.enterLengthDelimited(end, 'ResourceLogs', 'scope_logs'));
      else this.skipField(end);
    }
  }

  // ScopeLogs{ InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3 }
  private readScopeLogs(end: number): void {
    const start = this.pos;
    const scope: OtlpScopeFields = { name: '', version: '', attributes: { keys: [], kinds: [], values: [] } };
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readScope(this.enterLengthDelimited(end, 'ScopeLogs', 'scope'), scope);
      else this.skipField(end);
    }
    this.builder.beginScope(scope.name, scope.version, scope.attributes);
    this.pos = start;
    while (this.pos < end) {
      if (this.readTag(end) === 2) this.readLogRecord(this.enterLengthDelimited(end, 'ScopeLogs', 'log_records'));
      else this.skipField(end);
    }
  }

  // LogRecord{ fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2; string severity_text = 3;
  //   AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
  //   fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; fixed64 observed_time_unix_nano = 11;
  //   string event_name = 12 }
  private readLogRecord(end: number): void {
    const log = this.log;
    log.timeNs = 0n;
    log.observedTimeNs = 0n;
    log.severityNumber = 0;
    log.severityText = '';
    log.eventName = '';
    log.traceIdBytes = 0;
    log.spanIdBytes = 0;
    log.traceId = 0n;
    log.spanId = 0n;
    log.body = null;
    log.bodyEntries = { keys: [], kinds: [], values: [] };
    log.attributes = { keys: [], kinds: [], values: [] };
    let bodyStart = -1;
    let bodyEnd = -1;
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1:
          log.timeNs = this.readFixed64(end, 'LogRecord', 'time_unix_nano');
          break;
        case 2:
          this.expectWire(WIRE_VARINT, 'LogRecord', 'severity_number');
          log.severityNumber = this.readVarint(end);
          break;
        case 3:
          log.severityText = this.readString(end, 'LogRecord', 'severity_text');
          break;
        case 5:
          bodyEnd = this.enterLengthDelimited(end, 'LogRecord', 'body');
          bodyStart = this.pos;
          this.pos = bodyEnd;
          break;
        case 6:
          this.readKeyValue(this.enterLengthDelimited(end, 'LogRecord', 'attributes'), log.attributes);
          break;
        case 9: {
          const subEnd = this.enterLengthDelimited(end, 'LogRecord', 'trace_id');
          log.traceIdBytes = subEnd - this.pos;
          log.traceId = log.traceIdBytes === 16 ? idFromBytes(this.buf, this.pos, 16) : 0n;
          this.pos = subEnd;
          break;
        }
        case 10: {
          const subEnd = this.enterLengthDelimited(end, 'LogRecord', 'span_id');
          log.spanIdBytes = subEnd - this.pos;
          log.spanId = log.spanIdBytes === 8 ? idFromBytes(this.buf, this.pos, 8) : 0n;
          this.pos = subEnd;
          break;
        }
        case 11:
          log.observedTimeNs = this.readFixed64(end, 'LogRecord', 'observed_time_unix_nano');
          break;
        case 12:
          log.eventName = this.readString(end, 'LogRecord', 'event_name');
          break;
        default:
          // dropped_attributes_count (7), flags (8) and unknown fields carry nothing we store.
          this.skipField(end);
      }
    }
    if (bodyStart >= 0) this.readBody(bodyStart, bodyEnd, log);
    this.pos = end;
    this.builder.addLogRecord(log);
  }

  /** The body AnyValue: its text (JSON for anything but a string), and a map's entries as attributes. */
  private readBody(start: number, end: number, log: OtlpLogFields): void {
    this.pos = start;
    this.readAnyValue(end, 1);
    if (this.valueKind === VALUE_NONE) return;
    log.body = this.valueKind === VALUE_STRING ? this.valueString : this.valueKind === VALUE_BYTES ? this.nodeBuf.toString('base64', this.bytesStart, this.bytesEnd) : this.scratchValueJson();
    // A map body is read a second time for its entries; the last kvlist_value of the oneof wins.
    let mapStart = -1;
    let mapEnd = -1;
    this.pos = start;
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 6) {
        mapEnd = this.enterLengthDelimited(end, 'AnyValue', 'kvlist_value');
        mapStart = this.pos;
        this.pos = mapEnd;
      } else {
        if (field >= 1 && field <= 7) mapStart = -1;
        this.skipField(end);
      }
    }
    if (mapStart < 0) return;
    // KeyValueList{ repeated KeyValue values = 1 }
    this.pos = mapStart;
    while (this.pos < mapEnd) {
      if (this.readTag(mapEnd) === 1) this.readKeyValue(this.enterLengthDelimited(mapEnd, 'KeyValueList', 'values'), log.bodyEntries);
      else this.skipField(mapEnd);
    }
  }
}
