import { pushAttribute, type AttributeList } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { makeRecord, maxAnyValueDepthOf, shorten, type OtlpDecodeOptions } from './otlp-event-mapping.js';
import { OtlpResourceScope } from './otlp-resource-scope.js';
import { otlpAnyValueJson } from './otlp-any-value-json.js';
import { SIGNAL_TYPE_KEY } from './otlp-log-mapping.js';
import { RequestEventBound } from './request-event-bound.js';

/**
 * Maps OTLP metrics to wide events in Honeycomb's manner: the data points of one resource that
 * share their attributes and timestamp become one event (meta.signal_type = metric), with one
 * column per metric name (see the README's data model):
 * - gauge and sum: `<name>` = the value (integer or float as sent); a sum adds
 *   `<name>.temporality` (`delta`, `cumulative`, `unspecified`) and `<name>.monotonic`;
 * - histogram and exponential histogram: `<name>.count`, `.sum`, `.min`, `.max` (when sent),
 *   `<name>.buckets` (the buckets as JSON text) and `<name>.p50`, `.p90`, `.p95`, `.p99`: the
 *   point's percentiles estimated from its buckets by linear interpolation within the bucket
 *   holding the rank (clamped to min and max), so `MAX(<name>.p99)` charts a latency percentile;
 * - summary: `<name>.count`, `<name>.sum` and `<name>.p<100·q>` per quantile (`p50`, `p99.9`).
 *
 * Usage: beginResource, then per scope beginScope, then addPoint per data point; finish once.
 * Units counted (accepted / rejected) are data points.
 */
export class OtlpMetricBatchBuilder {
  readonly maxAnyValueDepth: number;
  private readonly events: EventRecord[] = [];
  private readonly bound: RequestEventBound;
  private accepted = 0;
  private rejected = 0;
  private firstRejection = '';
  private readonly context: OtlpResourceScope;
  /** Events of the current resource by time and attributes; each has its own values layer. */
  private groups = new Map<string, { event: EventRecord; values: AttributeList; attributeCount: number }>();

  constructor(options: OtlpDecodeOptions) {
    this.bound = new RequestEventBound('metric events', options.maxEvents);
    this.maxAnyValueDepth = maxAnyValueDepthOf(options);
    this.context = new OtlpResourceScope(options);
  }

  beginResource(attributes: AttributeList): void {
    this.context.beginResource(attributes);
    this.groups = new Map();
  }

  beginScope(name: string, version: string, attributes: AttributeList): void {
    this.context.beginScope(name, version, attributes);
  }

  /**
   * One data point of metric `metricName`: its columns join the event of its resource, attributes
   * and time (made when it is the first such point). A point whose columns would break a limit is
   * rejected alone; the event keeps the points already in it.
   */
  addPoint(metricName: string, timeNs: bigint, attributes: AttributeList, columns: AttributeList): void {
    const key = `${timeNs}\u0000${attributeIdentity(attributes)}`;
    let group = this.groups.get(key);
    const count = (group?.attributeCount ?? this.context.sharedAttributeCount + attributes.keys.length + 1) + columns.keys.length;
    const problem =
      (metricName === '' ? 'has no name' : null) ??
      // meta.* columns are Waggle's (meta.signal_type marks the event as metrics): a metric may not write them.
      (metricName.startsWith('meta.') ? 'has a name in the reserved meta. namespace' : null) ??
      this.context.limitProblem(attributes, 0, 'event') ??
      this.context.limitProblem(columns, count, 'event (the points sharing a resource, attributes and time)') ??
      int64Problem(columns);
    if (problem !== null) {
      if (this.rejected === 0) this.firstRejection = `a data point of metric '${shorten(metricName)}' ${problem}`;
      this.rejected++;
      return;
    }
    this.accepted++;
    if (group === undefined) {
      this.bound.add();
      const values: AttributeList = { keys: [SIGNAL_TYPE_KEY], kinds: ['string'], values: ['metric'] };
      const c = this.context;
      const event = makeRecord(c.dataset, timeNs, null, null, null, null, null, c.serviceName, null, null, null, c.libraryName, c.libraryVersion, null, [c.resourceLayer, c.scopeLayer, attributes, values]);
      group = { event, values, attributeCount: c.sharedAttributeCount + attributes.keys.length + 1 };
      this.groups.set(key, group);
      this.events.push(event);
    }
    for (let i = 0; i < columns.keys.length; i++) pushAttribute(group.values, columns.keys[i]!, columns.kinds[i]!, columns.values[i]!);
    group.attributeCount += columns.keys.length;
  }

