import crypto from 'node:crypto';
import zlib from 'node:zlib';

/** What kind of request body a WAL entry holds; replay decodes it with the matching decoder. */
export type PayloadFormat =
  | 'otlp-protobuf'
  | 'otlp-json'
  | 'honeycomb-event'
  | 'honeycomb-batch'
  | 'otlp-logs-protobuf'
  | 'otlp-logs-json'
  | 'otlp-metrics-protobuf'
  | 'otlp-metrics-json';

export interface WalEntry {
  position: bigint;
  format: PayloadFormat;
  /** Small JSON object with what the decoder needs besides the body (encoding, headers). */
  meta: Record<string, string>;
  payload: Buffer;
}

const FORMAT_CODES: Record<PayloadFormat, number> = {
  'otlp-protobuf': 1,
  'otlp-json': 2,
  'honeycomb-event': 3,
  'honeycomb-batch': 4,
  'otlp-logs-protobuf': 5,
  'otlp-logs-json': 6,
  'otlp-metrics-protobuf': 7,
  'otlp-metrics-json': 8,
};
const FORMAT_BY_CODE = new Map<number, PayloadFormat>(Object.entries(FORMAT_CODES).map(([name, code]) => [code, name as PayloadFormat]));

/*
 * File layout (version 2): a 16-byte file header — the 8 ASCII bytes `WGLWAL02` and 8 random
 * bytes, the file's salt — then records:
 *
 *   u32 magic | u32 body length | u64 position | u32 crc32 of body | u32 crc32 of (salt, bytes 0..20) | body
 *   body = u8 format | u32 meta length | meta (JSON) | payload
 *
 * The header checksum covers the length, so a damaged length is detected instead of followed, and
 * the magic lets recovery scan forward from damage to the next intact record. The salt keeps a
 * record that a client smuggled inside a request body from passing for a real one during that
 * scan: its header checksum would have to be computed with a salt the client never sees.
 *
 * Version 1 (files without the header, written before the upgrade) is
 *   u32 length of the rest | u32 crc32 of the rest | u64 position | u8 format | u32 meta length | meta | payload
 * and is still read, up to its first damaged record (it has no way to resynchronise).
 */
export const FILE_MAGIC = Buffer.from('WGLWAL02', 'ascii');
export const FILE_HEADER_BYTES = 16;
const RECORD_MAGIC = 0x1e57a9d3;
const RECORD_MAGIC_BYTES = Buffer.from([0xd3, 0xa9, 0x57, 0x1e]);
export const RECORD_HEADER_BYTES = 24;
const BODY_FIXED_BYTES = 1 + 4;
const V1_HEADER_BYTES = 8;
const V1_FIXED_BYTES = 8 + 1 + 4;

/** A fresh file header with a random salt. */
export function newFileHeader(): Buffer {
  return Buffer.concat([FILE_MAGIC, crypto.randomBytes(8)]);
}

/** The salt of a version-2 file, or null when `bytes` does not start with a version-2 header. */
export function fileSalt(bytes: Buffer): Buffer | null {
  if (bytes.length < FILE_HEADER_BYTES || !bytes.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) return null;
  return Buffer.from(bytes.subarray(FILE_MAGIC.length, FILE_HEADER_BYTES));
}

export function encodeWalRecord(salt: Buffer, position: bigint, format: PayloadFormat, meta: Record<string, string>, payload: Uint8Array): Buffer {
  const [head, body] = encodeWalRecordParts(salt, position, format, meta, payload);
  return Buffer.concat([head, body]);
}

/**
 * A record as two parts to write one after the other: everything up to the payload, and the
 * payload itself (not copied: a 64 MB body's copy held the event loop for ~40 ms). `bodyCrc`:
 * the checksum walBodyCrc computed for exactly these format, meta and payload, when known.
 */
export function encodeWalRecordParts(
  salt: Buffer,
  position: bigint,
  format: PayloadFormat,
  meta: Record<string, string>,
  payload: Uint8Array,
  bodyCrc?: number,
): [Buffer, Uint8Array] {
  const metaBytes = walMetaBytes(meta);
  const bodyLength = BODY_FIXED_BYTES + metaBytes.length + payload.length;
  const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES + BODY_FIXED_BYTES + metaBytes.length);
  head.writeUInt32LE(RECORD_MAGIC, 0);
  head.writeUInt32LE(bodyLength, 4);
  head.writeBigUInt64LE(position, 8);
  const prefix = bodyPrefix(format, metaBytes);
  prefix.copy(head, RECORD_HEADER_BYTES);
  head.writeUInt32LE(bodyCrc ?? zlib.crc32(payload, zlib.crc32(prefix)), 16);
  head.writeUInt32LE(headerCrc(salt, head, 0), 20);
  return [head, payload];
}

/** Payload bytes checksummed between turns of the event loop: 1-3 ms each (zlib.crc32 ran at ~0.4-1 GB/s here). */
const CRC_SLICE_BYTES = 1024 * 1024;

/**
 * The checksum of a record's body (format, meta, payload), computed in slices with a turn of the
 * event loop between them, for encodeWalRecordParts: a 64 MB body's checksum in one go held the
 * event loop for 90-150 ms. `payload` must not change until the record is written. Undefined for
 * a payload of one slice or less: the append checksums it in place, cheaper than twice the setup.
 */
