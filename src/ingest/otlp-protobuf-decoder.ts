import type { AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { OtlpBatchBuilder, type OtlpDecodeOptions, type OtlpSpanFields, emptyOtlpSpanFields } from './otlp-event-mapping.js';
import { OtlpProtobufReader, WIRE_VARINT, type OtlpScopeFields } from './otlp-protobuf-reader.js';

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

class ProtobufTraceReader extends OtlpProtobufReader {
  private readonly builder: OtlpBatchBuilder;

  /** Reused for every span: validation and mapping happen in the builder. */
  private readonly span: OtlpSpanFields = emptyOtlpSpanFields();

  constructor(bytes: Uint8Array, builder: OtlpBatchBuilder) {
    super(bytes, builder.maxAnyValueDepth, 'trace');
    this.builder = builder;
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

  // ScopeSpans{ InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3 }
  // Two passes, as for ResourceSpans: the scope first, then the spans.
  private readScopeSpans(end: number): void {
    const start = this.pos;
    const scope: OtlpScopeFields = { name: '', version: '', attributes: { keys: [], kinds: [], values: [] } };
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readScope(this.enterLengthDelimited(end, 'ScopeSpans', 'scope'), scope);
      else this.skipField(end);
    }
    this.builder.beginScope(scope.name, scope.version, scope.attributes);
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

    span.traceId = span.traceIdBytes === 16 ? this.idAt(traceIdStart, 16) : 0n;
    span.spanId = span.spanIdBytes === 8 ? this.idAt(spanIdStart, 8) : 0n;
    span.parentId = span.parentIdBytes === 8 ? this.idAt(parentIdStart, 8) : 0n;
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

}
