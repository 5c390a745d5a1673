import fs from 'node:fs';

/** Bytes an unprivileged writer can still use on the file system holding `dir`; null when unknown. */
export function freeDiskBytes(dir: string): number | null {
  try {
    const stats = fs.statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}
