/**
 * A valid zstd frame that inflates to `outputBytes` of 'a' from a few bytes per 128 KiB: RLE blocks
 * (3-byte header + 1 byte each), and, unlike what a compressor writes, no content size in the frame
 * header, so a decoder only learns the size by decoding. The 8 MiB window is what zstd's own encoder
 * declares for large inputs.
 */
export function zstdRleBombForTest(outputBytes: number): Buffer {
  const blockBytes = 128 * 1024;
  const blocks = Math.ceil(outputBytes / blockBytes);
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, /* descriptor: no size, no checksum */ 0x00, /* window 2^23 */ (23 - 10) << 3])];
  for (let i = 0; i < blocks; i++) {
    const size = i === blocks - 1 ? outputBytes - blockBytes * (blocks - 1) : blockBytes;
    const header = (size << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x61]));
  }
  return Buffer.concat(parts);
}
