import fs from 'node:fs';
import { WAL_LIMITS } from '../core/limits/wal-limits.js';
import { freeDiskBytes } from '../store/free-disk-space.js';

/** Whether Waggle can take writes now, and if not, why (for /healthz and /readyz). */
export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * The write side's readiness: set not ready when the WAL or a commit fails for want of disk,
 * ready again once a probe write and a commit succeed. One flag, read by ingest (to refuse with
 * 503 instead of failing every request against a full disk) and by the health routes.
 */
export class WriteReadiness {
  private state: Readiness = { ready: true };

  current(): Readiness {
    return this.state;
  }

  markNotReady(reason: string): boolean {
    const changed = this.state.ready || this.state.reason !== reason;
    this.state = { ready: false, reason };
    return changed;
  }

  markReady(): boolean {
    const changed = !this.state.ready;
    this.state = { ready: true };
    return changed;
  }
}

/** Whether the file system holding `dir` has less room than a commit needs (see WAL_LIMITS). */
export function diskIsFull(dir: string): boolean {
  const free = freeDiskBytes(dir);
  return free !== null && free < WAL_LIMITS.diskFullFreeBytes.value;
}

/** Writes and syncs `bytes` bytes in `dir` and removes them: can the disk take writes again? */
export async function probeWritable(dir: string, bytes: number): Promise<void> {
  const file = `${dir}/.write-probe`;
  try {
    const handle = await fs.promises.open(file, 'w');
    try {
      await handle.write(Buffer.alloc(bytes));
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}
