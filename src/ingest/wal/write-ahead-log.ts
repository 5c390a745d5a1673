import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** What kind of request body a WAL entry holds; replay decodes it with the matching decoder. */
export type PayloadFormat = 'otlp-protobuf' | 'otlp-json' | 'honeycomb-event' | 'honeycomb-batch';

const FORMAT_CODES: Record<PayloadFormat, number> = {
  'otlp-protobuf': 1,
  'otlp-json': 2,
  'honeycomb-event': 3,
  'honeycomb-batch': 4,
};
const FORMAT_BY_CODE = new Map<number, PayloadFormat>(Object.entries(FORMAT_CODES).map(([name, code]) => [code, name as PayloadFormat]));

export interface WalEntry {
  position: bigint;
  format: PayloadFormat;
  /** Small JSON object with what the decoder needs besides the body (encoding, headers). */
  meta: Record<string, string>;
  payload: Buffer;
}

export interface WalOptions {
  /** fdatasync before acknowledging (group commit). Off only for benchmarks of the rest. */
  sync: boolean;
  /** Start a new file after this many bytes. */
  maxFileBytes: number;
}

interface WalFile {
  name: string;
  firstPosition: bigint;
  lastPosition: bigint;
}

interface SyncWaiter {
  position: bigint;
  resolve: () => void;
  reject: (error: unknown) => void;
}

// Record layout: u32 length of the rest | u32 crc32 of the rest | u64 position | u8 format | u32 meta length | meta | payload
const HEADER_BYTES = 8;
const FIXED_BYTES = 8 + 1 + 4;

/**
 * The write-ahead log: every accepted request body is appended here and synced before the
 * client is acknowledged, so an acknowledged request survives a crash of the process the next
 * instant. Appends are synchronous writes (ordered, cheap: page cache); syncs are grouped, one
 * fdatasync covering every append made before it started.
 */
export class WriteAheadLog {
  private fd: number;
  private currentFile: WalFile;
  private currentBytes = 0;
  private readonly files: WalFile[];
  private lastPosition: bigint;
  private syncing = false;
  private waiters: SyncWaiter[] = [];
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly options: WalOptions,
    files: WalFile[],
    lastPosition: bigint,
  ) {
    this.files = files;
    this.lastPosition = lastPosition;
    const first = lastPosition + 1n;
    const name = walFileName(first);
    const reused = files.find((f) => f.name === name);
    this.currentFile = reused ?? { name, firstPosition: first, lastPosition };
    this.fd = fs.openSync(path.join(dir, name), 'a');
    this.currentBytes = fs.fstatSync(this.fd).size;
    if (!reused) this.files.push(this.currentFile);
  }

  /**
   * Opens the log in `dir`, returning it with the entries after `committedPosition` to replay.
   * A torn record at the end of a file (a write cut short by a crash) ends that file's entries:
   * it was never acknowledged.
   */
  static open(dir: string, committedPosition: bigint, options: WalOptions): { wal: WriteAheadLog; replay: WalEntry[] } {
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir).filter((n) => /^wal-\d{20}\.log$/.test(n)).sort();
    const files: WalFile[] = [];
    const replay: WalEntry[] = [];
    let last = committedPosition;
    for (const name of names) {
      const { entries, validBytes, totalBytes } = readWalFile(path.join(dir, name));
      // A torn tail was never acknowledged: cut it off so later appends stay readable.
      if (validBytes < totalBytes) fs.truncateSync(path.join(dir, name), validBytes);
      const firstPosition = BigInt(name.slice(4, 24));
      const lastInFile = entries.length > 0 ? entries[entries.length - 1]!.position : firstPosition - 1n;
      files.push({ name, firstPosition, lastPosition: lastInFile });
      for (const entry of entries) {
        if (entry.position > last) last = entry.position;
        if (entry.position > committedPosition) replay.push(entry);
      }
    }
    replay.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    return { wal: new WriteAheadLog(dir, options, files, last), replay };
  }

  /** Appends one entry; resolves once it is durable. The position is known at once. */
  append(format: PayloadFormat, meta: Record<string, string>, payload: Uint8Array): { position: bigint; durable: Promise<void> } {
    if (this.closed) throw new Error('write-ahead log is closed');
    if (this.currentBytes >= this.options.maxFileBytes) this.rotate();
    const position = this.lastPosition + 1n;
    const record = encodeRecord(position, format, meta, payload);
    fs.writeSync(this.fd, record);
    this.currentBytes += record.length;
    this.lastPosition = position;
    this.currentFile.lastPosition = position;
    if (!this.options.sync) return { position, durable: Promise.resolve() };
    const durable = new Promise<void>((resolve, reject) => {
      this.waiters.push({ position, resolve, reject });
    });
    this.startSync();
    return { position, durable };
  }

  private startSync(): void {
    if (this.syncing || this.waiters.length === 0) return;
    this.syncing = true;
    const target = this.lastPosition;
    fs.fdatasync(this.fd, (error) => {
      this.syncing = false;
      const done = this.waiters.filter((w) => w.position <= target);
      this.waiters = this.waiters.filter((w) => w.position > target);
      for (const waiter of done) {
        if (error) waiter.reject(error);
        else waiter.resolve();
      }
      this.startSync();
    });
  }

  private rotate(): void {
    // The old file must be on disk before its descriptor goes: waiters may still count on it.
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    const first = this.lastPosition + 1n;
    this.currentFile = { name: walFileName(first), firstPosition: first, lastPosition: this.lastPosition };
    this.files.push(this.currentFile);
    this.fd = fs.openSync(path.join(this.dir, this.currentFile.name), 'a');
    this.currentBytes = 0;
  }

  /** Deletes files whose every entry is at or below the committed position (never the current file). */
  truncateThrough(committedPosition: bigint): void {
    for (let i = this.files.length - 1; i >= 0; i--) {
      const file = this.files[i]!;
      if (file === this.currentFile || file.lastPosition > committedPosition) continue;
      fs.rmSync(path.join(this.dir, file.name), { force: true });
      this.files.splice(i, 1);
    }
    // Start afresh when everything in the current file is committed, so the log stays short.
    if (this.currentBytes > 0 && this.currentFile.lastPosition <= committedPosition && this.waiters.length === 0 && !this.syncing) {
      this.rotate();
      this.truncateThrough(committedPosition);
    }
  }

  fileCount(): number {
    return this.files.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.syncing || this.waiters.length > 0) await new Promise((r) => setTimeout(r, 2));
    this.closed = true;
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

