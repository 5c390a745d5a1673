import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file-write.js';
import { walDirectoryOf } from '../../ingest/wal/write-ahead-log.js';

/** Letters, digits, `_ . -`: a writer id goes into ClickHouse rows and insert tokens. */
export const WRITER_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The one writer id of stores written before each data directory had its own. */
export const LEGACY_WRITER_ID = 'waggle';

/** Where a data directory keeps the id its WAL is known by in ClickHouse. */
export const WRITER_ID_FILE = 'clickhouse-writer-id';

/**
 * The id this data directory's WAL has in ClickHouse (its row in waggle_state, its insert
 * tokens), so that several Waggle processes, each with its own data directory, write to one
 * ClickHouse without taking each other's WAL positions for their own. Chosen once and kept in
 * the data directory: the host name and random bytes for a new directory; `waggle` for a
 * directory that already wrote to this ClickHouse under that id before ids were per directory
 * (`legacyStateExists`), so its WAL resumes where it was.
 */
export async function dataDirWriterId(dataDir: string, legacyStateExists: () => Promise<boolean>): Promise<string> {
  const file = path.join(dataDir, WRITER_ID_FILE);
  let kept: string | null = null;
  try {
    kept = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kept !== null) {
    if (!WRITER_ID_PATTERN.test(kept)) throw new Error(`${file} must hold a writer id of letters, digits, _ . - (up to 64), got '${kept.slice(0, 80)}'`);
    return kept;
  }
  const id = hasWal(dataDir) && (await legacyStateExists()) ? LEGACY_WRITER_ID : newWriterId();
  fs.mkdirSync(dataDir, { recursive: true });
  writeFileAtomic(file, `${id}\n`);
  return id;
}

function hasWal(dataDir: string): boolean {
  try {
    return fs.readdirSync(walDirectoryOf(dataDir)).length > 0;
  } catch {
    return false;
  }
}

function newWriterId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40) || 'waggle';
  return `${host}-${randomBytes(6).toString('hex')}`;
}
