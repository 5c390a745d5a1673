/**
 * How an AnyValue nested inside an array or a key-value list is written in the compact JSON
 * text Waggle stores for the outer attribute. Both OTLP decoders build that text with these
 * helpers, so protobuf and JSON requests produce byte-identical attribute values.
 *
 * Arrays are `[v,v]`, key-value lists `{"k":v,"k":v}` (keys in request order, duplicates
 * kept as sent), an AnyValue without a value is `null`.
 */
export const otlpAnyValueJson = {
  string(value: string): string {
    return JSON.stringify(value);
  },
  boolean(value: boolean): string {
    return value ? 'true' : 'false';
  },
  /** int64 beyond the safe JS range becomes a JSON string, so no reader rounds it. */
  integer(value: number | bigint): string {
    return typeof value === 'number' ? String(value) : `"${value.toString()}"`;
  },
  /** JSON has no NaN or infinities; they are kept as the strings "NaN", "Infinity", "-Infinity". */
  float(value: number): string {
    return Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
  },
  /** bytes arrive already as standard base64 (with padding), which needs no escaping. */
  bytes(base64: string): string {
    return `"${base64}"`;
  },
  key(key: string): string {
    return `${JSON.stringify(key)}:`;
  },
  absent: 'null',
} as const;
