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
import { OtlpJsonReader, parseOtlpJson, pick, type JsonObject } from './otlp-json-reader.js';

/**
 * Decodes an OTLP/JSON ExportMetricsServiceRequest into EventRecords, with the same grouping (and
 * so the same records) as the protobuf decoder and the JSON rules of OtlpJsonReader.
 */
export function decodeOtlpMetricsJson(text: string, options: OtlpDecodeOptions): DecodedBatch {
  const root = parseOtlpJson(text, 'metrics');
  return new JsonMetricsReader(new OtlpMetricBatchBuilder(options)).readRequest(root);
}

const TEMPORALITY_NUMBERS: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

class JsonMetricsReader extends OtlpJsonReader {
  private readonly builder: OtlpMetricBatchBuilder;

  constructor(builder: OtlpMetricBatchBuilder) {
    super(builder.maxAnyValueDepth, 'metrics');
    this.builder = builder;
  }

  readRequest(root: unknown): DecodedBatch {
    const request = this.object(root);
    if (request === null) throw this.fail('the body must be a JSON object, got null');
    this.each(pick(request, 'resourceMetrics', 'resource_metrics'), 'resourceMetrics', (item) => this.readResourceMetrics(item));
    return this.builder.finish();
  }

  private readResourceMetrics(value: unknown): void {
    const resourceMetrics = this.object(value) ?? {};
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    this.readResource(resourceMetrics.resource, layer);
    this.builder.beginResource(layer);
    this.each(pick(resourceMetrics, 'scopeMetrics', 'scope_metrics'), 'scopeMetrics', (item) => this.readScopeMetrics(item));
  }

  private readScopeMetrics(value: unknown): void {
    const scopeMetrics = this.object(value) ?? {};
    const layer: AttributeList = { keys: [], kinds: [], values: [] };
    const { name, version } = this.readScope(scopeMetrics.scope, layer);
    this.builder.beginScope(name, version, layer);
    this.each(scopeMetrics.metrics, 'metrics', (item) => this.readMetric(item));
  }

  private readMetric(value: unknown): void {
    const metric = this.object(value) ?? {};
    const name = this.string(metric.name, 'name');
    // The last member of the data oneof that is set wins, as in protobuf.
    const members: ReadonlyArray<readonly [string, string]> = [
      ['gauge', 'gauge'],
      ['sum', 'sum'],
      ['histogram', 'histogram'],
      ['exponentialHistogram', 'exponential_histogram'],
      ['summary', 'summary'],
    ];
    let kind = '';
    let data: JsonObject | null = null;
    for (const [camel, snake] of members) {
      this.path.push(camel);
      const member = this.object(pick(metric, camel, snake));
      this.path.pop();
      if (member !== null) {
        kind = camel;
        data = member;
      }
    }
    if (data === null) return;
    this.path.push(kind);
    const temporality = this.enumNumber(pick(data, 'aggregationTemporality', 'aggregation_temporality'), 'aggregationTemporality', TEMPORALITY_NUMBERS);
    const monotonic = this.boolean(pick(data, 'isMonotonic', 'is_monotonic'), 'isMonotonic');
    this.each(pick(data, 'dataPoints', 'data_points'), 'dataPoints', (item) => {
      const point = this.object(item) ?? {};
      const attributes: AttributeList = { keys: [], kinds: [], values: [] };
      this.readAttributes(point.attributes, attributes);
      const timeNs = this.uint64(pick(point, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
      if (kind === 'gauge' || kind === 'sum') {
        this.builder.addPoint(name, timeNs, attributes, numberColumns(name, this.numberValue(point), kind === 'sum' ? { temporality, monotonic } : null));
      } else if (kind === 'histogram') {
        const counts = this.list(pick(point, 'bucketCounts', 'bucket_counts'), 'bucketCounts', (v) => this.uint64(v, 'bucketCounts'));
        const bounds = this.list(pick(point, 'explicitBounds', 'explicit_bounds'), 'explicitBounds', (v) => this.double(v, 'explicitBounds'));
        this.builder.addPoint(name, timeNs, attributes, histogramColumns(name, this.histogramSummary(point), bounds, counts));
      } else if (kind === 'exponentialHistogram') {
        const scale = this.int32(point.scale, 'scale');
        const zeroCount = this.uint64(pick(point, 'zeroCount', 'zero_count'), 'zeroCount');
        const positive = this.buckets(point.positive, 'positive');
        const negative = this.buckets(point.negative, 'negative');
        this.builder.addPoint(name, timeNs, attributes, exponentialHistogramColumns(name, this.histogramSummary(point), scale, zeroCount, positive, negative));
      } else {
        const count = this.uint64(point.count, 'count');
        const sum = point.sum === undefined || point.sum === null ? 0 : this.double(point.sum, 'sum');
        const quantiles = this.list(pick(point, 'quantileValues', 'quantile_values'), 'quantileValues', (v) => {
          const entry = this.object(v) ?? {};
          return {
            quantile: entry.quantile === undefined || entry.quantile === null ? 0 : this.double(entry.quantile, 'quantile'),
            value: entry.value === undefined || entry.value === null ? 0 : this.double(entry.value, 'value'),
          };
        });
        this.builder.addPoint(name, timeNs, attributes, summaryColumns(name, count, sum, quantiles));
      }
    });
    this.path.pop();
  }

  /** NumberDataPoint's value oneof: asInt (int64, exact) or asDouble. */
  private numberValue(point: JsonObject): NumberPointValue {
    let value: NumberPointValue = null;
    const asDouble = pick(point, 'asDouble', 'as_double');
    if (asDouble !== undefined && asDouble !== null) value = { kind: 'float', value: this.double(asDouble, 'asDouble') };
    const asInt = pick(point, 'asInt', 'as_int');
    if (asInt !== undefined && asInt !== null) value = { kind: 'integer', value: this.int64(asInt, 'asInt') };
    return value;
  }

  private histogramSummary(point: JsonObject): HistogramSummary {
    const optional = (v: unknown, field: string): number | null => (v === undefined || v === null ? null : this.double(v, field));
    return { count: this.uint64(point.count, 'count'), sum: optional(point.sum, 'sum'), min: optional(point.min, 'min'), max: optional(point.max, 'max') };
  }

  private buckets(value: unknown, field: string): ExponentialBuckets {
    this.path.push(field);
    const source = this.object(value) ?? {};
    const buckets = { offset: this.int32(source.offset, 'offset'), counts: this.list(pick(source, 'bucketCounts', 'bucket_counts'), 'bucketCounts', (v) => this.uint64(v, 'bucketCounts')) };
    this.path.pop();
    return buckets;
  }

  private list<T>(value: unknown, field: string, read: (item: unknown) => T): T[] {
    const out: T[] = [];
    this.each(value, field, (item) => out.push(read(item)));
    return out;
  }

  private int32(value: unknown, field: string): number {
    if (value === undefined || value === null) return 0;
    const parsed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < -2147483648 || parsed > 2147483647) {
      throw this.fail(`${field} must be a signed 32-bit integer`);
    }
    return parsed;
  }

  private boolean(value: unknown, field: string): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') throw this.fail(`${field} must be true or false`);
    return value;
  }
}
