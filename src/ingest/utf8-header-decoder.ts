const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Any character beyond ASCII: only such a value can have been mis-decoded. */
const NON_ASCII_RE = /[^\x00-\x7f]/;
/** A character beyond latin-1 means the value was already decoded as something else. */
const BEYOND_LATIN1_RE = /[^\x00-\xff]/;

/**
 * The text of a header (or gRPC metadata) value that a client wrote as UTF-8. Node's HTTP/1 and
 * HTTP/2 parsers hand header bytes over as latin-1, one character per byte, so `x-honeycomb-dataset:
 * café` arrives as `cafÃ©`. The bytes are re-read as UTF-8 when they are valid UTF-8; a value that
 * is not (a genuine latin-1 header) is kept as it came.
 */
export function decodeUtf8HeaderValue(value: string): string {
  if (!NON_ASCII_RE.test(value) || BEYOND_LATIN1_RE.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
