import fs from 'node:fs/promises';
import { UnavailableError } from '../../core/errors.js';

/** errno codes meaning "the disk cannot take this now": the caller may retry later, the request was fine. */
const DISK_UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM']);

/**
 * Replaces `file` with `text` without blocking the event loop: write to a temp file, fsync,
 * rename, so a crash leaves either the old or the new file, never a torn one. A full or read-only
 * disk becomes UnavailableError (503: retry later) naming the errno; other faults pass through.
 */
export async function writeFileDurably(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && DISK_UNAVAILABLE_CODES.has(code)) {
      throw new UnavailableError(`cannot save to disk (${code}${code === 'ENOSPC' ? ': the disk is full' : ''}); nothing was changed, retry once there is space`);
    }
    throw error;
  }
}
