import type { AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch } from '../core/event-record.js';
import type { OtlpDecodeOptions } from './otlp-event-mapping.js';
import {
  OtlpMetricBatchBuilder,
  exponentialHistogramColumns,
  histogramColumns,
  numberColumns,
  summaryColumns,
  type ExponentialBuckets,
  type HistogramSummary,
  type NumberPointValue,
} from './otlp-metric-mapping.js';
import { OtlpProtobufReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type OtlpScopeFields } from './otlp-protobuf-reader.js';

/**
 * Decodes an OTLP ExportMetricsServiceRequest (protobuf) straight into EventRecords, with the
 * trace decoder's wire reading (OtlpProtobufReader) and the grouping of OtlpMetricBatchBuilder.
 * Malformed input throws OtlpDecodeError naming the problem and its byte offset.
 */
export function decodeOtlpMetricsProtobuf(bytes: Uint8Array, options: OtlpDecodeOptions): DecodedBatch {
  return new ProtobufMetricsReader(bytes, new OtlpMetricBatchBuilder(options)).readRequest();
}

/** Metric.data's oneof members by field number. */
const GAUGE = 5;
const SUM = 7;
const HISTOGRAM = 9;
const EXPONENTIAL_HISTOGRAM = 10;
const SUMMARY = 11;

class ProtobufMetricsReader extends OtlpProtobufReader {
  private readonly builder: OtlpMetricBatchBuilder;

  constructor(bytes: Uint8Array, builder: OtlpMetricBatchBuilder) {
    super(bytes, builder.maxAnyValueDepth, 'metrics');
    this.builder = builder;
  }

