/**
 * One OTLP protobuf ExportTraceServiceRequest of `count` minimal spans (a trace id, a span id, a
 * start and an end: 46 bytes each), one resource and scope without attributes, spans ending now:
 * the most spans a body of a given size can hold.
 */
export function minimalOtlpProtobufSpans(count: number, traceSeed: number = 1): Buffer {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const span = Buffer.alloc(46);
  const spans = Buffer.alloc(count * (span.length + 2));
  for (let i = 0; i < count; i++) {
    span[0] = 0x0a; // trace_id, 16 bytes
    span[1] = 16;
    span.fill(0, 2, 18);
    span.writeUInt32BE(traceSeed, 2);
    span.writeUInt32BE(i, 14);
    span[18] = 0x12; // span_id, 8 bytes
    span[19] = 8;
    span.writeUInt32BE(traceSeed, 20);
    span.writeUInt32BE(i + 1, 24);
    span[28] = 0x39; // start_time_unix_nano, fixed64
    span.writeBigUInt64LE(nowNs - BigInt(count - i) * 1000n, 29);
    span[37] = 0x41; // end_time_unix_nano, fixed64
    span.writeBigUInt64LE(nowNs - BigInt(count - i) * 1000n + 500n, 38);
    const at = i * (span.length + 2);
    spans[at] = 0x12; // ScopeSpans.spans
    spans[at + 1] = span.length;
    span.copy(spans, at + 2);
  }
  const scopeSpans = lengthDelimited(0x12, spans); // ResourceSpans.scope_spans
  return lengthDelimited(0x0a, scopeSpans); // ExportTraceServiceRequest.resource_spans
}

function lengthDelimited(tag: number, payload: Buffer): Buffer {
  const length: number[] = [];
  let n = payload.length;
  while (n > 127) {
    length.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  length.push(n);
  return Buffer.concat([Buffer.from([tag, ...length]), payload]);
}
