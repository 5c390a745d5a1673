/**
 * Encodes OTLP responses in the request's encoding: ExportTraceServiceResponse on success (with
 * partial_success only when spans were rejected) and google.rpc.Status on errors.
 */

function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

const utf8 = new TextEncoder();

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export function encodeExportResponseProtobuf(partial: PartialSuccess | null): Uint8Array {
  if (partial === null) return new Uint8Array(0);
  const inner: number[] = [];
  if (partial.rejectedSpans !== 0) inner.push(...varint(1 << 3), ...varint(partial.rejectedSpans));
  if (partial.errorMessage !== '') inner.push(...lengthDelimited(2, utf8.encode(partial.errorMessage)));
  return Uint8Array.from(lengthDelimited(1, Uint8Array.from(inner)));
}

/**
 * The JSON response; `rejectedField` is the signal's name for the count (rejectedSpans,
 * rejectedLogRecords, rejectedDataPoints). In protobuf all three are field 1, so one encoder serves.
 */
export function encodeExportResponseJson(partial: PartialSuccess | null, rejectedField = 'rejectedSpans'): string {
  if (partial === null) return '{}';
  return JSON.stringify({ partialSuccess: { [rejectedField]: String(partial.rejectedSpans), errorMessage: partial.errorMessage } });
}

export function encodeStatusProtobuf(grpcCode: number, message: string): Uint8Array {
  return Uint8Array.from([...varint(1 << 3), ...varint(grpcCode), ...lengthDelimited(2, utf8.encode(message))]);
}

export function encodeStatusJson(grpcCode: number, message: string): string {
  return JSON.stringify({ code: grpcCode, message });
}
