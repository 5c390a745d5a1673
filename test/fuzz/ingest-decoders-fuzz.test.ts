import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { encode as encodeMsgpack } from '@msgpack/msgpack';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { WaggleError } from '../../src/core/errors.js';
import { PAYLOAD_DECODERS } from '../../src/ingest/payload-decoders.js';
import type { PayloadFormat } from '../../src/ingest/wal/write-ahead-log.js';
import { makeSampleSpans } from '../fixtures/otlp/sample-spans-fixture.js';
import { makeSampleLogs, makeSampleMetrics } from '../fixtures/otlp/sample-logs-metrics-fixture.js';
import { fuzzParameters } from './fuzz-runs.js';

const MAX_BYTES = 1024 * 1024;

/** Decoding bad input ends in a WaggleError (a 4xx for the client), never in another exception. */
function decodesOrRefuses(format: PayloadFormat, body: Uint8Array, meta: Record<string, string>): void {
  try {
    PAYLOAD_DECODERS[format](Buffer.from(body), meta, MAX_BYTES);
  } catch (error) {
    if (!(error instanceof WaggleError)) {
      assert.fail(`${format} threw ${(error as Error)?.name}: ${(error as Error)?.message} for ${Buffer.from(body).toString('base64').slice(0, 300)} with ${JSON.stringify(meta)}`);
    }
  }
}

/** A valid payload with a few bytes overwritten, inserted or cut off: close enough to get deep. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.nat()),
    })
    .map(({ edits, cut }) => {
      const bytes = Array.from(seed);
      for (const [at, value, kind] of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (kind === 'set') bytes[i] = value;
        else if (kind === 'insert') bytes.splice(i, 0, value);
        else bytes.splice(i, 1);
      }
      return Uint8Array.from(cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1)));
    });
}

/** JSON documents shaped like what each format expects, with odd values where values go. */
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('', '__proto__', 'constructor', '0', '-1', '1e400', 'NaN', '18446744073709551616', 'ffffffffffffffffffffffffffffffff', 'zz', '\u0000', '💥'),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 2, 5e-324, Number.MAX_SAFE_INTEGER),
);

const oddObject = fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'timestamp', 'duration_ms', 'trace.trace_id', 'name', '')), oddValue, { maxKeys: 8 });

