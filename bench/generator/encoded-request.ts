/**
 * One OTLP ExportTraceServiceRequest body plus where its ids, times and rotatable user ids sit,
 * so a load tool can make every send unique by rewriting bytes in place (see request-patcher.ts)
 * instead of generating and encoding millions of spans while it measures.
 */
export type RequestEncoding = 'protobuf' | 'json';

export interface EncodedRequest {
  readonly encoding: RequestEncoding;
  readonly body: Uint8Array;
  readonly spanCount: number;
  readonly patchPoints: RequestPatchPoints;
}

/**
 * Byte offsets into the body, one entry per span unless said otherwise. Protobuf offsets point at
 * raw id bytes and little-endian fixed64 times; JSON offsets point at the first hex digit of an id
 * and the first digit of a decimal nanosecond time (always 19 digits in this century).
 */
export interface RequestPatchPoints {
  readonly traceId: Int32Array;
  readonly spanId: Int32Array;
  /** -1 for a root span. */
  readonly parentSpanId: Int32Array;
  readonly startTime: Int32Array;
  readonly endTime: Int32Array;
  /** Offsets of the 5 digits of rotatable `user-NNNNN` values (any number per request). */
  readonly userDigits: Int32Array;
}
