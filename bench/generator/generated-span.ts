/**
 * The benchmark's span model: just what OTLP carries, in the shape the encoders want.
 * Ids are bytes (as on the wire); times are bigint nanoseconds.
 */

/** An attribute value of one OTLP AnyValue kind; `int` values are safe integers. */
export type GeneratedAttributeValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean };

export interface GeneratedAttribute {
  readonly key: string;
  readonly value: GeneratedAttributeValue;
}

/** One OTLP Resource; spans point at it by identity so encoders can group by it. */
export interface GeneratedResource {
  readonly attributes: readonly GeneratedAttribute[];
}

export interface GeneratedScope {
  readonly name: string;
  readonly version: string;
}

/** OTLP SpanKind numbers: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type OtlpSpanKind = 1 | 2 | 3 | 4 | 5;
/** OTLP StatusCode numbers: 0 unset, 1 ok, 2 error. */
export type OtlpStatusCode = 0 | 1 | 2;

export interface GeneratedSpan {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly parentSpanId: Uint8Array | null;
  readonly name: string;
  readonly kind: OtlpSpanKind;
  readonly startTimeNs: bigint;
  readonly endTimeNs: bigint;
  readonly attributes: readonly GeneratedAttribute[];
  readonly statusCode: OtlpStatusCode;
  readonly statusMessage: string;
  readonly resource: GeneratedResource;
  readonly scope: GeneratedScope;
  /** Start of the span's trace (its root's start), so a load tool can move whole traces in time. */
  readonly traceStartNs: bigint;
  /**
   * The user.id index when it was drawn uniformly (so a load tool may rotate it to reach every
   * user); -1 when the span has no user or a "heavy" user that must stay put.
   */
  readonly rotatableUserIndex: number;
}
