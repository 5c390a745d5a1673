/**
 * A small OTLP protobuf encoder for tests and benchmarks of wide data: spans with as many
 * attributes as asked, laid out as ExportTraceServiceRequest (see reference.md for the fields).
 */

export type WideAttributeValue = number | string;

export interface WideSpan {
  traceIdHex: string;
  spanIdHex: string;
  name: string;
  startNs: bigint;
  durationNs: bigint;
  attributes: ReadonlyArray<readonly [string, WideAttributeValue]>;
}

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function tag(field: number, wire: number): Buffer {
  return Buffer.from(varint(BigInt((field << 3) | wire)));
}

function bytesField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([tag(field, 2), Buffer.from(varint(BigInt(bytes.length))), bytes]);
}

function stringField(field: number, text: string): Buffer {
  return bytesField(field, Buffer.from(text, 'utf8'));
}

function fixed64Field(field: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return Buffer.concat([tag(field, 1), bytes]);
}

function keyValue(key: string, value: WideAttributeValue): Buffer {
  const anyValue =
    typeof value === 'string'
      ? stringField(1, value)
      : Buffer.concat([tag(3, 0), Buffer.from(varint(BigInt(value)))]);
  return Buffer.concat([stringField(1, key), bytesField(2, anyValue)]);
}

function encodeSpan(span: WideSpan): Buffer {
  const parts: Buffer[] = [
    bytesField(1, Buffer.from(span.traceIdHex, 'hex')),
    bytesField(2, Buffer.from(span.spanIdHex, 'hex')),
    stringField(5, span.name),
    Buffer.concat([tag(6, 0), Buffer.from(varint(2n))]),
    fixed64Field(7, span.startNs),
    fixed64Field(8, span.startNs + span.durationNs),
  ];
  for (const [key, value] of span.attributes) parts.push(bytesField(9, keyValue(key, value)));
  return Buffer.concat(parts);
}

/** One resource (service.name = service) with one scope holding the spans. */
export function encodeWideRequest(service: string, spans: readonly WideSpan[]): Buffer {
  const resource = bytesField(1, keyValue('service.name', service));
  const scope = Buffer.concat([bytesField(1, stringField(1, 'wide-test')), ...spans.map((span) => bytesField(2, encodeSpan(span)))]);
  const resourceSpans = Buffer.concat([bytesField(1, resource), bytesField(2, scope)]);
  return bytesField(1, resourceSpans);
}

/** Decodes ExportTraceServiceResponse.partial_success well enough for tests: {rejected, message}. */
export function decodePartialSuccess(bytes: Uint8Array): { rejectedSpans: number; errorMessage: string } | null {
  const buf = Buffer.from(bytes);
  if (buf.length === 0) return null;
  let offset = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[offset++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  if (readVarint() !== ((1 << 3) | 2)) return null;
  const end = readVarint() + offset;
  let rejectedSpans = 0;
  let errorMessage = '';
  while (offset < end) {
    const key = readVarint();
    if (key === (1 << 3)) rejectedSpans = readVarint();
    else if (key === ((2 << 3) | 2)) {
      const length = readVarint();
      errorMessage = buf.toString('utf8', offset, offset + length);
      offset += length;
    } else return null;
  }
  return { rejectedSpans, errorMessage };
}
