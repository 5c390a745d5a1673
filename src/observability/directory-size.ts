import fs from 'node:fs';
import path from 'node:path';

/**
 * Bytes of the regular files under `dir` (recursively), reading at most `maxEntries` directory
 * entries so that a scrape stays cheap whatever piles up (quarantine files); null when `dir` is
 * missing. Sizes are apparent sizes (what `ls -l` shows), not allocated blocks.
 */
export function directorySize(dir: string, maxEntries = 10_000): number | null {
  let total = 0;
  let seen = 0;
  const pending = [dir];
  let found = false;
  while (pending.length > 0 && seen < maxEntries) {
    const current = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    found = true;
    for (const entry of entries) {
      if (++seen > maxEntries) break;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        try {
          total += fs.statSync(full).size;
        } catch {
          // Deleted between readdir and stat (a WAL file trimmed by a commit): it no longer counts.
        }
      }
    }
  }
  return found ? total : null;
}
