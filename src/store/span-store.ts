import type { EventRecord } from '../core/event-record.js';
import type { QuerySchema } from '../query/query-schema.js';
import type { ColumnType } from '../query/query-schema.js';
import type { QueryParameter } from '../query/compile/compiled-query.js';
import type { ClientParentSource } from '../query/compile/client-parent-source.js';

/** A stored event as the trace API returns it: every column under its logical name. */
export type StoredEvent = Record<string, string | number | boolean | null>;

export interface TraceSummary {
  trace_id: string;
  root_name: string | null;
  root_service: string | null;
  /** RFC 3339 with nanoseconds. */
  start: string;
  duration_ms: number;
  span_count: number;
  error: boolean;
}

export interface TraceListOptions {
  serviceName?: string;
  limit: number;
  window?: TimeWindow;
  traceIds?: readonly bigint[];
}

/** A dataset as the store knows it; the API adds the settings it keeps beside (description, ...). */
export interface DatasetInfo {
  /** As first sent, case and spaces kept. */
  name: string;
  /** Honeycomb's URL form of the name (`My Dataset` → `my-dataset`), unique. */
  slug: string;
  created_at: string;
  /** null until an event is written (a dataset created through the API). */
  last_written_at: string | null;
  /** Attribute columns written to the dataset (null before any), as Honeycomb's regular_columns_count. */
  regular_columns_count: number | null;
}

export interface ColumnInfo {
  id: string;
  key_name: string;
  type: ColumnType;
  description: string;
  hidden: boolean;
  created_at: string;
  updated_at: string;
  last_written: string;
}

/** A time window in nanoseconds, start inclusive, end exclusive. */
export interface TraceReadOptions {
  /** Most events to read (QUERY_LIMITS.traceSpans when absent). */
  maxSpans?: number;
}

export interface TimeWindow {
  startNs: bigint;
  endNs: bigint;
}

/** Read-only facts about a backend, so callers branch on capability, never on backend name. */
export interface StoreCapabilities {
  /** The SQL dialect the query compiler must emit for this store. */
  readonly dialect: 'duckdb' | 'clickhouse';
  /** Whether data appended with a WAL position survives a crash together with that position. */
  readonly transactionalWalPosition: boolean;
  /**
   * Rows per block when the store can sample whole blocks of rows (BubbleUp's block sample): its
   * relation then exposes the physical columns ROW_POSITION_COLUMNS (each row's segment and
   * position) and reads only the blocks a `blockSample` keeps. Absent: it cannot.
   */
  readonly rowsPerBlock?: number;
}

/** Pseudo physical columns of a store with `rowsPerBlock`: the row's segment and its position in it. */
export const ROW_POSITION_COLUMNS = { segment: '__segment', row: '__row' } as const;

/**
 * Read only the blocks whose unit is below `rate` (inside `within`'s time range, below its rate
 * instead): the unit of a block is the dialect's sampleUnit of (position ÷ rowsPerBlock, segment)
 * (both BIGINT), the same expression a query can compute over ROW_POSITION_COLUMNS, so a query can
 * thin the blocks further by the same unit. A rate of 1 reads every block.
 */
export interface BlockSample {
  readonly rate: number;
  readonly within?: { readonly startNs: bigint; readonly endNs: bigint; readonly rate: number };
}

/** A block's unit in [0, 1) (see BlockSample), given the dialect's sampleUnit: one definition for the store and the query. */
export function blockSampleUnit(sampleUnit: (values: readonly string[]) => string, row: string, segment: string, rowsPerBlock: number): string {
  return sampleUnit([`(${row} // ${Math.trunc(rowsPerBlock)})`, `CAST(${segment} AS BIGINT)`]);
}

/** A value a query row may hold. */
export type SqlValue = string | number | boolean | bigint | null;

export interface SqlRows {
  columns: string[];
  /** Values as node-friendly JS: bigint for 64/128-bit integers, arrays of {key, value} for maps. */
  rows: unknown[][];
}

/**
 * How events are grouped when admitted: `span` keeps a span with the span events and links that
 * follow it (OTLP: a span is stored whole or not at all); `event` judges each event alone.
 */
export type AdmissionUnit = 'span' | 'event';

/** The store's answer to admit(): which events it refuses, and why. */
/** ColumnAdmission.refused codes of the column admission (2, older than the retention, is each store's own). */
export const REFUSED_COLUMNS = 1;
export const REFUSED_NEW_DATASET = 3;

