import type { LimitDefinition } from './limit-definition.js';

/** Bounds on how the store heals itself. */
export const STORE_LIMITS = {
  reopenFirstBackoffMs: {
    value: 500,
    unit: 'ms',
    reason:
      'After DuckDB invalidates the database (a fatal error, a failed checkpoint) the store reopens it in the process; a failed attempt (e.g. the file cannot be opened yet) is retried after this long, doubling each time: soon enough that ingest resumes within about a second of the cause going away.',
  },
  reopenMaxBackoffMs: {
    value: 30_000,
    unit: 'ms',
    reason: 'Longest wait between two attempts to reopen the database: a cause that lasts (a full disk, a damaged file) is retried twice a minute rather than in a busy loop, each failure logged and counted in waggle_store_reopens_total{outcome="failure"}.',
  },
  widenedColumnBytes: {
    value: 64 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "DuckDB memory that adding columns to a segment table may take. ALTER TABLE ADD COLUMN gives every existing row group of the table a new uncompressed column in memory (~512 KiB per column per row group, whatever the rows hold), kept until a checkpoint: 150 new keys on a segment of 100 000 rows took 300 MB, and the hostile mix (issue 9: peak RSS ≤ 1 GiB) filled DuckDB's whole memory limit with them. A commit whose new columns would cost more than this on the open segment starts a new segment instead (a new table costs nothing for rows it does not have); and once the columns added since the last checkpoint cost this much, the writer checkpoints, which writes them compressed and gives the memory back. Likewise rows appended to a segment take memory for every one of its columns, filled or not (a full row group as much as an added column): once the commits into the open segment since it opened or the writer's last checkpoint would leave more than this of its columns empty (empty columns × rows × 512 KiB a row group), the commit that would cross it starts a new segment and the sealed one is checkpointed, so that a large narrow body after wide requests, or many small ones, does not fill (and later compact) 100 000 rows × 390 columns.",
  },
} as const satisfies Record<string, LimitDefinition>;
