import zlib from 'node:zlib';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors.js';

export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

/** Maps a Content-Encoding header to what we accept; throws 415 for the rest. */
export function parseContentEncoding(header: string | undefined): ContentEncoding {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  throw new UnsupportedMediaTypeError(`unsupported Content-Encoding '${value}': send identity, gzip or deflate`);
}

/**
 * Inflates a body, refusing to produce more than `maxBytes`: zlib stops at the limit, so a
 * decompression bomb costs at most `maxBytes` of work and memory.
 */
export function inflateBody(body: Buffer, encoding: ContentEncoding, maxBytes: number): Buffer {
  if (encoding === 'identity') {
    if (body.length > maxBytes) throw new PayloadTooLargeError(`request body is larger than the limit of ${maxBytes} bytes`);
    return body;
  }
  try {
    const options = { maxOutputLength: maxBytes };
    return encoding === 'gzip' ? zlib.gunzipSync(body, options) : zlib.inflateSync(body, options);
  } catch (error) {
    throw inflateError(error, encoding, maxBytes);
  }
}

/**
 * inflateBody without blocking the event loop: zlib works on libuv's pool. Same limit, same
 * answers (413 beyond `maxBytes`, 400 for corrupt data).
 */
export async function inflateBodyAsync(body: Buffer, encoding: ContentEncoding, maxBytes: number): Promise<Buffer> {
  if (encoding === 'identity') return inflateBody(body, encoding, maxBytes);
  const options = { maxOutputLength: maxBytes };
  return new Promise<Buffer>((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => (error ? reject(inflateError(error, encoding, maxBytes)) : resolve(result));
    if (encoding === 'gzip') zlib.gunzip(body, options, done);
    else zlib.inflate(body, options, done);
  });
}

function inflateError(error: unknown, encoding: ContentEncoding, maxBytes: number): Error {
  if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new PayloadTooLargeError(`request body is larger than the limit of ${maxBytes} bytes after decompression`);
  }
  return new BadRequestError(`request body is not valid ${encoding} data: ${(error as Error).message}`);
}
