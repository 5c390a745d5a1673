import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { JsonLogsSerializer, JsonMetricsSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ExponentialHistogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { concatParts, doubleField, fixed64Field, lenField, stringAttribute, stringField, varintField } from '../../test/fixtures/otlp/protobuf-bytes-fixture.js';
import { makeSampleLogs, makeSampleMetrics, SAMPLE_LOG_SPAN_ID, SAMPLE_LOG_TIME_MS, SAMPLE_LOG_TRACE_ID } from '../../test/fixtures/otlp/sample-logs-metrics-fixture.js';
import type { AttributeScalar } from '../core/attribute-value.js';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { decodeOtlpLogsJson } from './otlp-logs-json-decoder.js';
import { decodeOtlpLogsProtobuf } from './otlp-logs-protobuf-decoder.js';
import { decodeOtlpMetricsJson } from './otlp-metrics-json-decoder.js';
import { decodeOtlpMetricsProtobuf } from './otlp-metrics-protobuf-decoder.js';

/** An event's attribute layers merged (a later layer wins), with each value's kind. */
function columns(event: EventRecord): Record<string, [string, AttributeScalar]> {
  const out: Record<string, [string, AttributeScalar]> = {};
  for (const layer of event.attributes) for (let i = 0; i < layer.keys.length; i++) out[layer.keys[i]!] = [layer.kinds[i]!, layer.values[i]!];
  return out;
}

/** The record's fields besides its attributes. */
function fields(event: EventRecord): Omit<EventRecord, 'attributes'> {
  const { attributes: _attributes, ...rest } = event;
  return rest;
}

const nanos = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const hrNanos = ([s, ns]: [number, number]): bigint => BigInt(s) * 1_000_000_000n + BigInt(ns);

function decodeBoth(protobuf: Uint8Array | undefined, json: Uint8Array | undefined, decodeProtobuf: typeof decodeOtlpLogsProtobuf, decodeJson: typeof decodeOtlpLogsJson): DecodedBatch {
  assert.ok(protobuf && json);
  const fromProtobuf = decodeProtobuf(protobuf, {});
  const fromJson = decodeJson(Buffer.from(json).toString('utf8'), {});
  // The two encodings of one request decode to the same records.
  assert.deepEqual(fromJson, fromProtobuf);
  return fromProtobuf;
}

describe('OTLP logs decoders on requests from the OpenTelemetry serializers', () => {
  let logs: ReadableLogRecord[];
  let batch: DecodedBatch;
  before(async () => {
    logs = await makeSampleLogs();
    batch = decodeBoth(ProtobufLogsSerializer.serializeRequest(logs), JsonLogsSerializer.serializeRequest(logs), decodeOtlpLogsProtobuf, decodeOtlpLogsJson);
  });

  it('maps each log record to one event with its trace context, severity, body and attributes', () => {
    assert.equal(batch.acceptedSpans, 3);
    assert.equal(batch.rejectedSpans, 0);
    const [structured, text, number] = batch.events;
    assert.deepEqual(fields(structured!), {
      dataset: 'checkout',
      timestampNs: nanos(SAMPLE_LOG_TIME_MS),
      durationNs: null,
      traceId: BigInt(`0x${SAMPLE_LOG_TRACE_ID}`),
      spanId: BigInt(`0x${SAMPLE_LOG_SPAN_ID}`),
      parentId: null,
      name: null,
      serviceName: 'checkout',
      kind: null,
      statusCode: null,
      statusMessage: null,
      libraryName: 'sample-logger',
      libraryVersion: '0.1.0',
      annotationType: 'log',
      sampleRate: 1,
    });
    assert.deepEqual(columns(structured!), {
      'host.name': ['string', 'h1'],
      'user.id': ['string', 'u-1'],
      attempt: ['integer', 3],
      'big.int': ['integer', 2 ** 40],
      'body.msg': ['string', 'payment failed'],
      'body.code': ['integer', 402],
      'body.retry': ['boolean', false],
      'body.ratio': ['float', 0.5],
      'body.tags': ['string', '["a","b"]'],
      'body.detail': ['string', '{"card":"visa"}'],
      body: ['string', '{"msg":"payment failed","code":402,"retry":false,"ratio":0.5,"tags":["a","b"],"detail":{"card":"visa"}}'],
      severity_text: ['string', 'ERROR'],
      severity_number: ['integer', 17],
      observed_time_unix_nano: ['integer', nanos(SAMPLE_LOG_TIME_MS + 1)],
      'meta.signal_type': ['string', 'log'],
    });
    assert.equal(text!.traceId, null);
    assert.equal(text!.spanId, null);
    assert.deepEqual(columns(text!)['body'], ['string', 'GET /cart 200']);
    assert.deepEqual(columns(text!)['severity_number'], ['integer', 9]);
    // A body that is not a string is kept as its JSON text; no severity means no severity columns.
    assert.deepEqual(columns(number!)['body'], ['string', '42']);
    assert.equal(columns(number!)['severity_text'], undefined);
    assert.equal(number!.timestampNs, hrNanos(logs[2]!.hrTime));
  });

  it('takes the observed time when the record has no time', () => {
    const json = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ observedTimeUnixNano: '1700000000000000007', body: { stringValue: 'x' } }] }] }] });
    const { events } = decodeOtlpLogsJson(json, {});
    assert.equal(events[0]!.timestampNs, 1_700_000_000_000_000_007n);
    assert.equal(events[0]!.dataset, 'unknown_service');
  });

  it('rejects a record whose trace id has the wrong length, as a partial success', () => {
    const json = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'abcd', body: { stringValue: 'bad' } }, { body: { stringValue: 'good' } }] }] }] });
    const batch = decodeOtlpLogsJson(json, {});
    assert.equal(batch.acceptedSpans, 1);
    assert.equal(batch.rejectedSpans, 1);
    assert.equal(batch.rejectionMessage, 'rejected 1 of 2 log records: log record 0 has a trace id of 2 bytes (expected none or 16 bytes)');
  });

  it('refuses a body nested deeper than the limit, in both encodings, naming where', () => {
    let body: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i++) body = { kvlistValue: { values: [{ key: 'k', value: body }] } };
    const json = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body }] }] }] });
    assert.throws(() => decodeOtlpLogsJson(json, {}), (error: unknown) => error instanceof OtlpDecodeError && /^invalid OTLP JSON logs request: an AnyValue is nested deeper than the limit of 32 levels at \$\.resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.body/.test(error.message));
    let value: Uint8Array = stringField(1, 'leaf');
    for (let i = 0; i < 40; i++) value = lenField(6, lenField(1, stringField(1, 'k'), lenField(2, value)));
    const request = lenField(1, lenField(2, lenField(2, lenField(5, value))));
    assert.throws(() => decodeOtlpLogsProtobuf(request, {}), (error: unknown) => error instanceof OtlpDecodeError && /^invalid OTLP protobuf logs request: an AnyValue is nested deeper than the limit of 32 levels at byte offset \d+$/.test(error.message));
  });

  it('refuses truncated protobuf with the byte offset', () => {
    const bytes = ProtobufLogsSerializer.serializeRequest(logs)!;
    assert.throws(() => decodeOtlpLogsProtobuf(bytes.subarray(0, bytes.length - 3), {}), (error: unknown) => error instanceof OtlpDecodeError && error.message.startsWith('invalid OTLP protobuf logs request: '));
  });
});

