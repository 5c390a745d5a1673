import buffer from 'node:buffer';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors.js';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.js';

export type ContentEncoding = 'identity' | 'gzip' | 'deflate' | 'zstd';

/**
 * Maps a Content-Encoding header to what we accept; throws 415 for the rest. `zst` is the spelling
 * of Honeycomb's API reference, `zstd` the registered one (libhoney-go sends it by default).
 */
export function parseContentEncoding(header: string | undefined): ContentEncoding {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  if (value === 'zstd' || value === 'zst') return 'zstd';
  throw new UnsupportedMediaTypeError(`unsupported Content-Encoding '${value}': send identity, gzip, deflate or zstd`);
}

/**
 * Inflates a body, refusing to produce more than `maxBytes`: zlib and the zstd decoder stop at the
 * limit, so a decompression bomb costs at most `maxBytes` of work and memory.
 */
/**
 * zlib refuses (RangeError) a maxOutputLength beyond the largest Buffer, which WAL replay's
 * "no limit" (Number.MAX_SAFE_INTEGER) is: every compressed request was then skipped on replay.
 */
function outputLimit(maxBytes: number): number {
  return Math.min(maxBytes, buffer.constants.MAX_LENGTH);
}

export function inflateBody(body: Buffer, encoding: ContentEncoding, maxBytes: number): Buffer {
  if (encoding === 'identity') {
    if (body.length > maxBytes) throw new PayloadTooLargeError(`request body is larger than the limit of ${maxBytes} bytes`);
    return body;
  }
  if (encoding === 'zstd') return inflateZstd(body, maxBytes);
  try {
    const options = { maxOutputLength: outputLimit(maxBytes) };
    return encoding === 'gzip' ? zlib.gunzipSync(body, options) : zlib.inflateSync(body, options);
  } catch (error) {
    throw inflateError(error, encoding, maxBytes);
  }
}

function tooLargeAfterDecompression(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than the limit of ${maxBytes} bytes after decompression`);
}

/**
 * zstd through fzstd (Node 20 has no zstd in zlib). fzstd allocates each frame's whole window up
 * front, so every frame header is checked first (checkZstdFrames): a 20-byte body declaring a 2 GB
 * window is refused before any allocation. Output is counted chunk by chunk and decoding stops at
 * the first chunk past the limit.
 */
function inflateZstd(body: Buffer, maxBytes: number): Buffer {
  checkZstdFrames(body, maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let overLimit = false;
  const decoder = new ZstdDecompress((chunk) => {
    total += chunk.length;
    if (total > maxBytes) {
      overLimit = true;
      throw tooLargeAfterDecompression(maxBytes);
    }
    if (chunk.length > 0) chunks.push(chunk);
  });
  try {
    decoder.push(body, true);
  } catch (error) {
    if (overLimit) throw tooLargeAfterDecompression(maxBytes);
    throw new BadRequestError(`request body is not valid zstd data: ${error instanceof Error ? error.message : String(error)}`);
  }
  return Buffer.concat(chunks, total);
}

const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_SKIPPABLE_MASK = 0xfffffff0;
const ZSTD_SKIPPABLE_MAGIC = 0x184d2a50;

/**
 * Walks the frames of a zstd body (headers and block headers only, no decoding) and refuses one
 * whose window, which fzstd allocates whole, is above the limit, and a body whose windows add up
 * to more than the limit times a few frames (many tiny frames each declaring a big window).
 * Malformed structure → 400; fzstd would refuse it too.
 */
function checkZstdFrames(body: Uint8Array, maxBytes: number): void {
  const maxWindow = Math.max(maxBytes, INGEST_LIMITS.zstdMinWindowBytes.value);
  const windowBudget = maxWindow * INGEST_LIMITS.zstdWindowBudgetFrames.value;
  const bad = (why: string): BadRequestError => new BadRequestError(`request body is not valid zstd data: ${why}`);
  let windows = 0;
  let at = 0;
  if (body.length === 0) throw bad('empty body');
  while (at < body.length) {
    if (at + 8 > body.length) throw bad('truncated frame header');
    const magic = readUint32(body, at);
    if ((magic & ZSTD_SKIPPABLE_MASK) >>> 0 === ZSTD_SKIPPABLE_MAGIC) {
      at += 8 + readUint32(body, at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw bad('unknown frame magic number');
    const descriptor = body[at + 4]!;
    const singleSegment = (descriptor >> 5) & 1;
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
    const contentSizeFlag = descriptor >> 6;
    const contentSizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag;
    let cursor = at + 5;
    let window = 0;
    if (singleSegment === 0) {
      const windowDescriptor = body[cursor]!;
      const base = 2 ** (10 + (windowDescriptor >> 3));
      window = base + (base / 8) * (windowDescriptor & 7);
      cursor += 1;
    }
    cursor += dictionaryBytes;
    if (cursor + contentSizeBytes > body.length) throw bad('truncated frame header');
    if (contentSizeBytes > 0) {
      let size = 0;
      for (let i = contentSizeBytes - 1; i >= 0; i--) size = size * 256 + body[cursor + i]!;
      if (contentSizeBytes === 2) size += 256;
      // The frame says how much it holds: over the limit needs no decoding to answer.
      if (size > maxBytes) throw tooLargeAfterDecompression(maxBytes);
      if (singleSegment === 1) window = size;
    }
    cursor += contentSizeBytes;
    if (window > maxWindow) throw tooLargeAfterDecompression(maxBytes);
    windows += window;
    if (windows > windowBudget) throw tooLargeAfterDecompression(maxBytes);
    for (let last = 0; last === 0; ) {
      if (cursor + 3 > body.length) throw bad('truncated block header');
      const header = body[cursor]! | (body[cursor + 1]! << 8) | (body[cursor + 2]! << 16);
      last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw bad('reserved block type');
      cursor += 3 + (type === 1 ? 1 : size);
    }
    if ((descriptor >> 2) & 1) cursor += 4;
    if (cursor > body.length) throw bad('truncated frame');
    at = cursor;
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/**
 * inflateBody without blocking the event loop: zlib works on libuv's pool. Same limit, same
 * answers (413 beyond `maxBytes`, 400 for corrupt data).
 */
export async function inflateBodyAsync(body: Buffer, encoding: ContentEncoding, maxBytes: number): Promise<Buffer> {
  // zstd is JavaScript (fzstd), so it has no pool to run on: callers decode zstd bodies off the
  // main thread instead (payload-decode-scheduler.ts).
  if (encoding === 'identity' || encoding === 'zstd') return inflateBody(body, encoding, maxBytes);
  const options = { maxOutputLength: outputLimit(maxBytes) };
  return new Promise<Buffer>((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => (error ? reject(inflateError(error, encoding, maxBytes)) : resolve(result));
    if (encoding === 'gzip') zlib.gunzip(body, options, done);
    else zlib.inflate(body, options, done);
  });
}

function inflateError(error: unknown, encoding: ContentEncoding, maxBytes: number): Error {
  if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return tooLargeAfterDecompression(maxBytes);
  }
  return new BadRequestError(`request body is not valid ${encoding} data: ${(error as Error).message}`);
}