export interface ColumnAdmission {
  /**
   * Per event, 0 when admitted, 1 when refused for its columns, 2 when refused because it is older
   * than its dataset's retention, 3 when refused because its dataset would be one more than the
   * store takes (ingest.datasets); null when every event is admitted (the common case).
   */
  readonly refused: Uint8Array | null;
  /** English reason of the first column refusal, naming the limit; empty when none. */
  readonly reason: string;
  /** English reason of the first refusal of a new dataset (code 3); absent or empty when none. */
  readonly datasetReason?: string;
  /** English reason of the first retention refusal; absent or empty when none. */
  readonly expiredReason?: string;
}

/** Events, segments and (estimated) bytes deleted for one cause, since the store opened. */
export interface DeletedFigures {
  events: number;
  segments: number;
  bytes: number;
}

/** Cumulative figures of retention, the disk budget and compaction, since the store opened (for /metrics). */
export interface StoreLifecycleStats {
  retention: DeletedFigures;
  diskBudget: DeletedFigures;
  compactions: number;
  /** Segments replaced by compactions. */
  compactedSegments: number;
  /** Bytes the database used at the last lifecycle pass (all datasets: segments mix them). */
  bytesOnDisk: number;
  /** Events (OTLP: spans) refused at ingest for being older than their dataset's retention. */
  expiredEventsRefused?: number;
  /** The longest the lifecycle held the write path in one turn (commits wait behind it), in ms. */
  longestWriterTurnMs?: number;
  /** The same over the latest lifecycle pass (retention, budget, drops, one compaction), in ms. */
  lastPassLongestWriterTurnMs?: number;
  /**
   * Estimated bytes on disk per dataset (by dataset name) at the last lifecycle pass: the database's
   * used bytes apportioned to segments by the storage blocks each uses, then within a segment by
   * its rows per dataset. Absent before the first pass.
   */
  datasetBytes?: Record<string, number>;
  /** Segments by state now: open (taking writes), sealed and not yet compacted, compacted. */
  segments?: { open: number; sealed: number; compacted: number };
  /** Whether a compaction is due (sealed segments not yet compacted, narrow ones to merge, or trace-index runs to check for a merge), or its follow-up (DuckDB: the client-parent index of network.* to rebuild). */
  compactionPending?: boolean;
  /** Merges of compacted segments' trace-index runs into one sorted table: how many, and the last one's time and rows. */
  traceRunMerges?: { count: number; lastMs: number; lastRows: number };
}

/** Whether the store keeps committing, for readiness checks and operators. */
export interface StoreHealth {
  /** False while commits keep failing (the data stays queued and in the WAL). */
  readonly committing: boolean;
  /** The last commit failure, while commits fail; null once a commit succeeds. */
  readonly lastCommitError: string | null;
  /** Commit attempts failed in a row. */
  readonly consecutiveCommitFailures: number;
  /** Requests set aside since the store opened because their content could not be committed. */
  readonly quarantinedRequests: number;
  /**
   * Set while the store reopens its database after the engine invalidated it (DuckDB: a fatal
   * error or a failed checkpoint): since when, attempts that failed so far and the last failure.
   * Absent for stores that never reopen.
   */
  readonly reopening?: { readonly sinceMs: number; readonly failedAttempts: number; readonly lastError: string | null } | null;
  /**
   * Reopens since the store started, by outcome (a failed attempt is retried with backoff), and
   * how many were started by a commit that failed at COMMIT in a database that still served.
   */
  readonly reopens?: { readonly succeeded: number; readonly failed: number; readonly afterFailedCommit?: number };
}

/**
 * Selects which datasets a read covers: one dataset, or every dataset (`__all__`). `name` is the
 * dataset's storage key: take it from findDataset, which accepts a name or a slug.
 */
export type DatasetSelector = { kind: 'one'; name: string } | { kind: 'all' };

export interface SpanStore {
  readonly capabilities: StoreCapabilities;

  /**
   * Queues events for the next commit. `walPosition` is the write-ahead-log sequence number of the
   * request they came from; the store persists the highest committed position atomically with the
   * data so that replay after a crash neither loses nor duplicates events. Calls must come in
   * WAL order. Never rejects on account of the data: bad values are stored as documented.
   * `receivedAtNs`: when Waggle received the request (the WAL meta's receive time, so a replay
   * stores the original arrival), kept per event for INGEST_TIMESTAMP(); null when unknown (a WAL
   * record written before receive times were recorded); absent, the store's clock now.
   */
  enqueue(events: readonly EventRecord[], walPosition: bigint, receivedAtNs?: bigint | null): void;