describe('OTLP metrics decoders on requests from the OpenTelemetry serializers', () => {
  let metrics: ResourceMetrics;
  let batch: DecodedBatch;
  before(async () => {
    metrics = await makeSampleMetrics();
    batch = decodeBoth(ProtobufMetricsSerializer.serializeRequest(metrics), JsonMetricsSerializer.serializeRequest(metrics), decodeOtlpMetricsProtobuf, decodeOtlpMetricsJson);
  });

  it('groups the data points of one attribute set and time into one event with a column per metric', () => {
    assert.equal(batch.acceptedSpans, 5);
    assert.equal(batch.rejectedSpans, 0);
    assert.equal(batch.events.length, 1);
    const event = batch.events[0]!;
    const points = metrics.scopeMetrics[0]!.metrics;
    const exponential = points.find((m) => m.descriptor.name === 'payload.size')!.dataPoints[0]!.value as ExponentialHistogram;
    assert.deepEqual(fields(event), {
      dataset: 'checkout',
      timestampNs: hrNanos(points[0]!.dataPoints[0]!.endTime),
      durationNs: null,
      traceId: null,
      spanId: null,
      parentId: null,
      name: null,
      serviceName: 'checkout',
      kind: null,
      statusCode: null,
      statusMessage: null,
      libraryName: 'sample-meter',
      libraryVersion: '0.2.0',
      annotationType: null,
      sampleRate: 1,
    });
    const c = columns(event);
    const percentileColumns = (name: string): Record<string, unknown> => Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith(`${name}.p`)));
    assert.deepEqual(
      { ...c, ...Object.fromEntries(Object.keys(percentileColumns('payload.size')).map((k) => [k, 'checked below'])) },
      {
        'http.route': ['string', '/cart'],
        'meta.signal_type': ['string', 'metric'],
        requests: ['integer', 3],
        'requests.temporality': ['string', 'cumulative'],
        'requests.monotonic': ['boolean', true],
        inflight: ['integer', -2],
        'inflight.temporality': ['string', 'cumulative'],
        'inflight.monotonic': ['boolean', false],
        memory: ['float', 1.5],
        'latency.count': ['integer', 4],
        'latency.sum': ['float', 251],
        'latency.min': ['float', 1],
        'latency.max': ['float', 200],
        'latency.buckets': ['string', '{"bounds":[10,100],"counts":[1,2,1]}'],
        // Ranks 2, 3.6, 3.8 and 3.96 of 4, interpolated in (10, 100] and (100, max 200].
        'latency.p50': ['float', 55],
        'latency.p90': ['float', 160],
        'latency.p95': ['float', 180],
        'latency.p99': ['float', 196],
        'payload.size.count': ['integer', 4],
        'payload.size.sum': ['float', 10],
        'payload.size.min': ['float', 1],
        'payload.size.max': ['float', 4],
        'payload.size.buckets': [
          'string',
          JSON.stringify({
            scale: exponential.scale,
            zero_count: exponential.zeroCount,
            positive: { offset: exponential.positive.offset, counts: exponential.positive.bucketCounts },
            negative: { offset: exponential.negative.offset, counts: exponential.negative.bucketCounts },
          }),
        ],
        'payload.size.p50': 'checked below',
        'payload.size.p90': 'checked below',
        'payload.size.p95': 'checked below',
        'payload.size.p99': 'checked below',
      },
    );
    // Percentiles of 1, 2, 3, 4 from exponential buckets: within the bucket bounds, in order.
    const p = (label: string): number => (c[`payload.size.${label}`]![1] as number);
    assert.ok(p('p50') >= 1.9 && p('p50') <= 2.1, String(p('p50')));
    assert.ok(p('p50') <= p('p90') && p('p90') <= p('p95') && p('p95') <= p('p99') && p('p99') <= 4);
  });

  it('decodes a summary and a delta sum with an int64 beyond 2^53 the same from protobuf and JSON', () => {
    const time = 1_700_000_000_000_000_000n;
    const json = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'rpc' } }] },
          scopeMetrics: [
            {
              metrics: [
                { name: 'rpc.duration', summary: { dataPoints: [{ timeUnixNano: String(time), count: '10', sum: 12.5, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 0.999, value: 9 }], attributes: [{ key: 'rpc.method', value: { stringValue: 'Get' } }] }] } },
                { name: 'bytes', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', isMonotonic: true, dataPoints: [{ timeUnixNano: String(time), asInt: '9007199254740993', attributes: [{ key: 'rpc.method', value: { stringValue: 'Get' } }] }] } },
              ],
            },
          ],
        },
      ],
    });
    const method = lenField(7, stringAttribute('rpc.method', 'Get'));
    const quantile = (q: number, v: number): Uint8Array => lenField(6, doubleField(1, q), doubleField(2, v));
    const summary = lenField(2, stringField(1, 'rpc.duration'), lenField(11, lenField(1, fixed64Field(3, time), fixed64Field(4, 10n), doubleField(5, 12.5), quantile(0.5, 1), quantile(0.999, 9), method)));
    const sum = lenField(2, stringField(1, 'bytes'), lenField(7, lenField(1, fixed64Field(3, time), concatParts([0x31], fixed64Bytes(9007199254740993n)), method), varintField(2, 1), varintField(3, 1)));
    const protobuf = lenField(1, lenField(1, lenField(1, stringAttribute('service.name', 'rpc'))), lenField(2, summary, sum));
    const fromJson = decodeOtlpMetricsJson(json, {});
    assert.deepEqual(decodeOtlpMetricsProtobuf(protobuf, {}), fromJson);
    assert.equal(fromJson.events.length, 1);
    assert.deepEqual(columns(fromJson.events[0]!), {
      'rpc.method': ['string', 'Get'],
      'meta.signal_type': ['string', 'metric'],
      'rpc.duration.count': ['integer', 10],
      'rpc.duration.sum': ['float', 12.5],
      'rpc.duration.p50': ['float', 1],
      'rpc.duration.p99.9': ['float', 9],
      bytes: ['integer', 9007199254740993n],
      'bytes.temporality': ['string', 'delta'],
      'bytes.monotonic': ['boolean', true],
    });
  });

  it('rejects a nameless metric as a partial success and counts data points', () => {
    const json = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }] } }, { name: 'ok', gauge: { dataPoints: [{ asDouble: 3 }] } }] }] }] });
    const batch = decodeOtlpMetricsJson(json, {});
    assert.equal(batch.acceptedSpans, 1);
    assert.equal(batch.rejectedSpans, 2);
    assert.equal(batch.rejectionMessage, "rejected 2 of 3 data points: a data point of metric '' has no name");
  });

  it("rejects a metric named in Waggle's meta. namespace, so it cannot rewrite meta.signal_type", () => {
    const json = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'meta.signal_type', gauge: { dataPoints: [{ asDouble: 1 }] } }, { name: 'ok', gauge: { dataPoints: [{ asDouble: 3 }] } }] }] }] });
    const batch = decodeOtlpMetricsJson(json, {});
    assert.equal(batch.rejectionMessage, "rejected 1 of 2 data points: a data point of metric 'meta.signal_type' has a name in the reserved meta. namespace");
    assert.deepEqual(columns(batch.events[0]!)['meta.signal_type'], ['string', 'metric']);
  });

  it('refuses a packed bucket_counts that is not whole fixed64 values', () => {
    const point = lenField(1, concatParts([0x32, 3], [1, 2, 3]));
    const request = lenField(1, lenField(2, lenField(2, stringField(1, 'h'), lenField(9, point))));
    assert.throws(() => decodeOtlpMetricsProtobuf(request, {}), (error: unknown) => error instanceof OtlpDecodeError && /^invalid OTLP protobuf metrics request: packed bucket_counts of HistogramDataPoint is not a multiple of 8 bytes at byte offset \d+$/.test(error.message));
  });
});

function fixed64Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}