function walFileName(firstPosition: bigint): string {
  return `wal-${firstPosition.toString().padStart(20, '0')}.log`;
}

function encodeRecord(position: bigint, format: PayloadFormat, meta: Record<string, string>, payload: Uint8Array): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const restLength = FIXED_BYTES + metaBytes.length + payload.length;
  const record = Buffer.allocUnsafe(HEADER_BYTES + restLength);
  record.writeUInt32LE(restLength, 0);
  record.writeBigUInt64LE(position, 8);
  record.writeUInt8(FORMAT_CODES[format], 16);
  record.writeUInt32LE(metaBytes.length, 17);
  metaBytes.copy(record, 21);
  record.set(payload, 21 + metaBytes.length);
  record.writeUInt32LE(zlib.crc32(record.subarray(HEADER_BYTES)), 4);
  return record;
}

function readWalFile(file: string): { entries: WalEntry[]; validBytes: number; totalBytes: number } {
  const bytes = fs.readFileSync(file);
  const entries: WalEntry[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.length) {
    const restLength = bytes.readUInt32LE(offset);
    const crc = bytes.readUInt32LE(offset + 4);
    const start = offset + HEADER_BYTES;
    const end = start + restLength;
    if (restLength < FIXED_BYTES || end > bytes.length) break;
    const rest = bytes.subarray(start, end);
    if (zlib.crc32(rest) !== crc) break;
    const position = rest.readBigUInt64LE(0);
    const format = FORMAT_BY_CODE.get(rest.readUInt8(8));
    const metaLength = rest.readUInt32LE(9);
    if (format === undefined || FIXED_BYTES + metaLength > restLength) break;
    let meta: Record<string, string>;
    try {
      meta = JSON.parse(rest.subarray(FIXED_BYTES, FIXED_BYTES + metaLength).toString('utf8')) as Record<string, string>;
    } catch {
      break;
    }
    entries.push({ position, format, meta, payload: Buffer.from(rest.subarray(FIXED_BYTES + metaLength)) });
    offset = end;
  }
  return { entries, validBytes: offset, totalBytes: bytes.length };
}
