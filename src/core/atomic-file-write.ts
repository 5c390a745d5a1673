import fs from 'node:fs';

/**
 * Writes `text` to `file` whole or not at all: into a temporary file beside it (fsynced unless
 * `sync` is false), then renamed over it, so a reader or a crash never sees half of it.
 */
export function writeFileAtomic(file: string, text: string, sync = true): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
