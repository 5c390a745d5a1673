/**
 * Drop-in compatibility of OTLP ingest: what OTLP senders nobody here wrote actually send, each row
 * against the real server, read back through the trace API and the query API with exact values.
 * Rows: int64 fields written as JSON numbers; nanosecond times over every transport; every
 * Content-Encoding (gzip, deflate, zstd) and a zstd bomb; gRPC's deflate and gzip; NaN and infinities; a UTF-8 dataset
 * header over HTTP and gRPC.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { deflateSync, gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, type HrTime } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createExporter, createTracerProvider, type ExporterKind } from '../support/otel-test-exporters.js';
import { getJson, startTestWaggle } from '../support/waggle-test-server.js';
import { zstdCompressForTest } from '../support/zstd-test-compressor.js';
import { zstdRleBombForTest } from '../support/zstd-bomb-fixture.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type WideSpan = Record<string, unknown>;

let waggle: Waggle;
let tracesUrl = '';
let sequence = 0;

before(async () => {
  waggle = await startTestWaggle({ walSync: false });
  tracesUrl = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
});
after(async () => {
  await waggle.stop();
});

/** A fresh trace id per row, so rows never see each other's spans. */
function newTraceId(): string {
  sequence += 1;
  return `7a${String(sequence).padStart(30, '0')}`;
}

