import fs from 'node:fs';
import path from 'node:path';

/** Bytes a directory tree takes: apparent (file sizes) and allocated on disk (as du reports). */
export function dataDirSize(dir: string): { apparentBytes: number; allocatedBytes: number; files: number } {
  let apparentBytes = 0;
  let allocatedBytes = 0;
  let files = 0;
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.isFile()) {
        const stat = fs.statSync(full);
        apparentBytes += stat.size;
        allocatedBytes += stat.blocks * 512;
        files += 1;
      }
    }
  };
  walk(dir);
  return { apparentBytes, allocatedBytes, files };
}
