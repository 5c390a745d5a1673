/**
 * Throughput of the OTLP trace decoders on one core, with batches shaped like a real SDK's:
 * 512 spans per request (the BatchSpanProcessor default), ~20 span attributes of mixed kinds,
 * a typical Node resource, one span event on every tenth span.
 *
 *   node --import tsx bench/decode-throughput.ts [seconds-per-decoder] [protobuf|json]
 *
 * `json` is the OpenTelemetry JS serializer's output, which writes 64-bit times as strings;
 * `json-int64-numbers` is the same body with every int64 written as a JSON number, as the OTLP
 * specification allows and some senders do, which Waggle must read exactly (a slower parse).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeOtlpTraceJson } from '../src/ingest/otlp-json-decoder.js';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';

const SPANS_PER_BATCH = 512;
const BATCHES = 8;
const seconds = Number(process.argv[2] ?? '3');
const only = process.argv[3];

async function makeBatch(seed: number): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.version': '2.14.0',
      'deployment.environment': 'production',
      'host.name': 'ip-10-0-3-17',
      'process.pid': 41234,
      'process.runtime.name': 'nodejs',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': '2.12.1',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  for (let i = 0; i < SPANS_PER_BATCH; i++) {
    const n = seed * SPANS_PER_BATCH + i;
    const root = tracer.startSpan('GET /api/orders/:id', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    const span = i % 4 === 0 ? root : tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, root));
    span.setAttributes({
      'http.request.method': 'GET',
      'http.route': '/api/orders/:id',
      'url.path': `/api/orders/${n}`,
      'url.scheme': 'https',
      'server.address': 'shop.example.com',
      'server.port': 443,
      'http.response.status_code': n % 50 === 0 ? 500 : 200,
      'network.protocol.version': '1.1',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      'client.address': `10.0.${n % 256}.${(n * 7) % 256}`,
      'user.id': `user-${n % 10_000}`,
      'order.id': n,
      'order.total': (n % 1000) * 1.25 + 0.99,
      'order.items': n % 12,
      'cache.hit': n % 3 === 0,
      'db.system': 'postgresql',
      'db.statement': 'SELECT * FROM orders WHERE id = $1',
      'feature.flags': ['new-checkout', 'fast-path'],
      'region': 'eu-west-1',
      'retry.count': 0,
    });
    if (i % 10 === 0) span.addEvent('cache.miss', { 'cache.key': `order:${n}` });
    if (n % 50 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    span.end();
    if (span !== root) root.end();
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans().slice(0, SPANS_PER_BATCH);
  await provider.shutdown();
  return spans;
}

/**
 * The machine is shared, so two figures: the best wall-clock round (the least disturbed one) and
 * spans per second of CPU time used by this process (user + system, all threads, GC included),
 * which other processes on the machine disturb much less.
 */
function measure(label: string, decodeOne: (index: number) => number, bytesPerBatch: number): void {
  // Warm up so the figure is the optimised code's.
  for (let i = 0; i < 50; i++) decodeOne(i % BATCHES);
  const wallRates: number[] = [];
  let cpuMicros = 0;
  let totalSpans = 0;
  const roundNs = 250_000_000n;
  const rounds = Math.max(1, Math.round(seconds * 4));
  let batchIndex = 0;
  for (let round = 0; round < rounds; round++) {
    let spans = 0;
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    let now = start;
    while (now - start < roundNs) {
      spans += decodeOne(batchIndex++ % BATCHES);
      now = process.hrtime.bigint();
    }
    const cpu = process.cpuUsage(cpuBefore);
    cpuMicros += cpu.user + cpu.system;
    totalSpans += spans;
    wallRates.push(spans / (Number(now - start) / 1e9));
  }
  wallRates.sort((a, b) => a - b);
  const format = (rate: number): string => Math.round(rate).toLocaleString('en-US');
  console.log(
    `${label}: ${format(totalSpans / (cpuMicros / 1e6))} spans per CPU second, best wall-clock round ${format(wallRates[wallRates.length - 1]!)} spans/s ` +
      `(${rounds} rounds, ${SPANS_PER_BATCH} spans per request, ${Math.round(bytesPerBatch / SPANS_PER_BATCH)} bytes per span)`,
  );
}

const batches: ReadableSpan[][] = [];
for (let b = 0; b < BATCHES; b++) batches.push(await makeBatch(b));
const protobufBodies = batches.map((spans) => {
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (body === undefined) throw new Error('the serializer returned nothing');
  return body;
});
const jsonBodies = batches.map((spans) => {
  const body = JsonTraceSerializer.serializeRequest(spans);
  if (body === undefined) throw new Error('the serializer returned nothing');
  return new TextDecoder().decode(body);
});

if (only !== 'json') {
  measure('protobuf', (i) => decodeOtlpTraceProtobuf(protobufBodies[i]!, {}).acceptedSpans, protobufBodies[0]!.length);
}
// The quoted 64-bit times become bare JSON numbers (the serializer already writes intValue bare).
const jsonNumberBodies = jsonBodies.map((body) => body.replace(/"((?:start|end)?[tT]imeUnixNano)":"(\d+)"/g, '"$1":$2'));

if (only !== 'protobuf') {
  measure('json', (i) => decodeOtlpTraceJson(jsonBodies[i]!, {}).acceptedSpans, jsonBodies[0]!.length);
  measure('json-int64-numbers', (i) => decodeOtlpTraceJson(jsonNumberBodies[i]!, {}).acceptedSpans, jsonNumberBodies[0]!.length);
}
