import fs from 'node:fs';
import path from 'node:path';
import { BadRequestError, NotFoundError, WaggleError } from '../core/errors.js';
import { AUTH_LIMITS } from '../core/limits/auth-limits.js';
import { formatKey, newKeyId, newKeySecret } from './api-key-secret.js';
import type { Permission } from './permissions.js';
import { hashSecret, type SecretHash } from './secret-hashing.js';
import { writeFileAtomic } from '../core/atomic-file-write.js';

/** A key as stored: never its secret, only a slow hash of it. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly Permission[];
  /** RFC 3339 */
  readonly created_at: string;
  readonly secret_hash: SecretHash;
}

/** A key as listed (CLI, API): what it is and when it was last used, never the secret or its hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  permissions: Permission[];
  created_at: string;
  last_used_at: string | null;
}

interface KeyFile {
  version: 1;
  keys: ApiKeyRecord[];
}

const LOCK_STALE_MS = 10_000;
/** How soon after the last look an unknown key id makes the server look at the key file again. */
const MISS_RELOAD_MS = 50;
const LOCK_WAIT_MS = 5_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The keys of one data directory, in `<data dir>/auth/keys.json` (mode 0600). Written by the CLI
 * and by the running server's API alike, so every change is a read-modify-write under a lock
 * file, and a running server notices the CLI's changes (throttled by the file's identity). When
 * each key was last used lives apart, in `keys-last-used.json`, written only by the server.
 */
export class ApiKeyStore {
  private readonly dir: string;
  private readonly file: string;
  private readonly lastUsedFile: string;
  private records = new Map<string, ApiKeyRecord>();
  private fileIdentity = '';
  private checkedAt = 0;
  private readonly lastUsed = new Map<string, string>();
  private lastUsedDirty = false;
  private lastUsedWrittenAt = 0;

  private constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'auth');
    this.file = path.join(this.dir, 'keys.json');
    this.lastUsedFile = path.join(this.dir, 'keys-last-used.json');
  }

  /** Throws when the key file exists but cannot be read: better not to start than to start open. */
  static open(dataDir: string): ApiKeyStore {
    const store = new ApiKeyStore(dataDir);
    store.load();
    try {
      const raw = JSON.parse(fs.readFileSync(store.lastUsedFile, 'utf8')) as unknown;
      if (typeof raw === 'object' && raw !== null) {
        for (const [id, at] of Object.entries(raw)) if (typeof at === 'string') store.lastUsed.set(id, at);
      }
    } catch {
      // No key used yet, or an unreadable file: last-used times are informative only.
    }
    return store;
  }

  private load(): void {
    let identity: string;
    try {
      const stat = fs.statSync(this.file);
      identity = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      identity = 'absent';
    }
    if (identity === this.fileIdentity) return;
    this.records = new Map(this.readFile().keys.map((k) => [k.id, k]));
    this.fileIdentity = identity;
  }

  /**
   * Re-reads the key file when it changed; at most once per `minIntervalMs` unless forced. A file
   * that became unreadable (someone editing it by hand) keeps the keys last read: a running
   * server neither opens up nor locks everyone out over it.
   */
  refresh(force = false, minIntervalMs: number = AUTH_LIMITS.keyFileReloadMs.value): void {
    const now = Date.now();
    if (!force && now - this.checkedAt < minIntervalMs) return;
    this.checkedAt = now;
    try {
      this.load();
    } catch {
      // Kept as they were; the next change to the file is read again.
    }
  }

  count(): number {
    this.refresh();
    return this.records.size;
  }

  /** A miss looks at the file sooner (a key the CLI just created works at once), still bounded. */
  find(id: string): ApiKeyRecord | undefined {
    this.refresh();
    const record = this.records.get(id);
    if (record !== undefined) return record;
    this.refresh(false, MISS_RELOAD_MS);
    return this.records.get(id);
  }

  list(): ApiKeySummary[] {
    this.load();
    return [...this.records.values()].map((k) => this.summary(k));
  }

  summary(record: ApiKeyRecord): ApiKeySummary {
    return {
      id: record.id,
      name: record.name,
      permissions: [...record.permissions],
      created_at: record.created_at,
      last_used_at: this.lastUsed.get(record.id) ?? null,
    };
  }

  /** Creates a key; the returned `key` text is the only copy of its secret. */
  async create(name: string, permissions: readonly Permission[]): Promise<{ summary: ApiKeySummary; key: string }> {
    const trimmed = name.trim();
    if (trimmed === '') throw new BadRequestError('a key needs a name (--name, or "name" in the request)');
    if (trimmed.length > AUTH_LIMITS.maxKeyNameChars.value) throw new BadRequestError(`a key name has at most ${AUTH_LIMITS.maxKeyNameChars.value} characters`);
    if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new BadRequestError('a key name must not contain control characters');
    const id = newKeyId();
    const secret = newKeySecret();
    const record: ApiKeyRecord = {
      id,
      name: trimmed,
      permissions: [...permissions],
      created_at: new Date().toISOString(),
      secret_hash: await hashSecret(secret),
    };
    this.update((file) => {
      if (file.keys.length >= AUTH_LIMITS.maxKeys.value) {
        throw new WaggleError('conflict', `this data directory already holds ${AUTH_LIMITS.maxKeys.value} keys, the most it may; revoke unused ones first`);
      }
      file.keys.push(record);
    });
    return { summary: this.summary(record), key: formatKey(id, secret) };
  }

  revoke(id: string): ApiKeySummary {
    let removed: ApiKeyRecord | undefined;
    this.update((file) => {
      const index = file.keys.findIndex((k) => k.id === id);
      if (index < 0) throw new NotFoundError(`no key with id '${id.slice(0, 100)}'`);
      removed = file.keys.splice(index, 1)[0];
    });
    return this.summary(removed!);
  }

  /** Exact in memory; written to disk at most every lastUsedWriteMs (and by flush). */
  markUsed(id: string): void {
    this.lastUsed.set(id, new Date().toISOString());
    this.lastUsedDirty = true;
    if (Date.now() - this.lastUsedWrittenAt >= AUTH_LIMITS.lastUsedWriteMs.value) this.flush();
  }

  flush(): void {
    if (!this.lastUsedDirty) return;
    this.lastUsedDirty = false;
    this.lastUsedWrittenAt = Date.now();
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // No fsync: this runs on a request's path, and a last-used time lost in a crash harms nothing.
      writeFileAtomic(this.lastUsedFile, JSON.stringify(Object.fromEntries(this.lastUsed)), false);
    } catch {
      // Informative only: a full disk must not fail the request that used the key.
    }
  }

  private readFile(): KeyFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
      throw error;
    }
    const parsed = JSON.parse(text) as KeyFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error(`${this.file} is not a Waggle key file`);
    return parsed;
  }

  private update(change: (file: KeyFile) => void): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const lock = `${this.file}.lock`;
    this.acquire(lock);
    try {
      const file = this.readFile();
      change(file);
      writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`);
    } finally {
      fs.rmSync(lock, { force: true });
    }
    this.load();
  }

  private acquire(lock: string): void {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        fs.closeSync(fs.openSync(lock, 'wx'));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      try {
        // A writer that died holding the lock must not block key management forever.
        if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new WaggleError('unavailable', 'the key file is locked by another writer; try again');
      sleepSync(10);
    }
  }
}
