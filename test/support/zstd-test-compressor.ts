import { compress, init } from '@bokuweb/zstd-wasm';

let ready: Promise<void> | null = null;

/**
 * zstd compression for tests, by the reference libzstd (compiled to WebAssembly): Waggle's own
 * decoder (fzstd) only decompresses, and Node 20 has no zstd in zlib.
 */
export async function zstdCompressForTest(bytes: Uint8Array, level = 3): Promise<Buffer> {
  ready ??= init();
  await ready;
  return Buffer.from(compress(Buffer.from(bytes), level));
}
