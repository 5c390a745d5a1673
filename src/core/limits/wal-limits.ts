import type { LimitDefinition } from './limit-definition.js';

/** Bounds on the write-ahead log and the disk. */
export const WAL_LIMITS = {
  walFileBytes: {
    value: 8 * 1024 * 1024,
    unit: 'bytes',
    reason:
      'A WAL file is deleted only once every request in it is committed and a newer file has begun; smaller files return disk space sooner after commits catch up (a 64 MiB file kept up to 64 MiB of committed requests on disk).',
  },
  diskProbeIntervalMs: {
    value: 1000,
    unit: 'ms',
    reason: 'While writes fail (disk full), how often Waggle tries a test write and a commit to find out whether it can ingest again; ingest resumes within about this long of space coming back.',
  },
  diskProbeBytes: {
    value: 1024 * 1024,
    unit: 'bytes',
    reason: 'Size of the test write: ingest resumes only once at least this much can be written to the WAL directory, so that one accepted request does not fill the disk again at once.',
  },
  diskFullFreeBytes: {
    value: 8 * 1024 * 1024,
    unit: 'bytes',
    reason: 'A failed commit counts as "disk full" (503, not ready) when less than this is free in the data directory; DuckDB writes whole 256 KiB blocks and a checkpoint needs several.',
  },
  quarantineMinFreeBytes: {
    value: 256 * 1024 * 1024,
    unit: 'bytes',
    reason:
      'A request whose commit fails is set aside (quarantine/) only while at least this much is free in the data directory: on a nearly full disk a small test write can still succeed where a commit of real data cannot, and an acknowledged request must never be set aside for want of space (it stays queued and in the WAL instead).',
  },
} as const satisfies Record<string, LimitDefinition>;
