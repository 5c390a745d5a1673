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
  clientParentBuildRowsPerPass: {
    value: 4_000_000,
    unit: 'rows',
    reason:
      "Rows of the sealed segments one pass of network.*'s client-parent index build joins (duckdb-client-parent-index.ts): a larger store is built in passes over its trace ids by hash, each joining only its share. In one statement a 30M-span store's build needed 409-460 MiB of DuckDB's memory, so with DuckDB's pool at 35 % of the 1 GiB budget (358 MiB) it failed at every lifecycle pass (BENCHMARKS run AR), and it grows with the store. Each pass scans the covered segments' filter columns again: more passes, more scanning.",
  },
  clientParentBuildRetryMaxMs: {
    value: 30 * 60 * 1000,
    unit: 'ms',
    reason:
      "Longest wait before network.*'s client-parent index build is tried again after builds that failed in a row (each failure doubles the wait from the usual pace: a minute, or ten times the last build). Queries stay exact without the index (the read-time join), and a failing build of a large store spends tens of seconds of CPU and DuckDB's memory before it fails.",
  },
  widenedColumnBytes: {
    value: 64 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "DuckDB memory that adding columns to a segment table may take. ALTER TABLE ADD COLUMN gives every existing row group of the table a new uncompressed column in memory (~512 KiB per column per row group, whatever the rows hold), kept until a checkpoint: 150 new keys on a segment of 100 000 rows took 300 MB, and the hostile mix (issue 9: peak RSS ≤ 1 GiB) filled DuckDB's whole memory limit with them. A commit whose new columns would cost more than this on the open segment starts a new segment instead (a new table costs nothing for rows it does not have); and once the columns added since the last checkpoint cost this much, the writer checkpoints, which writes them compressed and gives the memory back. Likewise rows appended to a segment take memory for every one of its columns, filled or not (a full row group as much as an added column): once the commits into the open segment since it opened or the writer's last checkpoint would leave more than this of its columns empty (empty columns × rows × 512 KiB a row group), the commit that would cross it starts a new segment and the sealed one is checkpointed, so that a large narrow body after wide requests, or many small ones, does not fill (and later compact) 100 000 rows × 390 columns.",
  },
  checkpointAwaitingWriteBytes: {
    value: 64 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "What the committed rows of sealed segments that DuckDB has not written yet may cost before the writer checkpoints (issue 9: peak RSS ≤ 1 GiB). A full row group is written at its commit; rows of a partial one (a wide request's segment, a segment's tail) stay in memory until a checkpoint, 16 bytes a cell of every column of their table, NULL or not, and writing them takes about a 256 KiB block a column outside DuckDB's pool (measured: checkpointing a table of 1 085 rows took 24, 48 and 92-102 MB at 100, 200 and 400 columns). DuckDB checkpoints by the size of its log, which sparse wide rows hardly grow: in the hostile mix one COMMIT's checkpoint wrote ~14 tables of 1 085-1 435 rows x 400 columns at once, with 170 MB of DuckDB's pool held by them and ~300 MB more outside it. Estimated as rows x columns x 16 bytes + columns x 256 KiB over the sealed segments waiting, so a segment of over ~240 columns is written once it is sealed, one at a time; an ordinary segment's tail (a partial row group of ~60 columns: at most 48 MB) is left to DuckDB's own checkpoints.",
  },
  commitWideningCells: {
    value: 4 * 1024 * 1024,
    unit: 'cells',
    reason:
      "Most rows x columns (core and attribute) one commit may hold: the commit stops before the event that would take it past this (with its rows or its new keys), and the rest goes in the next commit (issue 9: peak RSS ≤ 1 GiB). Rows not yet written hold 16 bytes a cell of every column of their table in DuckDB's memory, NULL or not (32 768 rows x 325 columns: 172 MB), so narrow rows queued ahead of a few wide ones made one wide table of them: in the hostile mix a commit of 31 807 queued rows into a new segment of 322 columns (164 MB of cells, 407 MB of RSS outside DuckDB's pool at the sample: BENCHMARKS.md run AK). 4 Mi cells are 64 MiB, like store.checkpointAwaitingWriteBytes: an ordinary full row group (32 768 rows x ~60 columns, 2 Mi cells) is never cut; a row group of a dataset of over ~110 columns is committed in two pieces. The mix also made a commit of a full row group of 197 columns (narrow rows after a few wide ones: 7 Mi cells) before this counted rows as well as new keys.",
  },
  uncompactedWideSegmentColumns: {
    value: 240,
    unit: 'columns',
    reason:
      "A sealed segment shorter than one row group with more attribute columns than this is never compacted (issue 9: peak RSS ≤ 1 GiB). Its compaction would only reorder one row group (its rows came in time order), yet build a second table of all its columns, hold its rows in memory (16 bytes a cell, NULL or not) and write it again: about a 256 KiB block a column outside DuckDB's pool (a table of 1 085 rows x 400 columns: 92-102 MB to write), so 240 attribute columns and the 16 core ones are 64 MiB. The hostile mix's wide requests (150 new keys in 500 spans each) fill segments of 1 085-1 435 rows x 400 columns: each was written once by its commits and a second time by its compaction, and compactions of such segments (18 215 rows x 325 columns) made its spikes (BENCHMARKS.md runs AK, AS). Their rows stay in the live trace index, as before their compaction; ordinary segments (full row groups, tens of columns) are compacted as before.",
  },
  traceLocatorRows: {
    value: 4_000_000,
    unit: 'rows',
    reason:
      "Most trace-index rows (a trace in a segment) the store keeps in memory for trace lookups (duckdb-trace-locator.ts): 6-12 bytes a row, so at most ~48 MB of the 1 GiB budget (issue 9). A lookup then finds the trace's segments by binary search instead of a DuckDB statement over the index tables, a third of a warm lookup (BENCHMARKS.md run BF). The bench's 30M spans are ~3.5M rows. A store with more (or a commit that takes it past this) drops the rows from memory, and lookups read the index tables as before, until the next start.",
  },
} as const satisfies Record<string, LimitDefinition>;
