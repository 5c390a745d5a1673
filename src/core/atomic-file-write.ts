import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `text` to `file` whole or not at all: into a temporary file beside it (fsynced unless
 * `sync` is false), then renamed over it and, when synced, the directory entry made durable too,
 * so a reader, a crash or a power loss never sees half of it.
 */
export function writeFileAtomic(file: string, text: string, sync = true): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const bytes = Buffer.from(text);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    // writeSync may write less than asked without throwing (a disk filling up): write until all
    // is written or the disk refuses, so a truncated file is never renamed into place.
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    if (sync) fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  if (sync) syncDirectory(path.dirname(file));
}

/** Makes a new file's directory entry durable, so a synced file cannot vanish in a power loss. */
export function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not every file system lets a directory be synced; the data itself is synced regardless.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