async function spansOf(traceId: string): Promise<WideSpan[]> {
  await waggle.ingest.flushNow();
  const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${traceId}`);
  assert.equal(status, 200, `trace ${traceId} should be stored`);
  return (body as { spans: WideSpan[] }).spans;
}

async function post(body: Uint8Array | string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(tracesUrl, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: response.status, text: await response.text() };
}

/** One span as OTLP/JSON text, with the times and attributes given as raw JSON fragments. */
function jsonRequest(traceId: string, spanFields: string, attributes: string, resourceAttributes = ''): string {
  return (
    `{"resourceSpans":[{"resource":{"attributes":[${resourceAttributes}]},"scopeSpans":[{"scope":{"name":"compat"},"spans":[` +
    `{"traceId":"${traceId}","spanId":"00000000000000a1","name":"compat span",${spanFields},"attributes":[${attributes}]}]}]}]}`
  );
}

/** OTLP protobuf of one real SDK span with the given nanosecond start and end. */
function protobufRequest(traceId: string, start: HrTime, end: HrTime): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('compat').startSpan('compat span', { startTime: start }, ROOT_CONTEXT);
  span.end(end);
  const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  if (body === undefined) throw new Error('the serializer returned nothing');
  // The SDK picks its own ids: put the row's trace id in their place.
  const hex = Buffer.from(body).toString('hex');
  const sdkTraceId = exporter.getFinishedSpans()[0]!.spanContext().traceId;
  return Buffer.from(hex.replace(sdkTraceId, traceId), 'hex');
}

describe('OTLP ingest compatibility', () => {
  it('keeps int64 times and intValue written as JSON numbers exact to the last digit', async () => {
    const traceId = newTraceId();
    const body = jsonRequest(
      traceId,
      '"startTimeUnixNano":1700000000123456789,"endTimeUnixNano":1700000000223456789,' +
        '"events":[{"timeUnixNano":1700000000123456999,"name":"tick"}]',
      '{"key":"above.2_53","value":{"intValue":9007199254740993}},' +
        '{"key":"int64.min","value":{"intValue":-9223372036854775808}},' +
        '{"key":"int64.max","value":{"intValue":9223372036854775807}},' +
        '{"key":"as.string","value":{"intValue":"9007199254740995"}}',
    );
    const response = await post(body, { 'content-type': 'application/json' });
    assert.equal(response.status, 200, response.text);
    const spans = await spansOf(traceId);
    assert.deepEqual(
      spans.map((s) => [s['name'], s['timestamp'], s['duration_ms']]),
      [
        ['compat span', '2023-11-14T22:13:20.123456789Z', 100],
        ['tick', '2023-11-14T22:13:20.123456999Z', 0],
      ],
    );
    assert.equal(spans[0]!['above.2_53'], '9007199254740993');
    assert.equal(spans[0]!['int64.min'], '-9223372036854775808');
    assert.equal(spans[0]!['int64.max'], '9223372036854775807');
    assert.equal(spans[0]!['as.string'], '9007199254740995');
  });

  for (const kind of ['http-json', 'http-proto', 'grpc'] as const satisfies readonly ExporterKind[]) {
    it(`keeps a nanosecond start time exact when the real OpenTelemetry exporter sends it over ${kind}`, async () => {
      const { provider, tracer } = createTracerProvider(createExporter(kind, waggle.ports), `nanos-${kind}`);
      const span = tracer.startSpan('nanos', { startTime: [1_700_000_000, 123_456_789] }, ROOT_CONTEXT);
      span.end([1_700_000_000, 223_456_791]);
      await provider.forceFlush();
      await provider.shutdown();
      const spans = await spansOf(span.spanContext().traceId);
      assert.deepEqual(
        spans.map((s) => [s['timestamp'], s['duration_ms']]),
        [['2023-11-14T22:13:20.123456789Z', 100.000002]],
      );
    });
  }

  for (const [encoding, compress] of [
    ['gzip', async (b: Uint8Array) => gzipSync(b)],
    ['deflate', async (b: Uint8Array) => deflateSync(b)],
    ['zstd', async (b: Uint8Array) => zstdCompressForTest(b)],
  ] as const) {
    it(`accepts Content-Encoding ${encoding} for OTLP protobuf and OTLP/JSON`, async () => {
      const protoTrace = newTraceId();
      const proto = await compress(protobufRequest(protoTrace, [1_700_000_000, 5], [1_700_000_000, 1_000_005]));
      const protoResponse = await post(proto, { 'content-type': 'application/x-protobuf', 'content-encoding': encoding });
      assert.equal(protoResponse.status, 200, protoResponse.text);
      assert.deepEqual((await spansOf(protoTrace)).map((s) => s['timestamp']), ['2023-11-14T22:13:20.000000005Z']);

      const jsonTrace = newTraceId();
      const json = await compress(Buffer.from(jsonRequest(jsonTrace, '"startTimeUnixNano":"1700000000000000007","endTimeUnixNano":"1700000000000000009"', '')));
      const jsonResponse = await post(json, { 'content-type': 'application/json', 'content-encoding': encoding });
      assert.equal(jsonResponse.status, 200, jsonResponse.text);
      assert.deepEqual((await spansOf(jsonTrace)).map((s) => s['timestamp']), ['2023-11-14T22:13:20.000000007Z']);
    });
  }

  for (const [name, algorithm] of [['deflate', 1], ['gzip', 2]] as const) {
    it(`accepts ${name} message compression over gRPC`, async () => {
      const traceId = newTraceId();
      const client = new grpc.Client(`127.0.0.1:${waggle.ports.otlpGrpc}`, grpc.credentials.createInsecure(), {
        'grpc.default_compression_algorithm': algorithm,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          client.makeUnaryRequest(
            '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
            (message: Uint8Array) => Buffer.from(message),
            (response: Buffer) => response,
            protobufRequest(traceId, [1_700_000_000, 11], [1_700_000_000, 12]),
            (error) => (error ? reject(error) : resolve()),
          );
        });
      } finally {
        client.close();
      }
      assert.deepEqual((await spansOf(traceId)).map((s) => s['timestamp']), ['2023-11-14T22:13:20.000000011Z']);
    });
  }

  it('answers 413 to zstd bombs, whether the frame declares its size or not', async () => {
    const limit = 64 * 1024 * 1024;
    // The reference encoder writes the content size into the frame header: refused from the header.
    const declared = await zstdCompressForTest(Buffer.alloc(limit + 1024, 0x20), 19);
    assert.ok(declared.length < 64 * 1024, `the declared-size bomb is ${declared.length} bytes`);
    // No size in the header: 80 MiB of RLE blocks in a few KB, refused when the output passes the limit.
    const streamed = zstdRleBombForTest(80 * 1024 * 1024);
    assert.ok(streamed.length < 4096);
    for (const bomb of [declared, streamed]) {
      const response = await post(bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'zstd' });
      assert.equal(response.status, 413);
    }
    const corrupt = await post(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x01]), { 'content-type': 'application/json', 'content-encoding': 'zstd' });
    assert.equal(corrupt.status, 400);
    assert.match(corrupt.text, /not valid zstd data/);
  });

  it('gives NaN and the infinities back as the strings OTLP/JSON writes, distinct from a missing value', async () => {
    const traceId = newTraceId();
    const body = jsonRequest(
      traceId,
      '"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"',
      '{"key":"score","value":{"doubleValue":"NaN"}},{"key":"upper","value":{"doubleValue":"Infinity"}},' +
        '{"key":"lower","value":{"doubleValue":"-Infinity"}},{"key":"plain","value":{"doubleValue":1.5}}',
      '{"key":"service.name","value":{"stringValue":"nonfinite"}}',
    );
    assert.equal((await post(body, { 'content-type': 'application/json' })).status, 200);
    const [span] = await spansOf(traceId);
    assert.deepEqual([span!['score'], span!['upper'], span!['lower'], span!['plain']], ['NaN', 'Infinity', '-Infinity', 1.5]);

    const query = await fetch(`${waggle.baseUrl}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'nonfinite', q: 'VISUALIZE MAX(score), MAX(upper), MIN(lower) FROM 1699999000 TO 1700001000' }),
    });
    assert.equal(query.status, 200);
    const result = (await query.json()) as { data: { results: Array<{ data: Record<string, unknown> }> } };
    assert.deepEqual(result.data.results.map((r) => r.data), [{ 'MAX(score)': 'NaN', 'MAX(upper)': 'Infinity', 'MIN(lower)': '-Infinity' }]);
  });

  it('reads a UTF-8 x-honeycomb-dataset header over OTLP/HTTP as UTF-8, not latin-1', async () => {
    const traceId = newTraceId();
    const body = jsonRequest(traceId, '"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"', '');
    // node:http's client writes header values as UTF-8 (fetch refuses them); the server reads bytes as latin-1.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(tracesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-honeycomb-dataset': 'Café-Ünïcode' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
    assert.equal(status, 200);
    await spansOf(traceId);
    const { body: datasets } = await getJson(`${waggle.baseUrl}/1/datasets`);
    const names = (datasets as Array<{ name: string }>).map((d) => d.name);
    assert.ok(names.includes('Café-Ünïcode'), `datasets: ${names.join(', ')}`);
  });

  it('reads a UTF-8 dataset name from x-honeycomb-dataset-bin gRPC metadata', async () => {
    const traceId = newTraceId();
    const message = protobufRequest(traceId, [1_700_000_000, 0], [1_700_000_001, 0]);
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), message]);
    framed.writeUInt32BE(message.length, 1);
    const session = http2.connect(`http://127.0.0.1:${waggle.ports.otlpGrpc}`);
    try {
      const grpcStatus = await new Promise<string>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          'content-type': 'application/grpc',
          te: 'trailers',
          // gRPC text metadata is printable ASCII only; other bytes go in a -bin key, base64 on the wire.
          'x-honeycomb-dataset-bin': Buffer.from('Grpc-Café', 'utf8').toString('base64'),
        });
        let status = '';
        stream.on('response', (headers) => {
          if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
        });
        stream.on('trailers', (trailers) => {
          status = String(trailers['grpc-status']);
        });
        stream.on('data', () => undefined);
        stream.on('end', () => resolve(status));
        stream.on('error', reject);
        stream.end(framed);
      });
      assert.equal(grpcStatus, '0');
    } finally {
      session.close();
    }
    await spansOf(traceId);
    const { body: datasets } = await getJson(`${waggle.baseUrl}/1/datasets`);
    const names = (datasets as Array<{ name: string }>).map((d) => d.name);
    assert.ok(names.includes('Grpc-Café'), `datasets: ${names.join(', ')}`);
  });
});