const otlpJsonShape = fc.record({
  resourceSpans: fc.array(
    fc.record({
      resource: fc.option(fc.record({ attributes: fc.array(fc.record({ key: fc.oneof(fc.string(), oddValue), value: oddValue }), { maxLength: 3 }) })),
      scopeSpans: fc.array(
        fc.record({
          scope: oddValue,
          spans: fc.array(
            fc.record({
              traceId: oddValue,
              spanId: oddValue,
              parentSpanId: oddValue,
              name: oddValue,
              kind: oddValue,
              startTimeUnixNano: oddValue,
              endTimeUnixNano: oddValue,
              attributes: fc.oneof(oddValue, fc.array(fc.record({ key: oddValue, value: fc.oneof(oddValue, fc.record({ intValue: oddValue }), fc.record({ kvlistValue: oddValue })) }), { maxLength: 3 })),
              events: oddValue,
              links: oddValue,
              status: oddValue,
            }, { requiredKeys: [] }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});

const honeycombMeta = fc.record({
  dataset: fc.constantFrom('fuzz', 'Fuzz', ' ', '__all__'),
  receivedAtNs: fc.constant('1700000000000000000'),
  contentType: fc.constantFrom('application/json', 'application/msgpack', 'application/x-msgpack', 'text/plain', 'application/json; charset=utf-8'),
  contentEncoding: fc.constantFrom('identity', 'gzip', 'zstd', 'br', 'deflate', 'gzip, gzip', ''),
  eventTime: fc.oneof(fc.constantFrom('2024-01-01T00:00:00Z', '1700000000', '1e400', '-1', '9999-12-31T23:59:59Z', 'garbage', ''), fc.string({ maxLength: 12 })),
  sampleRate: fc.oneof(fc.constantFrom('1', '0', '-5', '1e400', 'NaN', '18446744073709551617', '2.5', ''), fc.string({ maxLength: 6 })),
}, { requiredKeys: ['dataset', 'receivedAtNs'] });

describe('fuzzing the ingest decoders', () => {
  let protobufSeed: Uint8Array;
  let jsonSeed: Uint8Array;
  before(async () => {
    const spans = await makeSampleSpans();
    protobufSeed = ProtobufTraceSerializer.serializeRequest(spans)!;
    jsonSeed = JsonTraceSerializer.serializeRequest(spans)!;
  });

  it('OTLP protobuf: random bytes and mutated valid requests decode or are refused with a WaggleError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRefuses('otlp-protobuf', bytes, { contentEncoding: 'identity' })), fuzzParameters(4000));
    fc.assert(fc.property(mutated(protobufSeed), (bytes) => decodesOrRefuses('otlp-protobuf', bytes, { contentEncoding: 'identity' })), fuzzParameters(4000));
  });

  it('OTLP protobuf and JSON: compressed garbage is refused with a WaggleError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.constantFrom('gzip', 'deflate', 'zstd', 'x-unknown'), fc.boolean(), (bytes, encoding, wrap) => {
        const body = wrap && encoding === 'gzip' ? zlib.gzipSync(bytes) : bytes;
        decodesOrRefuses('otlp-protobuf', body, { contentEncoding: encoding });
        decodesOrRefuses('otlp-json', body, { contentEncoding: encoding });
      }),
      fuzzParameters(1000),
    );
  });

  it('OTLP JSON: mutated valid requests and odd documents decode or are refused with a WaggleError', () => {
    fc.assert(fc.property(mutated(jsonSeed), (bytes) => decodesOrRefuses('otlp-json', bytes, { contentEncoding: 'identity' })), fuzzParameters(2000));
    fc.assert(
      fc.property(otlpJsonShape, (doc) => decodesOrRefuses('otlp-json', Buffer.from(JSON.stringify(doc)), { contentEncoding: 'identity' })),
      fuzzParameters(2000),
    );
  });

  it('OTLP logs and metrics, protobuf and JSON: random bytes, mutated valid requests and odd documents decode or are refused with a WaggleError', async () => {
    const logs = await makeSampleLogs();
    const metrics = await makeSampleMetrics();
    const seeds: Array<[PayloadFormat, Uint8Array]> = [
      ['otlp-logs-protobuf', ProtobufLogsSerializer.serializeRequest(logs)!],
      ['otlp-logs-json', JsonLogsSerializer.serializeRequest(logs)!],
      ['otlp-metrics-protobuf', ProtobufMetricsSerializer.serializeRequest(metrics)!],
      ['otlp-metrics-json', JsonMetricsSerializer.serializeRequest(metrics)!],
    ];
    for (const [format, seed] of seeds) {
      fc.assert(fc.property(mutated(seed), (bytes) => decodesOrRefuses(format, bytes, { contentEncoding: 'identity' })), fuzzParameters(1500));
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRefuses(format, bytes, { contentEncoding: 'identity' })), fuzzParameters(1000));
    }
    const point = fc.record({ timeUnixNano: oddValue, asInt: oddValue, asDouble: oddValue, count: oddValue, sum: oddValue, min: oddValue, bucketCounts: oddValue, explicitBounds: oddValue, scale: oddValue, zeroCount: oddValue, positive: fc.oneof(oddValue, fc.record({ offset: oddValue, bucketCounts: oddValue })), quantileValues: oddValue, attributes: oddValue }, { requiredKeys: [] });
    const metric = fc.record({ name: oddValue, gauge: fc.record({ dataPoints: fc.array(point, { maxLength: 2 }) }), sum: fc.record({ aggregationTemporality: oddValue, isMonotonic: oddValue, dataPoints: fc.array(point, { maxLength: 2 }) }), histogram: fc.record({ dataPoints: fc.array(point, { maxLength: 2 }) }), exponentialHistogram: fc.record({ dataPoints: fc.array(point, { maxLength: 2 }) }), summary: fc.record({ dataPoints: fc.array(point, { maxLength: 2 }) }) }, { requiredKeys: [] });
    const metricsDoc = fc.record({ resourceMetrics: fc.array(fc.record({ resource: oddValue, scopeMetrics: fc.array(fc.record({ scope: oddValue, metrics: fc.oneof(oddValue, fc.array(metric, { maxLength: 3 })) }), { maxLength: 2 }) }), { maxLength: 2 }) });
    const logRecord = fc.record({ timeUnixNano: oddValue, observedTimeUnixNano: oddValue, severityNumber: oddValue, severityText: oddValue, body: fc.oneof(oddValue, fc.record({ kvlistValue: fc.oneof(oddValue, fc.record({ values: oddValue })) })), attributes: oddValue, traceId: oddValue, spanId: oddValue, eventName: oddValue }, { requiredKeys: [] });
    const logsDoc = fc.record({ resourceLogs: fc.array(fc.record({ resource: oddValue, scopeLogs: fc.array(fc.record({ scope: oddValue, logRecords: fc.oneof(oddValue, fc.array(logRecord, { maxLength: 3 })) }), { maxLength: 2 }) }), { maxLength: 2 }) });
    fc.assert(fc.property(metricsDoc, (doc) => decodesOrRefuses('otlp-metrics-json', Buffer.from(JSON.stringify(doc)), { contentEncoding: 'identity' })), fuzzParameters(1500));
    fc.assert(fc.property(logsDoc, (doc) => decodesOrRefuses('otlp-logs-json', Buffer.from(JSON.stringify(doc)), { contentEncoding: 'identity' })), fuzzParameters(1500));
  });

  it('Honeycomb events and batches: odd JSON and msgpack bodies and headers decode or are refused with a WaggleError', () => {
    fc.assert(
      fc.property(oddObject, fc.array(fc.record({ data: fc.oneof(oddObject, oddValue), time: oddValue, samplerate: oddValue }, { requiredKeys: [] }), { maxLength: 4 }), honeycombMeta, fc.boolean(), (event, batch, meta, msgpack) => {
        const encode = (value: unknown): Uint8Array => (msgpack ? encodeMsgpack(value) : Buffer.from(JSON.stringify(value)));
        const m: Record<string, string> = { ...meta, ...(msgpack ? { contentType: 'application/msgpack' } : {}) };
        const compressed = (bytes: Uint8Array): Uint8Array => (m['contentEncoding'] === 'gzip' ? zlib.gzipSync(bytes) : bytes);
        decodesOrRefuses('honeycomb-event', compressed(encode(event)), m);
        decodesOrRefuses('honeycomb-batch', compressed(encode(batch)), m);
        decodesOrRefuses('honeycomb-batch', compressed(encode(event)), m);
      }),
      fuzzParameters(2000),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), honeycombMeta, (bytes, meta) => {
        // Random bytes cannot spell a huge duration_ms: no filter needed here.
        decodesOrRefuses('honeycomb-event', bytes, meta);
        decodesOrRefuses('honeycomb-batch', bytes, meta);
      }),
      fuzzParameters(2000),
    );
  });

  it('refuses a Honeycomb duration_ms whose nanoseconds do not fit in int64 (found by this fuzz)', () => {
    for (const duration of [1e308, 1e300, -1e300]) {
      assert.throws(
        () => PAYLOAD_DECODERS['honeycomb-event'](Buffer.from(JSON.stringify({ duration_ms: duration })), { dataset: 'fuzz', receivedAtNs: '1700000000000000000' }, MAX_BYTES),
        (error: unknown) => error instanceof WaggleError && error.code === 'bad_request',
        `duration_ms ${duration}`,
      );
    }
  });
});
