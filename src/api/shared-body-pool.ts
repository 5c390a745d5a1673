/**
 * One spare SharedArrayBuffer for large request bodies, handed back once a body is no longer read
 * (decoded, written to the WAL), so the next large body is read into the same memory. Without it a
 * finished 64 MB body stays in memory until V8's next full collection, which came 10-30 s later,
 * while the next one took 64 MB more (issue 9: two bodies' buffers, one of them dead, at the hostile
 * mix's peak RSS). The spare is let go after a while idle, so a quiet server does not keep it.
 */
import { HTTP_LIMITS } from '../core/limits/http-limits.js';

/** Buffers this pool handed out and that were not given back yet. */
const lent = new WeakSet<SharedArrayBuffer>();
let spare: SharedArrayBuffer | null = null;
let spareTimer: NodeJS.Timeout | null = null;

/** A buffer of exactly `bytes` over shared memory: the spare if it is large enough, else a new one. */
export function takeSharedBody(bytes: number): Buffer {
  let memory: SharedArrayBuffer;
  if (spare !== null && spare.byteLength >= bytes) {
    memory = spare;
  } else {
    memory = new SharedArrayBuffer(bytes);
  }
  // A smaller spare is let go: the larger new buffer becomes the spare once given back.
  spare = null;
  if (spareTimer !== null) clearTimeout(spareTimer);
  spareTimer = null;
  lent.add(memory);
  return Buffer.from(memory, 0, bytes);
}

/**
 * Gives a body taken with takeSharedBody back, once nothing reads it any more (its decode and its
 * WAL write are done, whatever their outcome). Any other buffer is left alone.
 */
export function giveBackSharedBody(body: Uint8Array): void {
  const memory = body.buffer;
  if (!(memory instanceof SharedArrayBuffer) || !lent.has(memory)) return;
  lent.delete(memory);
  if (spare !== null && spare.byteLength >= memory.byteLength) return;
  spare = memory;
  if (spareTimer !== null) clearTimeout(spareTimer);
  spareTimer = setTimeout(() => {
    spare = null;
    spareTimer = null;
  }, HTTP_LIMITS.spareBodyIdleMs.value);
  spareTimer.unref();
}

/** Bytes of the spare kept for the next large body (0 when there is none). */
export function spareSharedBodyBytes(): number {
  return spare?.byteLength ?? 0;
}
