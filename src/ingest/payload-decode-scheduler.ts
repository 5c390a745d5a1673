import { inflateBodyAsync, parseContentEncoding } from './body-decompression.js';
import { PayloadDecodeThread } from './payload-decode-thread.js';
import { PAYLOAD_DECODERS, type DecodedPayload } from './payload-decoders.js';
import type { PayloadFormat } from './wal/write-ahead-log.js';
import { OTLP_SIGNAL_OF_FORMAT } from './otlp-signals.js';

/**
 * Bodies (as decoded, i.e. inflated) from this size on are decoded in the worker thread. Below it
 * the main thread decodes in a few ms (1 MiB of OTLP/JSON: ~10 ms), cheaper than the round trip;
 * above it a decode would hold the event loop for tens to hundreds of ms (64 MiB: over a second).
 */
const OFF_THREAD_DECODE_BYTES = 1024 * 1024;

const OTLP_FORMATS: ReadonlySet<PayloadFormat> = new Set((Object.keys(OTLP_SIGNAL_OF_FORMAT) as PayloadFormat[]).filter((f) => OTLP_SIGNAL_OF_FORMAT[f] !== null));

let decodeThread: PayloadDecodeThread | null = null;

function thread(): PayloadDecodeThread {
  decodeThread ??= new PayloadDecodeThread();
  return decodeThread;
}

function isCompressed(meta: Record<string, string>): boolean {
  const encoding = (meta['contentEncoding'] ?? '').trim().toLowerCase();
  return encoding !== '' && encoding !== 'identity';
}

/**
 * Decodes a live request without holding the event loop: small bodies on the main thread (fast
 * path), large ones in the worker, which streams the events back. Both run PAYLOAD_DECODERS, so
 * the events are the same either way. Compressed OTLP bodies are inflated on libuv's pool first
 * and placed by their inflated size (a small gzip may inflate to the body limit); compressed
 * Honeycomb bodies, whose decoder inflates with its own rules, and zstd bodies always go to the worker.
 * WAL replay keeps calling PAYLOAD_DECODERS directly (nothing else runs then).
 */
export async function decodePayload(format: PayloadFormat, body: Buffer, meta: Record<string, string>, maxBytes: number): Promise<DecodedPayload> {
  if (body.length >= OFF_THREAD_DECODE_BYTES) return thread().decode(format, body, meta, maxBytes);
  if (!isCompressed(meta)) return PAYLOAD_DECODERS[format](body, meta, maxBytes);
  const encoding = parseContentEncoding(meta['contentEncoding']);
  // zstd inflates in JavaScript (no libuv pool to lend it): the worker inflates it with the decode.
  if (!OTLP_FORMATS.has(format) || encoding === 'zstd') return thread().decode(format, body, meta, maxBytes);
  const inflated = await inflateBodyAsync(body, encoding, maxBytes);
  const plainMeta = { ...meta, contentEncoding: 'identity' };
  // The inflated copy is ours alone (the WAL keeps the body as received): it can move to the worker.
  const decodedBytes = inflated.length;
  const decoded = inflated.length >= OFF_THREAD_DECODE_BYTES ? await thread().decode(format, inflated, plainMeta, maxBytes, true) : PAYLOAD_DECODERS[format](inflated, plainMeta, maxBytes);
  decoded.decodedBytes = decodedBytes;
  return decoded;
}
