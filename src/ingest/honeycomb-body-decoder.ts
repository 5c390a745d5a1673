/**
 * Bytes of a Honeycomb Events API request → the parsed value (object or array), knowing nothing of
 * HTTP beyond the two header values it is given.
 *
 * Decisions:
 * - Content type: msgpack (`application/msgpack`, `application/x-msgpack`) is decoded as msgpack;
 *   everything else, including no content type or curl's default form type, as JSON, because
 *   Honeycomb's own examples post JSON with whatever type the tool picks.
 * - Content encoding: none/identity and gzip. zstd is answered with 415 when this Node has no zstd
 *   (Node 20 has none; zlib.zstdDecompressSync appears in Node 22.15 and is used when present).
 *   Any other encoding: 415.
 * - The size limit applies before and after decompression; inflating stops at the limit, so a gzip
 *   bomb costs at most `maxBytes` of memory. Over the limit → 413.
 */
import * as zlib from 'node:zlib';
import { decode as decodeMsgpack } from '@msgpack/msgpack';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors.js';

/** Honeycomb's documented limits per request. */
export const HONEYCOMB_MAX_EVENT_BODY_BYTES = 1024 * 1024;
export const HONEYCOMB_MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

export interface HoneycombBodyOptions {
  /** Largest accepted body, compressed and decompressed; default 5 MB (the batch limit). */
  maxBytes?: number;
}

type ZstdDecompress = (buffer: Uint8Array, options: { maxOutputLength: number }) => Buffer;

function zstdDecompressor(): ZstdDecompress | undefined {
  const candidate: unknown = (zlib as Record<string, unknown>)['zstdDecompressSync'];
  return typeof candidate === 'function' ? (candidate as ZstdDecompress) : undefined;
}

function isMsgpack(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/msgpack' || mediaType === 'application/x-msgpack';
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than ${maxBytes} bytes (after decompression)`);
}

function isBufferTooLarge(error: unknown): boolean {
  return error instanceof RangeError && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

function decompress(bytes: Uint8Array, contentEncoding: string | undefined, maxBytes: number): Uint8Array {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return bytes;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    if (encoding === 'zstd') {
      const zstd = zstdDecompressor();
      if (zstd === undefined) {
        throw new UnsupportedMediaTypeError(
          `Content-Encoding zstd is not supported by this server (Node ${process.versions.node} has no zstd); send gzip or an uncompressed body`,
        );
      }
      return zstd(bytes, { maxOutputLength: maxBytes });
    }
  } catch (error) {
    if (isBufferTooLarge(error)) throw tooLarge(maxBytes);
    if (error instanceof UnsupportedMediaTypeError) throw error;
    throw new BadRequestError(`request body is not valid ${encoding} data`);
  }
  throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding} is not supported; send gzip or an uncompressed body`);
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
  const plain = decompress(bytes, contentEncoding, maxBytes);
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
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequestError(`request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