export async function walBodyCrc(format: PayloadFormat, meta: Record<string, string>, payload: Uint8Array): Promise<number | undefined> {
  if (payload.length <= CRC_SLICE_BYTES) return undefined;
  let crc = zlib.crc32(bodyPrefix(format, walMetaBytes(meta)));
  for (let start = 0; start < payload.length; start += CRC_SLICE_BYTES) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    crc = zlib.crc32(payload.subarray(start, start + CRC_SLICE_BYTES), crc);
  }
  return crc;
}

function walMetaBytes(meta: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify(meta), 'utf8');
}

/** The start of a record's body: format code, meta length, meta. */
function bodyPrefix(format: PayloadFormat, metaBytes: Buffer): Buffer {
  const prefix = Buffer.allocUnsafe(BODY_FIXED_BYTES + metaBytes.length);
  prefix.writeUInt8(FORMAT_CODES[format], 0);
  prefix.writeUInt32LE(metaBytes.length, 1);
  metaBytes.copy(prefix, BODY_FIXED_BYTES);
  return prefix;
}

function headerCrc(salt: Buffer, bytes: Buffer, offset: number): number {
  return zlib.crc32(bytes.subarray(offset, offset + 20), zlib.crc32(salt));
}

export interface DecodedWalFile {
  entries: WalEntry[];
  /** End of the last intact record: everything after it is a torn tail, never acknowledged. */
  validBytes: number;
  totalBytes: number;
  /** Bytes skipped between intact records (damage recovery resynchronised past them). */
  skippedBytes: number;
  /** The file's salt, or null for a version-1 file. */
  salt: Buffer | null;
}

/** Decodes a whole WAL file of either version. */
export function decodeWalFile(bytes: Buffer): DecodedWalFile {
  const salt = fileSalt(bytes);
  return salt === null ? decodeVersion1(bytes) : decodeVersion2(bytes, salt);
}

/** The record at `offset` if it is intact, with its end offset. */
function recordAt(bytes: Buffer, salt: Buffer, offset: number): { entry: WalEntry; end: number } | null {
  if (offset + RECORD_HEADER_BYTES > bytes.length || bytes.readUInt32LE(offset) !== RECORD_MAGIC) return null;
  if (headerCrc(salt, bytes, offset) !== bytes.readUInt32LE(offset + 20)) return null;
  const bodyLength = bytes.readUInt32LE(offset + 4);
  const start = offset + RECORD_HEADER_BYTES;
  const end = start + bodyLength;
  if (bodyLength < BODY_FIXED_BYTES || end > bytes.length) return null;
  const body = bytes.subarray(start, end);
  if (zlib.crc32(body) !== bytes.readUInt32LE(offset + 16)) return null;
  const format = FORMAT_BY_CODE.get(body.readUInt8(0));
  const metaLength = body.readUInt32LE(1);
  if (format === undefined || BODY_FIXED_BYTES + metaLength > bodyLength) return null;
  const meta = parseMeta(body.subarray(BODY_FIXED_BYTES, BODY_FIXED_BYTES + metaLength));
  if (meta === null) return null;
  const position = bytes.readBigUInt64LE(offset + 8);
  return { entry: { position, format, meta, payload: Buffer.from(body.subarray(BODY_FIXED_BYTES + metaLength)) }, end };
}

function decodeVersion2(bytes: Buffer, salt: Buffer): DecodedWalFile {
  const entries: WalEntry[] = [];
  let offset = FILE_HEADER_BYTES;
  let validBytes = FILE_HEADER_BYTES;
  let skippedBytes = 0;
  while (offset < bytes.length) {
    const record = recordAt(bytes, salt, offset);
    if (record === null) {
      // Damage (a write cut short, a flipped bit): scan for the next intact record.
      const next = bytes.indexOf(RECORD_MAGIC_BYTES, offset + 1);
      if (next < 0) break;
      offset = next;
      continue;
    }
    skippedBytes += offset - validBytes;
    const last = entries[entries.length - 1];
    // A position is written again only after the write that first used it failed and was rolled
    // back, so the later record is the one that was acknowledged.
    if (last !== undefined && record.entry.position <= last.position) {
      while (entries.length > 0 && entries[entries.length - 1]!.position >= record.entry.position) entries.pop();
    }
    entries.push(record.entry);
    offset = record.end;
    validBytes = record.end;
  }
  return { entries, validBytes, totalBytes: bytes.length, skippedBytes, salt };
}

function decodeVersion1(bytes: Buffer): DecodedWalFile {
  const entries: WalEntry[] = [];
  let offset = 0;
  while (offset + V1_HEADER_BYTES <= bytes.length) {
    const restLength = bytes.readUInt32LE(offset);
    const crc = bytes.readUInt32LE(offset + 4);
    const start = offset + V1_HEADER_BYTES;
    const end = start + restLength;
    if (restLength < V1_FIXED_BYTES || end > bytes.length) break;
    const rest = bytes.subarray(start, end);
    if (zlib.crc32(rest) !== crc) break;
    const position = rest.readBigUInt64LE(0);
    const format = FORMAT_BY_CODE.get(rest.readUInt8(8));
    const metaLength = rest.readUInt32LE(9);
    if (format === undefined || V1_FIXED_BYTES + metaLength > restLength) break;
    const meta = parseMeta(rest.subarray(V1_FIXED_BYTES, V1_FIXED_BYTES + metaLength));
    if (meta === null) break;
    entries.push({ position, format, meta, payload: Buffer.from(rest.subarray(V1_FIXED_BYTES + metaLength)) });
    offset = end;
  }
  return { entries, validBytes: offset, totalBytes: bytes.length, skippedBytes: 0, salt: null };
}

function parseMeta(bytes: Buffer): Record<string, string> | null {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, string>) : null;
  } catch {
    return null;
  }
}
