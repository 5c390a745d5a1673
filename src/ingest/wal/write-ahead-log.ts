import fs from 'node:fs';
import path from 'node:path';
import { FsyncThread } from './fsync-thread.js';
import { decodeWalFile, encodeWalRecordParts, fileSalt, FILE_HEADER_BYTES, newFileHeader, type PayloadFormat, type WalEntry } from './wal-record-codec.js';
import { WalWriteError } from './wal-write-error.js';
import { syncDirectory } from '../../core/atomic-file-write.js';

export type { PayloadFormat, WalEntry } from './wal-record-codec.js';

/** Where a data directory keeps its write-ahead log. */
export function walDirectoryOf(dataDir: string): string {
  return path.join(dataDir, 'wal');
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

/**
 * A record larger than one write slice, written a slice per turn of the event loop: in one
 * writeSync a 64 MB body held the event loop for 60-150 ms under load (/healthz answered in up to
 * 182 ms). Its bytes are reserved at `offset` when it is appended, so later records are written
 * after it at once and the file keeps WAL order; nothing from it on is synced (acknowledged) until
 * it is written whole.
 */
interface SlicedWrite {
  position: bigint;
  /** Where the record starts in the current file. */
  offset: number;
  payload: Uint8Array;
  /** Where the payload starts in the file. */
  payloadOffset: number;
  /** Payload bytes written so far. */
  written: number;
  /** Undone (a failed write or sync gave its position back): stop writing. */
  cancelled: boolean;
}

/** Payload bytes written per turn of the event loop: ~1-4 ms each to the page cache here. */
const WRITE_SLICE_BYTES = 2 * 1024 * 1024;

interface SyncWaiter {
  position: bigint;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What recovery found when the log was opened. */
export interface WalRecoveryReport {
  /** Bytes of damage skipped between intact records (a torn write followed by good records). */
  skippedBytes: number;
  /** Bytes of torn tail cut off the end of files. */
  truncatedBytes: number;
}

/**
 * The write-ahead log: every accepted request body is appended here and synced before the
 * client is acknowledged, so an acknowledged request survives a crash of the process the next
 * instant. Appends are synchronous positional writes (ordered, cheap: page cache), a record over
 * one write slice a slice per turn of the event loop (see SlicedWrite); syncs are
 * grouped, one fdatasync — on a thread of its own — covering every append made before it started.
 *
 * A write or sync that fails (ENOSPC) is undone: the file is cut back to the end of the last record
 * that is known good and the position is given back, so the failed requests are neither
 * acknowledged nor left as garbage in front of later records. The caller must queue a request's
 * events for commit only once its `durable` resolved, so that an undone request is never stored.
 */
export class WriteAheadLog {
  private fd: number;
  private salt: Buffer;
  private currentFile: WalFile;
  /** End of the last record written whole to the current file. */
  private currentBytes: number;
  /** End and last position of what the last successful sync of the current file covered. */
  private syncedBytes: number;
  private syncedPosition: bigint;
  private readonly files: WalFile[];
  private lastPosition: bigint;
  private syncing = false;
  private waiters: SyncWaiter[] = [];
  /** A failed write could not be cut back: nothing is appended until it is. */
  private unrepaired: WalWriteError | null = null;
  /** Descriptors of rotated files, closed once the sync running on them is done. */
  private retiring: number[] = [];
  private readonly fsyncThread: FsyncThread | null;
  /** Records being written in slices, in WAL order. */
  private slicedWrites: SlicedWrite[] = [];
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly options: WalOptions,
    files: WalFile[],
    lastPosition: bigint,
  ) {
    this.files = files;
    this.lastPosition = lastPosition;
    this.syncedPosition = lastPosition;
    const first = lastPosition + 1n;
    const name = walFileName(first);
    const reused = files.find((f) => f.name === name);
    const opened = openForAppend(dir, name);
    this.fd = opened.fd;
    this.salt = opened.salt;
    this.currentBytes = opened.size;
    this.syncedBytes = opened.size;
    this.currentFile = reused ?? { name, firstPosition: first, lastPosition };
    if (!reused) this.files.push(this.currentFile);
    this.fsyncThread = options.sync ? new FsyncThread() : null;
  }

  /**
   * Opens the log in `dir`, returning it with the entries after `committedPosition` to replay.
   * Damage inside a file (a write cut short, followed by good records) is skipped and every intact
   * record after it kept; a torn tail (after the last intact record) was never acknowledged and is
   * cut off so later appends stay readable.
   */
  static open(dir: string, committedPosition: bigint, options: WalOptions): { wal: WriteAheadLog; replay: WalEntry[]; recovery: WalRecoveryReport } {
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir).filter((n) => /^wal-\d{20}\.log$/.test(n)).sort();
    const files: WalFile[] = [];
    const byPosition = new Map<bigint, WalEntry>();
    const recovery: WalRecoveryReport = { skippedBytes: 0, truncatedBytes: 0 };
    let last = committedPosition;
    for (const name of names) {
      const file = path.join(dir, name);
      const { entries, validBytes, totalBytes, skippedBytes } = decodeWalFile(fs.readFileSync(file));
      if (validBytes < totalBytes) {
        fs.truncateSync(file, validBytes);
        recovery.truncatedBytes += totalBytes - validBytes;
      }
      recovery.skippedBytes += skippedBytes;
      const firstPosition = BigInt(name.slice(4, 24));
      const lastInFile = entries.length > 0 ? entries[entries.length - 1]!.position : firstPosition - 1n;
      files.push({ name, firstPosition, lastPosition: lastInFile });
      for (const entry of entries) {
        if (entry.position > last) last = entry.position;
        // Files are read oldest first; a later copy of a position is the one rewritten after a rollback.
        if (entry.position > committedPosition) byPosition.set(entry.position, entry);
      }
    }
    const replay = [...byPosition.values()].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    return { wal: new WriteAheadLog(dir, options, files, last), replay, recovery };
  }

  /**
   * Appends one entry; resolves once it is durable. The position is known at once. Throws (and
   * `durable` rejects) with a WalWriteError when the disk refuses it; then nothing of it remains.
   * `bodyCrc`: walBodyCrc of these format, meta and payload, computed ahead (in slices) for a
   * large payload; computed here when absent.
   */
  append(format: PayloadFormat, meta: Record<string, string>, payload: Uint8Array, bodyCrc?: number): { position: bigint; durable: Promise<void> } {
    if (this.closed) throw new Error('write-ahead log is closed');
    this.repairFailedWrite();
    // A file being written in slices is not rotated away (rotation syncs and closes it); it grows past the bound instead.
    if (this.currentBytes >= this.options.maxFileBytes && this.slicedWrites.length === 0) this.rotate();
    const position = this.lastPosition + 1n;
    const parts = encodeWalRecordParts(this.salt, position, format, meta, payload, bodyCrc);
    // Without syncs nothing waits for the write, so it is made whole at once.
    const sliced = this.fsyncThread !== null && payload.length > WRITE_SLICE_BYTES;
    let recordBytes = 0;
    try {
      for (const part of sliced ? parts.slice(0, 1) : parts) {
        writeFully(this.fd, part, this.currentBytes + recordBytes);
        recordBytes += part.length;
      }
    } catch (error) {
      this.cutBackTo(this.currentBytes);
      this.unrepairedOr(new WalWriteError(this.dir, 'append to', error));
    }
    if (sliced) {
      const write: SlicedWrite = { position, offset: this.currentBytes, payload, payloadOffset: this.currentBytes + recordBytes, written: 0, cancelled: false };
      this.slicedWrites.push(write);
      recordBytes += payload.length;
      setImmediate(() => this.writeNextSlice(write));
    }
    this.currentBytes += recordBytes;
    this.lastPosition = position;
    this.currentFile.lastPosition = position;
    if (this.fsyncThread === null) return { position, durable: Promise.resolve() };
    const durable = new Promise<void>((resolve, reject) => {
      this.waiters.push({ position, resolve, reject });
    });
    this.startSync();
    return { position, durable };
  }

  /** Writes one slice of a sliced record, then yields; once it is whole, what follows it can be synced. */
  private writeNextSlice(write: SlicedWrite): void {
    if (write.cancelled) return;
    const end = Math.min(write.payload.length, write.written + WRITE_SLICE_BYTES);
    try {
      writeFully(this.fd, write.payload.subarray(write.written, end), write.payloadOffset + write.written);
    } catch (error) {
      this.undoFrom(write, new WalWriteError(this.dir, 'append to', error));
      return;
    }
    write.written = end;
    if (end < write.payload.length) {
      setImmediate(() => this.writeNextSlice(write));
      return;
    }
    this.slicedWrites = this.slicedWrites.filter((w) => w !== write);
    this.startSync();
  }

  /**
   * A sliced record's write failed: it and every record appended after it are cut off and their
   * requests failed (none was acknowledged: nothing after an unwritten record is synced).
   */
  private undoFrom(write: SlicedWrite, error: WalWriteError): void {
    for (const later of this.slicedWrites) if (later.position >= write.position) later.cancelled = true;
    this.slicedWrites = this.slicedWrites.filter((w) => w.position < write.position);
    this.cutBackTo(write.offset);
    this.currentBytes = write.offset;
    this.lastPosition = write.position - 1n;
    this.currentFile.lastPosition = this.lastPosition;
    const failed = this.waiters.filter((w) => w.position >= write.position);
    this.waiters = this.waiters.filter((w) => w.position < write.position);
    for (const waiter of failed) waiter.reject(this.unrepaired ?? error);
  }

  /** Throws the write failure (or the failure to undo it, which is worse). */
  private unrepairedOr(error: WalWriteError): never {
    throw this.unrepaired ?? error;
  }

  /** Cuts the current file back to `offset`; when even that fails, refuses appends until it works. */
  private cutBackTo(offset: number): void {
    try {
      fs.ftruncateSync(this.fd, offset);
      this.unrepaired = null;
    } catch (error) {
      this.unrepaired = new WalWriteError(this.dir, 'cut a failed write out of', error);
    }
  }

  /** Retries cutting back a failed write that could not be undone; throws while it still fails. */
  repairFailedWrite(): void {
    if (this.unrepaired === null) return;
    this.cutBackTo(this.currentBytes);
    if (this.unrepaired !== null) throw this.unrepaired;
  }

  private startSync(): void {
    if (this.syncing || this.waiters.length === 0 || this.fsyncThread === null) return;
    // Only what is written whole, up to the first record still being written in slices.
    const unwritten = this.slicedWrites[0];
    const target = unwritten === undefined ? this.lastPosition : unwritten.position - 1n;
    const targetBytes = unwritten === undefined ? this.currentBytes : unwritten.offset;
    if (this.waiters[0]!.position > target) return;
    this.syncing = true;
    const file = this.currentFile;
    this.fsyncThread.fdatasync(this.fd).then(
      () => {
        this.syncing = false;
        this.closeRetired();
        // A rotation since then synced and settled this file's waiters itself.
        if (file === this.currentFile) {
          this.syncedBytes = targetBytes;
          this.syncedPosition = target;
          this.settleWaiters(target, null);
        }
        this.startSync();
      },
      (error: unknown) => {
        this.syncing = false;
        this.closeRetired();
        if (file === this.currentFile) this.undoUnsynced(new WalWriteError(this.dir, 'sync', error));
        this.startSync();
      },
    );
  }

  private settleWaiters(through: bigint, error: WalWriteError | null): void {
    const done = this.waiters.filter((w) => w.position <= through);
    this.waiters = this.waiters.filter((w) => w.position > through);
    for (const waiter of done) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /**
   * A sync failed: what it covered may or may not be on disk, and after a failed fdatasync the
   * kernel may have dropped the dirty pages. Every record since the last good sync is cut off and
   * every request waiting is failed (none was acknowledged; their positions are given back).
   */
  private undoUnsynced(error: WalWriteError): void {
    for (const write of this.slicedWrites) write.cancelled = true;
    this.slicedWrites = [];
    this.cutBackTo(this.syncedBytes);
    this.currentBytes = this.syncedBytes;
    this.lastPosition = this.syncedPosition;
    this.currentFile.lastPosition = this.syncedPosition;
    this.settleWaiters(BigInt('0xffffffffffffffff'), this.unrepaired ?? error);
  }

  private closeRetired(): void {
    for (const fd of this.retiring.splice(0)) fs.closeSync(fd);
  }

  private rotate(): void {
    const first = this.lastPosition + 1n;
    const name = walFileName(first);
    const opened = openForAppend(this.dir, name);
    // The old file must be on disk before its descriptor goes: its waiters count on it.
    if (this.fsyncThread !== null && this.syncedBytes < this.currentBytes) {
      try {
        fs.fdatasyncSync(this.fd);
      } catch (error) {
        fs.closeSync(opened.fd);
        fs.rmSync(path.join(this.dir, name), { force: true });
        const failure = new WalWriteError(this.dir, 'sync', error);
        this.undoUnsynced(failure);
        throw failure;
      }
      this.settleWaiters(this.lastPosition, null);
    }
    if (this.syncing) this.retiring.push(this.fd);
    else fs.closeSync(this.fd);
    this.fd = opened.fd;
    this.salt = opened.salt;
    this.currentBytes = opened.size;
    this.syncedBytes = opened.size;
    this.syncedPosition = this.lastPosition;
    this.currentFile = { name, firstPosition: first, lastPosition: this.lastPosition };
    this.files.push(this.currentFile);
    syncDirectory(this.dir);
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
    const hasRecords = this.currentBytes > FILE_HEADER_BYTES;
    if (hasRecords && this.currentFile.lastPosition <= committedPosition && this.waiters.length === 0 && this.slicedWrites.length === 0 && this.unrepaired === null) {
      this.rotate();
      this.truncateThrough(committedPosition);
    }
  }

  fileCount(): number {
    return this.files.length;
  }

  /** The directory the log lives in (for messages about its disk). */
  directory(): string {
    return this.dir;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.syncing || this.waiters.length > 0) await new Promise((r) => setTimeout(r, 2));
    this.closed = true;
    this.closeRetired();
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    await this.fsyncThread?.stop();
  }
}

function walFileName(firstPosition: bigint): string {
  return `wal-${firstPosition.toString().padStart(20, '0')}.log`;
}

/**
 * Opens a WAL file for positional appends, giving it a header when it has none. A file of the
 * old format is never appended to: it is reused only when empty (recovery cut it back to nothing).
 */
function openForAppend(dir: string, name: string): { fd: number; salt: Buffer; size: number } {
  const fd = fs.openSync(path.join(dir, name), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    const size = fs.fstatSync(fd).size;
    if (size >= FILE_HEADER_BYTES) {
      const header = Buffer.alloc(FILE_HEADER_BYTES);
      fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0);
      const salt = fileSalt(header);
      if (salt !== null) return { fd, salt, size };
    }
    if (size > 0) fs.ftruncateSync(fd, 0);
    const header = newFileHeader();
    writeFully(fd, header, 0);
    return { fd, salt: fileSalt(header)!, size: FILE_HEADER_BYTES };
  } catch (error) {
    fs.closeSync(fd);
    throw new WalWriteError(dir, 'start a new file of', error);
  }
}

function writeFully(fd: number, bytes: Uint8Array, offset: number): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, offset + written);
}