  /**
   * Decides, before a request is acknowledged (before its WAL append), which of its events the
   * store will take, and counts the admitted ones as queued: an event that would add columns
   * beyond the store's limits (columns per dataset, columns in all) is refused. Call once per
   * request, in WAL order, both live and on replay: replay then gives the same answers. An event
   * older than its dataset's retention as of `receivedAtNs` (the store's clock when absent) is
   * refused too: pass the request's receive time, recorded in the WAL, so replay decides alike.
   */
  admit(events: readonly EventRecord[], unit: AdmissionUnit, receivedAtNs?: bigint): ColumnAdmission;

  /** Whether commits succeed, and how many requests were set aside (quarantined). */
  health(): StoreHealth;

  /** Number of events queued and not yet committed (for back-pressure). */
  pendingEvents(): number;

  /** Commits everything queued so far; resolves once it is visible to reads. */
  flush(): Promise<void>;

  /** The highest WAL position whose events are committed. */
  committedWalPosition(): Promise<bigint>;

  /**
   * The events (spans, span events, links) of one trace, in timestamp order: all of them, or for
   * a trace of more than `maxSpans` (default QUERY_LIMITS.traceSpans) that many, the earliest
   * (DuckDB: in the order its segments keep them, which is time order once compacted). Memory and
   * time are bounded by `maxSpans`, whatever the trace's size.
   */
  getTrace(traceId: bigint, options?: TraceReadOptions): Promise<StoredEvent[]>;

  /**
   * The most recent traces, newest first. With `traceIds`, only those traces (at most `limit` of
   * them): how trace search summarises the traces its query found.
   */
  listTraces(options: TraceListOptions): Promise<TraceSummary[]>;

  listDatasets(): Promise<DatasetInfo[]>;

  /** The dataset a name or a slug denotes, in any case (`My Dataset`, `my dataset`, `my-dataset`). */
  findDataset(nameOrSlug: string): { selector: DatasetSelector & { kind: 'one' }; info: DatasetInfo } | undefined;

  /**
   * Creates an empty dataset (durably) unless one with the name's slug exists; either way answers
   * it, with `created` telling which. The name must be valid (src/core/dataset-name.ts).
   */
  createDataset(name: string): Promise<{ info: DatasetInfo; created: boolean }>;

  listColumns(dataset: DatasetSelector): Promise<ColumnInfo[]>;

  /** The schema the query compiler uses for a dataset selection. */
  querySchema(dataset: DatasetSelector): Promise<QuerySchema>;

  /**
   * The relation (a parenthesised SQL subquery) exposing the given physical columns of the
   * selected datasets for events in the window. Only the store writes SQL identifiers.
   * `blockSample` (stores with capabilities.rowsPerBlock only) reads only some blocks of rows.
   */
  relation(dataset: DatasetSelector, physicalColumns: readonly string[], window: TimeWindow, blockSample?: BlockSample): string;

  /**
   * Runs compiled SQL with typed bound parameters on a read connection, bounded by a time limit.
   * `cacheable`: the caller does not modify the rows, so the store may answer from results it kept
   * (only when they cannot have changed: DuckDB keeps those that read sealed segments alone).
   */
  runSql(sql: string, params: readonly QueryParameter[], options: { timeoutMs: number; cacheable?: boolean }): Promise<SqlRows>;

  /** Whether any event in the window stands for more than one event (Honeycomb sample rates). */
  hasSampledEvents(window: TimeWindow): boolean;

  /**
   * Precomputed client parents for `network.*` (a snapshot for one query of `dataset`), when the
   * store keeps them; absent or undefined, the compiler joins client spans at read time.
   */
  clientParentSource?(dataset: DatasetSelector): ClientParentSource | undefined;

  /** Top values of a column, from a bounded sample, for autocomplete. */
  topValues(dataset: DatasetSelector, column: string, limit: number): Promise<Array<{ value: string | number | boolean; count: number }>>;

  /** Cumulative retention, disk-budget and compaction figures. */
  lifecycleStats(): StoreLifecycleStats;

  /** One storage lifecycle pass now (retention, disk budget; the store also runs them on a timer). */
  runLifecycle(): Promise<void>;

  /** A dataset's retention (its own, or the store-wide one; null: kept forever) and its own override. */
  datasetRetention(datasetKey: string): { retentionNs: bigint | null; overrideNs: bigint | null };

  /** Sets (durably) or clears (null) a dataset's own retention; `datasetKey` from findDataset. */
  setDatasetRetention(datasetKey: string, retentionNs: bigint | null): Promise<void>;

  close(): Promise<void>;
}
