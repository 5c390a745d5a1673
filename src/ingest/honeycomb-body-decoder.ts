/**
 * Bytes of a Honeycomb Events API request → the parsed value (object or array), knowing nothing of
 * HTTP beyond the two header values it is given.
 *
 * Decisions:
 * - Content type: msgpack (`application/msgpack`, `application/x-msgpack`) is decoded as msgpack;
 *   everything else, including no content type or curl's default form type, as JSON, because
 *   Honeycomb's own examples post JSON with whatever type the tool picks.
 * - Content encoding: none/identity, gzip, deflate and zstd (also spelled `zst`, as in Honeycomb's
 *   API reference), through the same inflateBody as OTLP/HTTP. Any other encoding: 415.
 * - JSON integers beyond ±2^53 are kept exact (as bigints, like msgpack's int64).
 * - The size limit applies before and after decompression; inflating stops at the limit, so a gzip
 *   bomb costs at most `maxBytes` of memory. Over the limit → 413.
 */
import { decode as decodeMsgpack } from '@msgpack/msgpack';
import { BadRequestError, PayloadTooLargeError } from '../core/errors.js';
import { inflateBody, parseContentEncoding } from './body-decompression.js';
import { parseJsonKeepingIntegers } from './exact-integer-json-parser.js';

/** Honeycomb's documented limits per request. */
export const HONEYCOMB_MAX_EVENT_BODY_BYTES = 1024 * 1024;
export const HONEYCOMB_MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

export interface HoneycombBodyOptions {
  /** Largest accepted body, compressed and decompressed; default 5 MB (the batch limit). */
  maxBytes?: number;
}

function isMsgpack(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/msgpack' || mediaType === 'application/x-msgpack';
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than ${maxBytes} bytes (after decompression)`);
}

/**
 * Decodes a request body. Throws PayloadTooLargeError (413), UnsupportedMediaTypeError (415) or
 * BadRequestError (400: empty, corrupt compression, invalid JSON or msgpack).
 */
export function decodeHoneycombBody(
  bytes: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  options: HoneycombBodyOptions = {},
): unknown {
  const maxBytes = options.maxBytes ?? HONEYCOMB_MAX_BATCH_BODY_BYTES;
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  const plain = inflateBody(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), parseContentEncoding(contentEncoding), maxBytes);
  if (plain.byteLength === 0) throw new BadRequestError('request body is empty');
  if (isMsgpack(contentType)) {
    try {
      // useBigInt64 keeps int64 values exact; the event decoder narrows safe ones back to numbers.
      return decodeMsgpack(plain, { useBigInt64: true });
    } catch (error) {
      throw new BadRequestError(`request body is not valid msgpack: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new BadRequestError('request body is not valid UTF-8');
  }
  try {
    return parseJsonKeepingIntegers(text);
  } catch (error) {
    if (error instanceof RangeError) throw new BadRequestError('request body is nested too deeply to be read');
    throw new BadRequestError(`request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
