/** Hex <-> binary id conversion at the edges. Ids are lowercase hex outside, bigint inside. */

const HEX_RE_32 = /^[0-9a-fA-F]{32}$/;
const HEX_RE_16 = /^[0-9a-fA-F]{16}$/;

export function isTraceIdHex(text: string): boolean {
  return HEX_RE_32.test(text);
}

export function isSpanIdHex(text: string): boolean {
  return HEX_RE_16.test(text);
}

/** Parses a 32-hex-digit trace id (any case); null when malformed or all zero. */
export function parseTraceIdHex(text: string): bigint | null {
  if (!HEX_RE_32.test(text)) return null;
  const value = BigInt('0x' + text);
  return value === 0n ? null : value;
}

/** Parses a 16-hex-digit span id (any case); null when malformed or all zero. */
export function parseSpanIdHex(text: string): bigint | null {
  if (!HEX_RE_16.test(text)) return null;
  const value = BigInt('0x' + text);
  return value === 0n ? null : value;
}

export function formatTraceId(id: bigint): string {
  return id.toString(16).padStart(32, '0');
}

export function formatSpanId(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

/** Reads big-endian id bytes (8 or 16) into a bigint. */
export function idFromBytes(bytes: Uint8Array, start: number, length: number): bigint {
  let value = 0n;
  let i = start;
  const end = start + length;
  // 4 bytes at a time keeps the BigInt work small on the hot path.
  while (i + 4 <= end) {
    const word = ((bytes[i]! << 24) >>> 0) + (bytes[i + 1]! << 16) + (bytes[i + 2]! << 8) + bytes[i + 3]!;
    value = (value << 32n) | BigInt(word);
    i += 4;
  }
  while (i < end) {
    value = (value << 8n) | BigInt(bytes[i]!);
    i += 1;
  }
  return value;
}
