/**
 * CPU of the ClickHouse store's main-thread work per span, apart from ClickHouse: resolving a
 * batch's attribute columns and encoding it as RowBinary, over the bench generator's spans.
 *   node dist/bench/clickhouse-row-encoder-probe.js [--spans 32768] [--rounds 20]
 */
import { performance } from 'node:perf_hooks';
import { decodeOtlpTraceProtobuf } from '../src/ingest/otlp-protobuf-decoder.js';
import { nowNs } from '../src/core/unix-nanos.js';
import { DuckDbCatalog } from '../src/store/duckdb/duckdb-catalog.js';
import { ColumnRoutes, LayerResolver } from '../src/store/duckdb/duckdb-layer-resolver.js';
import { encodeRowBinary, RowBinaryBuffer } from '../src/store/clickhouse/clickhouse-row-encoder.js';
import { encodeProtobufRequest } from './generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from './generator/span-generator.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const spans = Number(arg('--spans', '32768'));
const rounds = Number(arg('--rounds', '20'));
const generator = new SpanGenerator({ seed: 1, windowStartNs: nowNs() - 60_000_000_000n, windowNs: 60_000_000_000n });
const events = [];
while (events.length < spans) events.push(...decodeOtlpTraceProtobuf(encodeProtobufRequest(generator.nextBatch(500)).body, {}).events);
const catalog = DuckDbCatalog.fromRows([], [], []);
const routes = new ColumnRoutes(catalog);
const ingestTimes = events.map(() => 1_763_770_000_000n as bigint | null);
const out = new RowBinaryBuffer();
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let resolveMs = 0;
let encodeMs = 0;
let bytes = 0;
for (let round = 0; round < rounds + 2; round++) {
  const c0 = cpuMs();
  const resolver = new LayerResolver(routes, nowNs());
  resolver.resolveRange(events, 0, events.length);
  const c1 = cpuMs();
  const encoded = encodeRowBinary(out, events, resolver, (id) => catalog.columnById(id)!.type, ingestTimes);
  const c2 = cpuMs();
  bytes = encoded.body.length;
  // The first two rounds warm the JIT.
  if (round >= 2) {
    resolveMs += c1 - c0;
    encodeMs += c2 - c1;
  }
}
const perSpan = (ms: number): string => ((ms * 1000) / (rounds * events.length)).toFixed(2);
console.log(`${events.length} spans x ${rounds}: resolve ${perSpan(resolveMs)} µs/span, encode ${perSpan(encodeMs)} µs/span, ${(bytes / events.length).toFixed(0)} bytes/row (process CPU, GC included; ${performance.now().toFixed(0)} ms)`);