  finish(): DecodedBatch {
    const total = this.accepted + this.rejected;
    return {
      events: this.events,
      acceptedSpans: this.accepted,
      rejectedSpans: this.rejected,
      rejectionMessage: this.rejected === 0 ? '' : `rejected ${this.rejected} of ${total} data ${total === 1 ? 'point' : 'points'}: ${this.firstRejection}`,
    };
  }
}

const INT64_MAX = (1n << 63n) - 1n;

/** Counts are uint64 on the wire; the store's integers are int64. */
function int64Problem(columns: AttributeList): string | null {
  for (let i = 0; i < columns.values.length; i++) {
    const value = columns.values[i];
    if (typeof value === 'bigint' && value > INT64_MAX) return `has ${columns.keys[i]!} ${value}, beyond the signed 64-bit integers Waggle stores`;
  }
  return null;
}

/** Equal for two attribute lists with the same final key → value (order and duplicates aside). */
function attributeIdentity(list: AttributeList): string {
  const latest = new Map<string, string>();
  for (let i = 0; i < list.keys.length; i++) latest.set(list.keys[i]!, `${list.kinds[i]!}:${String(list.values[i]!)}`);
  return JSON.stringify([...latest].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export const TEMPORALITY_NAMES: readonly string[] = ['unspecified', 'delta', 'cumulative'];

/** A gauge's or sum's value as sent: as_int (integer) or as_double (float). */
export type NumberPointValue = { readonly kind: 'integer'; readonly value: number | bigint } | { readonly kind: 'float'; readonly value: number } | null;

export function numberColumns(name: string, value: NumberPointValue, sum: { temporality: number; monotonic: boolean } | null): AttributeList {
  const columns: AttributeList = { keys: [], kinds: [], values: [] };
  if (value !== null) pushAttribute(columns, name, value.kind, value.value);
  if (sum !== null) {
    pushAttribute(columns, `${name}.temporality`, 'string', TEMPORALITY_NAMES[sum.temporality] ?? 'unspecified');
    pushAttribute(columns, `${name}.monotonic`, 'boolean', sum.monotonic);
  }
  return columns;
}

/** The parts every histogram point has; min, max and sum are null when not sent. */
export interface HistogramSummary {
  count: bigint;
  sum: number | null;
  min: number | null;
  max: number | null;
}

/** One bucket of a histogram: values in (lower, upper], `count` of them. */
interface Bucket {
  lower: number;
  upper: number;
  count: number;
}

const ESTIMATED_PERCENTILES: ReadonlyArray<readonly [string, number]> = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
];

/** Explicit-bucket histogram: bucket i holds values in (bounds[i-1], bounds[i]]. */
export function histogramColumns(name: string, point: HistogramSummary, bounds: readonly number[], counts: readonly bigint[]): AttributeList {
  const buckets: Bucket[] = [];
  for (let i = 0; i < counts.length; i++) {
    const lower = i === 0 ? (point.min ?? Math.min(0, bounds[0] ?? 0)) : bounds[i - 1]!;
    const upper = i < bounds.length ? bounds[i]! : (point.max ?? bounds[bounds.length - 1] ?? 0);
    buckets.push({ lower, upper, count: Number(counts[i]!) });
  }
  const text = `{"bounds":[${bounds.map(otlpAnyValueJson.float).join(',')}],"counts":[${counts.map((c) => otlpAnyValueJson.integer(exact(c))).join(',')}]}`;
  return histogramLikeColumns(name, point, text, buckets);
}

/** One side of an exponential histogram: counts[i] holds values in (base^(offset+i), base^(offset+i+1)]. */
export interface ExponentialBuckets {
  offset: number;
  counts: bigint[];
}

export function exponentialHistogramColumns(name: string, point: HistogramSummary, scale: number, zeroCount: bigint, positive: ExponentialBuckets, negative: ExponentialBuckets): AttributeList {
  const base = 2 ** (2 ** -scale);
  const buckets: Bucket[] = [];
  for (let i = negative.counts.length - 1; i >= 0; i--) {
    buckets.push({ lower: -(base ** (negative.offset + i + 1)), upper: -(base ** (negative.offset + i)), count: Number(negative.counts[i]!) });
  }
  if (zeroCount > 0n) buckets.push({ lower: 0, upper: 0, count: Number(zeroCount) });
  for (let i = 0; i < positive.counts.length; i++) {
    buckets.push({ lower: base ** (positive.offset + i), upper: base ** (positive.offset + i + 1), count: Number(positive.counts[i]!) });
  }
  const side = (b: ExponentialBuckets): string => `{"offset":${b.offset},"counts":[${b.counts.map((c) => otlpAnyValueJson.integer(exact(c))).join(',')}]}`;
  const text = `{"scale":${scale},"zero_count":${otlpAnyValueJson.integer(exact(zeroCount))},"positive":${side(positive)},"negative":${side(negative)}}`;
  return histogramLikeColumns(name, point, text, buckets);
}

export function summaryColumns(name: string, count: bigint, sum: number, quantiles: ReadonlyArray<{ quantile: number; value: number }>): AttributeList {
  const columns: AttributeList = { keys: [], kinds: [], values: [] };
  pushAttribute(columns, `${name}.count`, 'integer', exact(count));
  pushAttribute(columns, `${name}.sum`, 'float', sum);
  for (const { quantile, value } of quantiles) pushAttribute(columns, `${name}.p${quantileLabel(quantile)}`, 'float', value);
  return columns;
}

/** 0.5 → 50, 0.999 → 99.9 (rounded to 6 significant digits, so 0.95 is 95 and not 94.99999). */
function quantileLabel(quantile: number): string {
  return String(Number((quantile * 100).toPrecision(6)));
}

function histogramLikeColumns(name: string, point: HistogramSummary, bucketsText: string, buckets: readonly Bucket[]): AttributeList {
  const columns: AttributeList = { keys: [], kinds: [], values: [] };
  pushAttribute(columns, `${name}.count`, 'integer', exact(point.count));
  if (point.sum !== null) pushAttribute(columns, `${name}.sum`, 'float', point.sum);
  if (point.min !== null) pushAttribute(columns, `${name}.min`, 'float', point.min);
  if (point.max !== null) pushAttribute(columns, `${name}.max`, 'float', point.max);
  pushAttribute(columns, `${name}.buckets`, 'string', bucketsText);
  for (const [label, q] of ESTIMATED_PERCENTILES) {
    const value = estimatePercentile(buckets, q, point.min, point.max);
    if (value !== null) pushAttribute(columns, `${name}.${label}`, 'float', value);
  }
  return columns;
}

/**
 * The value below which a fraction q of the point's observations lie, interpolated linearly
 * inside the bucket that holds that rank; null when the buckets hold nothing or a bound is not finite.
 */
export function estimatePercentile(buckets: readonly Bucket[], q: number, min: number | null, max: number | null): number | null {
  let total = 0;
  for (const b of buckets) total += b.count;
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const b of buckets) {
    if (b.count <= 0) continue;
    if (seen + b.count >= rank) {
      const fraction = (rank - seen) / b.count;
      let value = b.lower + (b.upper - b.lower) * fraction;
      if (min !== null && value < min) value = min;
      if (max !== null && value > max) value = max;
      return Number.isFinite(value) ? value : null;
    }
    seen += b.count;
  }
  return null;
}

function exact(value: bigint): number | bigint {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}
