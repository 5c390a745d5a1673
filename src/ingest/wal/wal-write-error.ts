/** Errno codes that mean "no room left", for the WAL or the store alike. */
const DISK_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The write-ahead log could not write or sync a record. Carries the errno code (never classify
 * by message) so that the ingest service can tell a full disk from a broken one.
 */
export class WalWriteError extends Error {
  /** The errno code of the failure (`ENOSPC`, `EIO`, ...), `EIO` when there was none. */
  readonly errno: string;

  constructor(
    readonly dir: string,
    operation: string,
    cause: unknown,
  ) {
    const errno = (cause as NodeJS.ErrnoException | null)?.code ?? 'EIO';
    super(`could not ${operation} the write-ahead log in ${dir}: ${errno}`, { cause });
    this.name = 'WalWriteError';
    this.errno = errno;
  }

  get diskFull(): boolean {
    return DISK_FULL_CODES.has(this.errno);
  }
}

/** Whether a thrown value is a file-system failure for want of space (by errno code). */
export function isDiskFullError(error: unknown): boolean {
  if (error instanceof WalWriteError) return error.diskFull;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && DISK_FULL_CODES.has(code);
}