  // ExportMetricsServiceRequest{ repeated ResourceMetrics resource_metrics = 1 }
  readRequest(): DecodedBatch {
    const end = this.buf.length;
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readResourceMetrics(this.enterLengthDelimited(end, 'ExportMetricsServiceRequest', 'resource_metrics'));
      else this.skipField(end);
    }
    return this.builder.finish();
  }

  // ResourceMetrics{ Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3 }
  private readResourceMetrics(end: number): void {
    const start = this.pos;
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readResource(this.enterLengthDelimited(end, 'ResourceMetrics', 'resource'), layer);
      else this.skipField(end);
    }
    this.builder.beginResource(layer);
    this.pos = start;
    while (this.pos < end) {
      if (this.readTag(end) === 2) this.readScopeMetrics(this.enterLengthDelimited(end, 'ResourceMetrics', 'scope_metrics'));
      else this.skipField(end);
    }
  }

  // ScopeMetrics{ InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3 }
  private readScopeMetrics(end: number): void {
    const start = this.pos;
    const scope: OtlpScopeFields = { name: '', version: '', attributes: { keys: [], kinds: [], values: [] } };
    while (this.pos < end) {
      if (this.readTag(end) === 1) this.readScope(this.enterLengthDelimited(end, 'ScopeMetrics', 'scope'), scope);
      else this.skipField(end);
    }
    this.builder.beginScope(scope.name, scope.version, scope.attributes);
    this.pos = start;
    while (this.pos < end) {
      if (this.readTag(end) === 2) this.readMetric(this.enterLengthDelimited(end, 'ScopeMetrics', 'metrics'));
      else this.skipField(end);
    }
  }

  // Metric{ string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5;
  //   Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10;
  //   Summary summary = 11 } repeated KeyValue metadata = 12 }
  private readMetric(end: number): void {
    let name = '';
    let kind = 0;
    let dataStart = 0;
    let dataEnd = 0;
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 1) {
        name = this.readString(end, 'Metric', 'name');
      } else if (field === GAUGE || field === SUM || field === HISTOGRAM || field === EXPONENTIAL_HISTOGRAM || field === SUMMARY) {
        dataEnd = this.enterLengthDelimited(end, 'Metric', 'data');
        dataStart = this.pos;
        kind = field;
        this.pos = dataEnd;
      } else {
        this.skipField(end);
      }
    }
    if (kind === 0) return;
    // Gauge{ repeated NumberDataPoint data_points = 1 }; Sum{ ... = 1; AggregationTemporality = 2; bool is_monotonic = 3 };
    // Histogram and ExponentialHistogram{ ... = 1; AggregationTemporality = 2 }; Summary{ ... = 1 }.
    // Temporality and monotonicity may follow the points: read them first.
    let temporality = 0;
    let monotonic = false;
    this.pos = dataStart;
    while (this.pos < dataEnd) {
      const field = this.readTag(dataEnd);
      if (field === 2 && this.wire === WIRE_VARINT) temporality = this.readVarint(dataEnd);
      else if (field === 3 && this.wire === WIRE_VARINT) monotonic = this.readVarint(dataEnd) !== 0;
      else this.skipField(dataEnd);
    }
    this.pos = dataStart;
    while (this.pos < dataEnd) {
      if (this.readTag(dataEnd) !== 1) {
        this.skipField(dataEnd);
        continue;
      }
      const pointEnd = this.enterLengthDelimited(dataEnd, 'Metric', 'data_points');
      if (kind === GAUGE || kind === SUM) this.readNumberPoint(pointEnd, name, kind === SUM ? { temporality, monotonic } : null);
      else if (kind === HISTOGRAM) this.readHistogramPoint(pointEnd, name);
      else if (kind === EXPONENTIAL_HISTOGRAM) this.readExponentialHistogramPoint(pointEnd, name);
      else this.readSummaryPoint(pointEnd, name);
      this.pos = pointEnd;
    }
    this.pos = end;
  }

  // NumberDataPoint{ fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; double as_double = 4;
  //   repeated Exemplar exemplars = 5; sfixed64 as_int = 6; repeated KeyValue attributes = 7; uint32 flags = 8 }
  private readNumberPoint(end: number, name: string, sum: { temporality: number; monotonic: boolean } | null): void {
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    let timeNs = 0n;
    let value: NumberPointValue = null;
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 3:
          timeNs = this.readFixed64(end, 'NumberDataPoint', 'time_unix_nano');
          break;
        case 4:
          value = { kind: 'float', value: this.readDouble(end, 'NumberDataPoint', 'as_double') };
          break;
        case 6: {
          const raw = BigInt.asIntN(64, this.readFixed64(end, 'NumberDataPoint', 'as_int'));
          const asNumber = Number(raw);
          value = { kind: 'integer', value: Number.isSafeInteger(asNumber) ? asNumber : raw };
          break;
        }
        case 7:
          this.readKeyValue(this.enterLengthDelimited(end, 'NumberDataPoint', 'attributes'), attributes);
          break;
        default:
          this.skipField(end);
      }
    }
    this.builder.addPoint(name, timeNs, attributes, numberColumns(name, value, sum));
  }

  // HistogramDataPoint{ fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4;
  //   optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
  //   repeated Exemplar exemplars = 8; repeated KeyValue attributes = 9; uint32 flags = 10;
  //   optional double min = 11; optional double max = 12 }
  private readHistogramPoint(end: number, name: string): void {
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    const point: HistogramSummary = { count: 0n, sum: null, min: null, max: null };
    let timeNs = 0n;
    const counts: bigint[] = [];
    const bounds: number[] = [];
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 3:
          timeNs = this.readFixed64(end, 'HistogramDataPoint', 'time_unix_nano');
          break;
        case 4:
          point.count = this.readFixed64(end, 'HistogramDataPoint', 'count');
          break;
        case 5:
          point.sum = this.readDouble(end, 'HistogramDataPoint', 'sum');
          break;
        case 6:
          this.readRepeatedFixed64(end, 'HistogramDataPoint', 'bucket_counts', counts);
          break;
        case 7:
          this.readRepeatedDouble(end, 'HistogramDataPoint', 'explicit_bounds', bounds);
          break;
        case 9:
          this.readKeyValue(this.enterLengthDelimited(end, 'HistogramDataPoint', 'attributes'), attributes);
          break;
        case 11:
          point.min = this.readDouble(end, 'HistogramDataPoint', 'min');
          break;
        case 12:
          point.max = this.readDouble(end, 'HistogramDataPoint', 'max');
          break;
        default:
          this.skipField(end);
      }
    }
    this.builder.addPoint(name, timeNs, attributes, histogramColumns(name, point, bounds, counts));
  }

  // ExponentialHistogramDataPoint{ repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2;
  //   fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5; sint32 scale = 6;
  //   fixed64 zero_count = 7; Buckets positive = 8; Buckets negative = 9; uint32 flags = 10;
  //   repeated Exemplar exemplars = 11; optional double min = 12; optional double max = 13;
  //   double zero_threshold = 14 }
  private readExponentialHistogramPoint(end: number, name: string): void {
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    const point: HistogramSummary = { count: 0n, sum: null, min: null, max: null };
    let timeNs = 0n;
    let scale = 0;
    let zeroCount = 0n;
    const positive: ExponentialBuckets = { offset: 0, counts: [] };
    const negative: ExponentialBuckets = { offset: 0, counts: [] };
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 1:
          this.readKeyValue(this.enterLengthDelimited(end, 'ExponentialHistogramDataPoint', 'attributes'), attributes);
          break;
        case 3:
          timeNs = this.readFixed64(end, 'ExponentialHistogramDataPoint', 'time_unix_nano');
          break;
        case 4:
          point.count = this.readFixed64(end, 'ExponentialHistogramDataPoint', 'count');
          break;
        case 5:
          point.sum = this.readDouble(end, 'ExponentialHistogramDataPoint', 'sum');
          break;
        case 6:
          this.expectWire(WIRE_VARINT, 'ExponentialHistogramDataPoint', 'scale');
          scale = this.readSint32(end);
          break;
        case 7:
          zeroCount = this.readFixed64(end, 'ExponentialHistogramDataPoint', 'zero_count');
          break;
        case 8:
          this.readBuckets(this.enterLengthDelimited(end, 'ExponentialHistogramDataPoint', 'positive'), positive);
          break;
        case 9:
          this.readBuckets(this.enterLengthDelimited(end, 'ExponentialHistogramDataPoint', 'negative'), negative);
          break;
        case 12:
          point.min = this.readDouble(end, 'ExponentialHistogramDataPoint', 'min');
          break;
        case 13:
          point.max = this.readDouble(end, 'ExponentialHistogramDataPoint', 'max');
          break;
        default:
          this.skipField(end);
      }
    }
    this.builder.addPoint(name, timeNs, attributes, exponentialHistogramColumns(name, point, scale, zeroCount, positive, negative));
  }

  // Buckets{ sint32 offset = 1; repeated uint64 bucket_counts = 2 }
  private readBuckets(end: number, buckets: ExponentialBuckets): void {
    while (this.pos < end) {
      const field = this.readTag(end);
      if (field === 1) {
        this.expectWire(WIRE_VARINT, 'Buckets', 'offset');
        buckets.offset = this.readSint32(end);
      } else if (field === 2) {
        if (this.wire === WIRE_LEN) {
          const listEnd = this.readLength(end, 'Buckets', 'bucket_counts');
          while (this.pos < listEnd) buckets.counts.push(BigInt(this.readVarint(listEnd)));
        } else {
          this.expectWire(WIRE_VARINT, 'Buckets', 'bucket_counts');
          buckets.counts.push(BigInt(this.readVarint(end)));
        }
      } else {
        this.skipField(end);
      }
    }
  }

  // SummaryDataPoint{ fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4;
  //   double sum = 5; repeated ValueAtQuantile quantile_values = 6; repeated KeyValue attributes = 7; uint32 flags = 8 }
  // ValueAtQuantile{ double quantile = 1; double value = 2 }
  private readSummaryPoint(end: number, name: string): void {
    const attributes: AttributeList = { keys: [], kinds: [], values: [] };
    let timeNs = 0n;
    let count = 0n;
    let sum = 0;
    const quantiles: Array<{ quantile: number; value: number }> = [];
    while (this.pos < end) {
      switch (this.readTag(end)) {
        case 3:
          timeNs = this.readFixed64(end, 'SummaryDataPoint', 'time_unix_nano');
          break;
        case 4:
          count = this.readFixed64(end, 'SummaryDataPoint', 'count');
          break;
        case 5:
          sum = this.readDouble(end, 'SummaryDataPoint', 'sum');
          break;
        case 6: {
          const quantileEnd = this.enterLengthDelimited(end, 'SummaryDataPoint', 'quantile_values');
          const entry = { quantile: 0, value: 0 };
          while (this.pos < quantileEnd) {
            const field = this.readTag(quantileEnd);
            if (field === 1) entry.quantile = this.readDouble(quantileEnd, 'ValueAtQuantile', 'quantile');
            else if (field === 2) entry.value = this.readDouble(quantileEnd, 'ValueAtQuantile', 'value');
            else this.skipField(quantileEnd);
          }
          quantiles.push(entry);
          break;
        }
        case 7:
          this.readKeyValue(this.enterLengthDelimited(end, 'SummaryDataPoint', 'attributes'), attributes);
          break;
        default:
          this.skipField(end);
      }
    }
    this.builder.addPoint(name, timeNs, attributes, summaryColumns(name, count, sum, quantiles));
  }

  // ---- scalars of metric messages ----

  private readDouble(end: number, message: string, fieldName: string): number {
    this.expectWire(WIRE_FIXED64, message, fieldName);
    this.checkAvailable(8, end, message, fieldName);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** sint32: zigzag-encoded varint. */
  private readSint32(end: number): number {
    const raw = this.readVarint(end) % 4294967296;
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** repeated fixed64, packed (the proto3 default) or one value per tag. */
  private readRepeatedFixed64(end: number, message: string, fieldName: string, out: bigint[]): void {
    if (this.wire !== WIRE_LEN) {
      out.push(this.readFixed64(end, message, fieldName));
      return;
    }
    const listEnd = this.readLength(end, message, fieldName);
    if ((listEnd - this.pos) % 8 !== 0) throw this.fail(`packed ${fieldName} of ${message} is not a multiple of 8 bytes`, this.pos);
    for (; this.pos < listEnd; this.pos += 8) out.push(this.view.getBigUint64(this.pos, true));
  }

  /** repeated double, packed or one value per tag. */
  private readRepeatedDouble(end: number, message: string, fieldName: string, out: number[]): void {
    if (this.wire !== WIRE_LEN) {
      out.push(this.readDouble(end, message, fieldName));
      return;
    }
    const listEnd = this.readLength(end, message, fieldName);
    if ((listEnd - this.pos) % 8 !== 0) throw this.fail(`packed ${fieldName} of ${message} is not a multiple of 8 bytes`, this.pos);
    for (; this.pos < listEnd; this.pos += 8) out.push(this.view.getFloat64(this.pos, true));
  }
}
