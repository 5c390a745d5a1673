import type { DuckDBConnection } from '@duckdb/node-api';
import type { StoreLifecycleStats } from '../span-store.js';
import type { SegmentSwapGate } from './duckdb-segment-swap-gate.js';
import { readCompactionRun, type TraceIndexTables } from './duckdb-trace-index-lookup.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';
import {
  ATTRIBUTE_SQL_TYPE,
  CORE_PHYSICAL_COLUMNS,
  INGEST_REMAINDER_COLUMN,
  INGEST_SECONDS_COLUMN,
  INGEST_TIME_COLUMN,
  JOINED_INGEST_TIME_SQL,
  SPLIT_INGEST_TIME_DEFS,
  TRACE_MERGE_BUILD_TABLE,
  attributePhysicalName,
  compactionIndexTableName,
  segmentTableName,
  splitIngestTimeSql,
  traceKeySql,
} from './duckdb-physical-layout.js';
import type { DuckDbRetentionPolicy } from './duckdb-retention-policy.js';
import { addSegmentColumn, newSegment, segmentDatasetsJson, type SegmentState } from './duckdb-segment.js';
import { MEMORY_LIMITS } from '../../core/limits/memory-limits.js';
import { STORE_LIMITS } from '../../core/limits/store-limits.js';
import { buildMergedTraceRuns, swapMergedTraceRuns, traceRunCounts, traceRunMergeDue } from './duckdb-trace-run-merge.js';
import { duckDbSizeBytes } from './duckdb-size-text.js';
import { buildChunk, type LocatorChunk } from './duckdb-trace-locator.js';

/** What the lifecycle needs of the store: its segment list, the writer's turn, and a connection of its own. */
export interface LifecycleHost {
  /** The live segment list, ordered by id (the lifecycle replaces entries in place). */
  readonly segments: SegmentState[];
  readonly catalog: DuckDbCatalog;
  readonly retention: DuckDbRetentionPolicy;
  /** Runs `work` on the writer connection, between commits (one thing at a time). */
  onWriter<T>(work: (writer: DuckDBConnection) => Promise<T>): Promise<T>;
  /** A connection of its own for the long part of a compaction (it creates tables nobody reads yet). */
  connect(): Promise<DuckDBConnection>;
  /** The next unused segment id. */
  allocateSegmentId(): number;
  /** Compaction swaps pass here, so that a trace lookup never sees half of one. */
  readonly segmentSwaps: SegmentSwapGate;
  /** Which sorted trace-index tables a lookup reads: told when runs are appended and merged. */
  readonly traceIndexTables: TraceIndexTables;
  log(message: string): void;
}

export interface LifecycleOptions {
  /** Most bytes the database may use; beyond it the oldest segments go first. null: no budget. */
  maxDiskBytes: number | null;
  /** A compacted segment holds at most this many rows and attribute columns. */
  segmentMaxRows: number;
  segmentMaxColumns: number;
  /** Rows of a row group of the store's file: a segment shorter than one is a single row group. */
  rowGroupSize: number;
  /** How long a retired segment's table outlives it (queries planned before still read it). */
  retiredTableGraceMs: number;
  /** The open segment is sealed (and so compacted) after this long without a commit. */
  idleSealMs: number;
  /** Most event time one compacted segment may span, so retention still drops whole segments. */
  maxGroupSpanNs: bigint;
  /**
   * Asked before each background compaction starts (the process's memory budget): false leaves
   * the group for a later pass. compactAll (tests, benchmarks) does not ask.
   */
  compactionMayStart?: () => boolean;
}

type DeletionCause = 'retention' | 'diskBudget';

/** How long one lifecycle pass goes on compacting group after group. */
const COMPACTION_TURN_MS = 60_000;
/** The row order of a compacted segment: whole seconds of event time, then trace, then time (see compactOneGroup). */
const COMPACTED_ROW_ORDER_SQL = 'ts_ns // 1000000000, trace_id, ts_ns';
/** Longest the per-dataset byte estimate may read storage info and row counts in one pass. */
const DATASET_ESTIMATE_TIMEOUT_MS = 5_000;

/**
 * How much a compaction may widen its segments: the merged segment's rows × columns at most this
 * many times those of its sources as they are (cellsOf). The copy sorts every column of every
 * row, NULL or not, in DuckDB's memory: 100 000 narrow spans merged with 1 000 spans of 347 keys
 * (the hostile mix of issue 9) sorted 35 million cells instead of 3.5 million and held DuckDB's
 * whole memory limit for seconds. Segments of disjoint keys and equal rows (ever-widening data)
 * still merge in pairs.
 */
const MAX_COMPACTION_WIDENING = 2;

/**
 * A segment left as its commits wrote it: shorter than a row group (so one row group, which its
 * compaction would only reorder) and wider than store.uncompactedWideSegmentColumns (so rewriting
 * it costs DuckDB about a 256 KiB block a column, in a new table beside the old until the swap).
 */
function isShortWideSegment(segment: SegmentState, rowGroupSize: number): boolean {
  return !segment.compacted && segment.rowCount < rowGroupSize && segment.attributeColumns.length > STORE_LIMITS.uncompactedWideSegmentColumns.value;
}

/** A segment's rows × columns (core and attribute): what a compaction's sort carries for it. */
function cellsOf(segment: SegmentState): number {
  return segment.rowCount * (CORE_PHYSICAL_COLUMNS.length + segment.attributeColumns.length);
}

/**
 * Retention, the disk budget and compaction of a DuckDB store. Deleting drops whole segments:
 * one short transaction on the writer takes them out of the registry and the trace index, and
 * their tables are dropped a little later. Compaction rewrites sealed segments (narrow ones merged)
 * with rows in time order to the second, then by trace: the new table and its trace-index rows are built on a
 * connection of their own, then one transaction on the writer registers them and retires the old
 * segments, so the trace index is exact before and after, and a crash in between leaves only
 * unregistered tables, which the next start drops.
 */
export class DuckDbStoreLifecycle {
  private readonly stats: StoreLifecycleStats = {
    retention: { events: 0, segments: 0, bytes: 0 },
    diskBudget: { events: 0, segments: 0, bytes: 0 },
    compactions: 0,
    compactedSegments: 0,
    bytesOnDisk: 0,
  };
  /** Storage blocks and rows per dataset of each segment, for the per-dataset byte estimate. */
  private readonly segmentFootprints = new Map<number, { blocks: number; rowsByDataset: Map<string, number> }>();
  /** Estimated bytes of retired segments whose tables are not yet dropped. */
  private retiredBytes = 0;
  /** The connection a compaction is building on, to interrupt it at shutdown. */
  private building: DuckDBConnection | null = null;
  private stopped = false;
  /** A compaction appended a trace-index run since the last merge check (the merge counts as pending until checked). */
  private traceMergeCheckDue = false;
  /** Merges of the trace runs and the time the last one took (build and swap). */
  private traceMerges = { count: 0, lastMs: 0, lastRows: 0 };

  constructor(
    private readonly host: LifecycleHost,
    private readonly options: LifecycleOptions,
  ) {}

  /**
   * Stops a compaction in progress (at store close): its half-built tables are unregistered, so
   * dropping them now or at the next start loses nothing.
   */
  stop(): void {
    this.stopped = true;
    this.building?.interrupt();
  }

  lifecycleStats(): StoreLifecycleStats {
    const segments = { open: 0, sealed: 0, compacted: 0 };
    for (const segment of this.host.segments) {
      if (segment.compacted) segments.compacted += 1;
      else if (segment.sealed) segments.sealed += 1;
      else if (segment.rowCount > 0) segments.open += 1;
    }
    return {
      ...structuredClone(this.stats),
      segments,
      compactionPending: this.nextGroup().length > 0 || this.traceMergeCheckDue,
      traceRunMerges: { ...this.traceMerges },
    };
  }

  /** One pass: seal an idle open segment, drop expired segments, keep under the disk budget, drop retired tables, compact one group. */
  async runOnce(lastCommitMs: number): Promise<void> {
    await this.sealIdleSegment(lastCommitMs);
    await this.dropExpired();
    await this.enforceDiskBudget();
    await this.dropRetiredTables();
    // Groups are compacted one after another while there are any, for up to a pass's worth of
    // time: one group a pass fell behind a steady 10M-span load (one sealed segment a minute).
    const started = Date.now();
    // Near the memory budget a merge waits (a merge's sort can take DuckDB's whole pool).
    const mayStart = this.options.compactionMayStart ?? ((): boolean => true);
    while (!this.stopped && Date.now() - started < COMPACTION_TURN_MS) {
      const group = this.nextGroup();
      if (group.length === 0 || !mayStart() || !(await this.compactOneGroup(group))) break;
    }
    await this.mergeTraceRunsIfDue();
    // An estimate for /metrics, last and bounded in time: it must never hold up compaction.
    await this.estimateDatasetBytes().catch((error: unknown) => this.host.log(`estimating bytes per dataset failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Bytes per dataset, estimated (segments mix datasets): the used bytes of the database are
   * apportioned to segments by the storage blocks each table uses (DuckDB's storage info), and a
   * segment's share to its datasets by their rows in it. Compacted segments never change, so
   * their blocks and rows are read once; the others are read again at each pass.
   */
  async estimateDatasetBytes(): Promise<void> {
    // Retired segments' bytes are not any dataset's any more (their tables go shortly).
    const used = Math.max(0, this.stats.bytesOnDisk - this.retiredBytes);
    const live = new Set(this.host.segments.map((s) => s.id));
    for (const id of this.segmentFootprints.keys()) if (!live.has(id)) this.segmentFootprints.delete(id);
    const connection = await this.host.connect();
    // Reads of a segment under heavy appends can take long: past the bound the estimate keeps
    // what it had, and the next pass goes on from there (footprints already read are kept).
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      connection.interrupt();
    }, DATASET_ESTIMATE_TIMEOUT_MS);
    try {
      for (const segment of this.host.segments) {
        if (expired) break;
        if (segment.rowCount === 0 || (segment.compacted && this.segmentFootprints.has(segment.id))) continue;
        const table = segmentTableName(segment.id);
        try {
          // The open segment's storage is not read: storage info waits for the table's appends,
          // which never pause under load (a pass waited there for the whole of a 10M-span load).
          // It weighs by its rows instead (blocks = 0 below).
          const blocks = !segment.sealed
            ? null
            : await connection.runAndReadAll(
                `SELECT count(DISTINCT block) FROM (SELECT unnest(list_prepend(block_id, additional_block_ids)) AS block FROM pragma_storage_info('${table}') WHERE persistent AND block_id >= 0)`,
              );
          const rows = await connection.runAndReadAll(`SELECT dataset, count(*) FROM ${table} GROUP BY dataset`);
          const rowsByDataset = new Map<string, number>();
          for (const [dataset, count] of rows.getRows()) if (typeof dataset === 'string') rowsByDataset.set(dataset, Number(count));
          this.segmentFootprints.set(segment.id, { blocks: Number(blocks?.getRows()[0]?.[0] ?? 0), rowsByDataset });
        } catch {
          // A segment the writer is creating right now may not be readable yet: the next pass counts it.
        }
      }
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
    // A segment not yet written to blocks (only in DuckDB's log) weighs as many blocks a row as the others.
    let blocks = 0;
    let blockRows = 0;
    for (const footprint of this.segmentFootprints.values()) {
      if (footprint.blocks === 0) continue;
      blocks += footprint.blocks;
      for (const n of footprint.rowsByDataset.values()) blockRows += n;
    }
    const blocksPerRow = blockRows === 0 ? 1 : blocks / blockRows;
    const weights = [...this.segmentFootprints.values()].map((f) => {
      const rows = [...f.rowsByDataset.values()].reduce((a, b) => a + b, 0);
      return { f, rows, weight: f.blocks > 0 ? f.blocks : rows * blocksPerRow };
    });
    const total = weights.reduce((n, w) => n + w.weight, 0);
    const byDataset: Record<string, number> = {};
    for (const { f, rows, weight } of weights) {
      if (total === 0 || rows === 0) continue;
      const segmentBytes = (used * weight) / total;
      for (const [key, n] of f.rowsByDataset) {
        const name = this.host.catalog.dataset(key)?.name ?? key;
        byDataset[name] = (byDataset[name] ?? 0) + (segmentBytes * n) / rows;
      }
    }
    for (const name of Object.keys(byDataset)) byDataset[name] = Math.round(byDataset[name]!);
    this.stats.datasetBytes = byDataset;
  }

  /** Segments whose every dataset's retention has passed their newest event. */
  async dropExpired(): Promise<void> {
    const now = this.host.retention.now();
    const expired = this.host.segments.filter((segment) => {
      if (segment.maxTsNs === null || segment.datasets.size === 0) return false;
      for (const dataset of segment.datasets) {
        const cutoff = this.host.retention.cutoffNs(dataset, now);
        if (cutoff === null || segment.maxTsNs >= cutoff) return false;
      }
      return true;
    });
    if (expired.length > 0) await this.retire(expired, 'retention');
  }

  /** Drops the oldest segments (by newest event) until the database is within the budget. */
  async enforceDiskBudget(): Promise<void> {
    const used = await this.usedBytes();
    this.stats.bytesOnDisk = used;
    const budget = this.options.maxDiskBytes;
    if (budget === null) return;
    let over = used - this.retiredBytes - budget;
    if (over <= 0) return;
    const perRow = this.bytesPerRow(used);
    // The newest segment stays: it holds what is being written now.
    const candidates = [...this.host.segments].filter((s) => s.rowCount > 0).sort((a, b) => compareBig(a.maxTsNs ?? 0n, b.maxTsNs ?? 0n)).slice(0, -1);
    const chosen: SegmentState[] = [];
    for (const segment of candidates) {
      if (over <= 0) break;
      chosen.push(segment);
      over -= segment.rowCount * perRow;
    }
    if (chosen.length === 0) return;
    const rows = chosen.reduce((n, s) => n + s.rowCount, 0);
    this.host.log(
      `disk budget: the database uses ${used} bytes, more than WAGGLE_MAX_DISK_BYTES=${budget}; deleting the ${chosen.length} oldest segments (${rows} events, newest event ${chosen[chosen.length - 1]!.maxTsNs ?? 0n} ns)`,
    );
    await this.retire(chosen, 'diskBudget');
  }

  private async usedBytes(): Promise<number> {
    return this.host.onWriter(async (writer) => {
      const result = await writer.runAndReadAll("SELECT used_blocks * block_size, wal_size FROM pragma_database_size() WHERE database_name = 'waggle'");
      // Blocks in the file plus DuckDB's own log (data not yet checkpointed is only there).
      const [blocks, wal] = result.getRows()[0] ?? [];
      return Number(blocks ?? 0) + parseByteSize(wal);
    });
  }

  /** Bytes a row takes on average: segments are sized by rows, not measured one by one (that costs a scan of the storage info). */
  private bytesPerRow(usedBytes: number): number {
    const rows = this.host.segments.reduce((n, s) => n + s.rowCount, 0);
    return rows === 0 ? 0 : Math.max(0, usedBytes - this.retiredBytes) / rows;
  }

  /** Takes segments out of the registry and the trace index in one transaction; their tables go later. */
  private async retire(segments: readonly SegmentState[], cause: DeletionCause): Promise<void> {
    const perRow = this.stats.bytesOnDisk > 0 ? this.bytesPerRow(this.stats.bytesOnDisk) : 0;
    const ids = segments.map((s) => s.id);
    const list = ids.join(', ');
    await this.host.onWriter(async (writer) => {
      // The segments may have gone meanwhile (a compaction retired them): only live ones count.
      const live = ids.filter((id) => this.host.segments.some((s) => s.id === id));
      if (live.length === 0) return;
      await this.retireInTransaction(writer, segments, live, list, cause, perRow);
    });
  }

  /** The retirement itself: the registry and the live trace index in one transaction, then in memory. */
  private async retireInTransaction(
    writer: DuckDBConnection,
    segments: readonly SegmentState[],
    live: readonly number[],
    list: string,
    cause: DeletionCause,
    perRow: number,
  ): Promise<void> {
    await writer.run('BEGIN TRANSACTION');
    try {
      await writer.run(`DELETE FROM waggle_trace_index WHERE segment_id IN (${list})`);
      // Not from the merged index (waggle_trace_merged32): that would scan and delete from the whole merged index on
      // the writer's turn (132 ms for a tenth of a 30M-span index); lookups skip rows of
      // segments no longer registered, and the next merge leaves them out.
      await writer.run(`DELETE FROM waggle_trace_runs WHERE segment_id IN (${list})`);
      await writer.run(`DELETE FROM waggle_segments WHERE id IN (${list})`);
      await writer.run(`INSERT INTO waggle_retired_segments VALUES ${live.map((id) => `(${id}, ${Date.now()})`).join(', ')} ON CONFLICT DO NOTHING`);
      await this.commitIndexChange(writer);
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.host.traceIndexTables.locator.drop(live);
    for (const segment of segments) {
      const index = this.host.segments.indexOf(segment);
      if (index < 0) continue;
      this.host.segments.splice(index, 1);
      const bytes = Math.round(segment.rowCount * perRow);
      this.retiredBytes += bytes;
      this.stats[cause].events += segment.rowCount;
      this.stats[cause].segments += 1;
      this.stats[cause].bytes += bytes;
    }
  }

  /**
   * Drops the tables of segments retired longer ago than the grace period, one per turn of the
   * writer so that commits wait behind one DROP at most. No explicit checkpoint: DuckDB's own
   * (by WAL size) makes the freed blocks reusable, and a forced one would hold commits up for
   * hundreds of milliseconds.
   */
  async dropRetiredTables(force = false): Promise<void> {
    const horizon = force ? Number.MAX_SAFE_INTEGER : Date.now() - this.options.retiredTableGraceMs;
    const ids = await this.host.onWriter(async (writer) => {
      const due = await writer.runAndReadAll('SELECT id FROM waggle_retired_segments WHERE retired_ns <= $1 ORDER BY id', [BigInt(horizon)]);
      return due.getRows().map(([id]) => Number(id));
    });
    for (const id of ids) {
      await this.host.onWriter(async (writer) => {
        await writer.run('BEGIN TRANSACTION');
        try {
          await writer.run(`DROP TABLE IF EXISTS ${segmentTableName(id)}`);
          await writer.run('DELETE FROM waggle_retired_segments WHERE id = $1', [id]);
          await writer.run('COMMIT');
        } catch (error) {
          await writer.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    }
    if (ids.length === 0) return;
    // The freed blocks return at a checkpoint: tried on a connection of its own, never on the
    // writer's turn; when transactions are active it fails and the next pass tries again.
    const connection = await this.host.connect();
    try {
      await connection.run('CHECKPOINT');
      this.retiredBytes = 0;
    } catch {
      // Retried at the next pass; until then the budget keeps counting the dropped bytes as freed.
    } finally {
      connection.closeSync();
    }
  }

  /**
   * The next group to compact: consecutive sealed segments that are not compacted yet or are
   * narrow (under a quarter of a full one), as many as fit in one segment (rows and columns).
   * A segment not compacted yet may form a group alone (it is rewritten in order); a compacted
   * one only together with others.
   */
  private nextGroup(): SegmentState[] {
    const narrow = this.options.segmentMaxRows / 4;
    const isCandidate = (s: SegmentState): boolean => s.sealed && s.rowCount > 0 && (!s.compacted || s.rowCount < narrow) && !isShortWideSegment(s, this.options.rowGroupSize);
    let group: SegmentState[] = [];
    let columns = new Set<number>();
    let rows = 0;
    /** Rows × columns of the group's segments, each as it is. */
    let cells = 0;
    const worthIt = (): boolean => group.length > 1 || (group.length === 1 && !group[0]!.compacted);
    for (const segment of this.host.segments) {
      const added = segment.attributeColumns.filter((id) => !columns.has(id)).length;
      // Merged segments must stay droppable by time: a group spans at most maxGroupSpanNs of events.
      const minTs = group.reduce((m, s) => (s.minTsNs !== null && s.minTsNs < m ? s.minTsNs : m), segment.minTsNs ?? 0n);
      const maxTs = group.reduce((m, s) => (s.maxTsNs !== null && s.maxTsNs > m ? s.maxTsNs : m), segment.maxTsNs ?? 0n);
      const fits =
        rows + segment.rowCount <= this.options.segmentMaxRows &&
        columns.size + added <= this.options.segmentMaxColumns &&
        maxTs - minTs <= this.options.maxGroupSpanNs &&
        (rows + segment.rowCount) * (CORE_PHYSICAL_COLUMNS.length + columns.size + added) <= MAX_COMPACTION_WIDENING * (cells + cellsOf(segment));
      if (isCandidate(segment) && (group.length === 0 || fits)) {
        group.push(segment);
        rows += segment.rowCount;
        cells += cellsOf(segment);
        for (const id of segment.attributeColumns) columns.add(id);
        continue;
      }
      if (worthIt()) return group;
      group = isCandidate(segment) ? [segment] : [];
      columns = new Set(group.flatMap((s) => s.attributeColumns));
      rows = group.reduce((n, s) => n + s.rowCount, 0);
      cells = group.reduce((n, s) => n + cellsOf(s), 0);
    }
    return worthIt() ? group : [];
  }

  /** Seals the open segment once nothing was committed to it for `idleSealMs`, so quiet periods get compacted too. */
  async sealIdleSegment(lastCommitMs: number): Promise<void> {
    if (Date.now() - lastCommitMs < this.options.idleSealMs) return;
    await this.host.onWriter(async (writer) => {
      const open = this.host.segments.find((s) => !s.sealed);
      if (!open || open.rowCount === 0) return;
      await writer.run('UPDATE waggle_segments SET sealed = true WHERE id = $1', [open.id]);
      open.sealed = true;
    });
  }

  /** Compacts one group (the next one unless given), if any; answers whether it did. */
  async compactOneGroup(group: SegmentState[] = this.nextGroup()): Promise<boolean> {
    if (group.length === 0) return false;
    const target = newSegment(this.host.allocateSegmentId());
    target.sealed = true;
    target.compacted = true;
    for (const segment of group) {
      for (const id of segment.attributeColumns) addSegmentColumn(target, id, this.host.catalog.columnById(id)!.type);
    }
    const table = segmentTableName(target.id);
    const indexTable = compactionIndexTableName(target.id);
    const datasets = [...new Set(group.flatMap((s) => [...s.datasets]))];
    const visible = this.host.retention.visibleCondition(datasets);
    if (this.stopped) return false;
    const connection = await this.host.connect();
    this.building = connection;
    // The run for the index in memory (null while it is off: a store past its bound builds none).
    let run: LocatorChunk | null = null;
    try {
      // The receive time is kept split (SPLIT_INGEST_TIME_DEFS): the sources give it whole, the insert splits it.
      target.ingestTimeSplit = true;
      const coreDefs = CORE_PHYSICAL_COLUMNS.flatMap((c) => (c.physical === INGEST_TIME_COLUMN ? SPLIT_INGEST_TIME_DEFS : [`${c.physical} ${c.sqlType}`]));
      const attributeDefs = target.attributeColumns.map((id, i) => `${attributePhysicalName(id)} ${ATTRIBUTE_SQL_TYPE[target.types[i]!]}`);
      await connection.run(`CREATE TABLE ${table} (${[...coreDefs, ...attributeDefs].join(', ')})`);
      const names = [...CORE_PHYSICAL_COLUMNS.map((c) => c.physical), ...target.attributeColumns.map(attributePhysicalName)];
      const targetNames = [...CORE_PHYSICAL_COLUMNS.flatMap((c) => (c.physical === INGEST_TIME_COLUMN ? [INGEST_SECONDS_COLUMN, INGEST_REMAINDER_COLUMN] : [c.physical])), ...target.attributeColumns.map(attributePhysicalName)];
      const inserted = names.flatMap((name) => (name === INGEST_TIME_COLUMN ? splitIngestTimeSql(INGEST_TIME_COLUMN) : [name]));
      const sources = group.map((segment) => {
        const projection = [
          // A segment from before the receive-time column reads NULL there; a compacted one joins its split columns.
          ...CORE_PHYSICAL_COLUMNS.map((c) => {
            if (c.physical !== INGEST_TIME_COLUMN) return c.physical;
            if (!segment.hasIngestTime) return `CAST(NULL AS BIGINT) AS ${INGEST_TIME_COLUMN}`;
            return segment.ingestTimeSplit ? `${JOINED_INGEST_TIME_SQL} AS ${INGEST_TIME_COLUMN}` : INGEST_TIME_COLUMN;
          }),
          ...target.attributeColumns.map((id, i) =>
            segment.positions.has(id) ? attributePhysicalName(id) : `CAST(NULL AS ${ATTRIBUTE_SQL_TYPE[target.types[i]!]}) AS ${attributePhysicalName(id)}`,
          ),
        ].join(', ');
        return `SELECT ${projection} FROM ${segmentTableName(segment.id)}${visible === '' ? '' : ` WHERE ${visible}`}`;
      });
      // Order of whole seconds, then trace, then time: a time range still reads the row groups of
      // its stretch only (zone maps on ts_ns, to the second), and so does a trace lookup, since the
      // index gives each trace's time range; within a second a trace's spans are adjacent, so
      // trace_id is stored as runs (RLE) whatever the density. Plain time order interleaves the
      // traces of a busy second: at 30M spans a day trace_id took 7.7 bytes a span, 2.2 in this
      // order (BENCHMARKS.md run AG). Against trace-id order alone it keeps time ranges cheap.
      // RETURNING makes DuckDB insert on one thread (it plans no parallel or batch insert for it), so
      // that, with one row group in its write buffer (DUCKDB_WRITE_BUFFER_ROW_GROUPS), it writes
      // the row groups one after the other and a row group's columns share few blocks: 9 blocks
      // a row group instead of 25 (each block holding parts of ~4 row groups), so a trace lookup
      // that has to read one row group from disk reads 9 blocks, not 25 (BENCHMARKS.md run AI).
      // The sort before it still runs on every thread; one NULL a row comes back (a few MB).
      // In slices of whole seconds of event time, each sorted on its own and appended in order,
      // one transaction for all: the row order is the same as one sort's (seconds come first in
      // it), but a sort holds one slice's rows, not the group's (a 1M-span merge's sort took
      // DuckDB's pool to its limit and the process to ~1 GB with nothing else running:
      // BENCHMARKS.md run AO). Each slice's filter on ts_ns reads only its stretch of segments
      // stored in time order (zone maps).
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const where of compactionSliceFilters(group, MEMORY_LIMITS.compactionSliceRows.value)) {
          await connection.run(
            `INSERT INTO ${table} (${targetNames.join(', ')}) SELECT ${inserted.join(', ')} FROM (${sources.join(' UNION ALL ')})${where} ORDER BY ${COMPACTED_ROW_ORDER_SQL} RETURNING NULL`,
          );
        }
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
      // The segment's trace-index run, in key order, appended to waggle_trace_runs in the swap
      // below: a lookup reads one row group of it (zone maps). 8-byte keys, and the trace's
      // length, not its end (fewer bits). A crash before the swap leaves this table behind; the
      // next start drops it.
      await connection.run(
        `CREATE TABLE ${indexTable} AS SELECT ${traceKeySql('trace_id')} AS trace_key, min(ts_ns) AS min_ts_ns, max(ts_ns + coalesce(duration_ns, 0)) - min(ts_ns) AS length_ns FROM ${table} WHERE trace_id IS NOT NULL GROUP BY trace_key ORDER BY trace_key`,
      );
      // The run as the index in memory holds it, sorted here so that the swap only adds it.
      if (this.host.traceIndexTables.locator.enabled) run = buildChunk(await readCompactionRun(connection, indexTable));
      const summary = await connection.runAndReadAll(
        `SELECT count(*), min(ts_ns), max(ts_ns + coalesce(duration_ns, 0)), coalesce(max(sample_rate), 1), list(DISTINCT dataset) FROM ${table}`,
      );
      const [count, minTs, maxTs, maxRate] = summary.getRows()[0] ?? [];
      const datasetList = summary.getRowsJS()[0]?.[4];
      target.rowCount = Number(count ?? 0);
      target.minTsNs = typeof minTs === 'bigint' ? minTs : null;
      target.maxTsNs = typeof maxTs === 'bigint' ? maxTs : null;
      target.maxSampleRate = Number(maxRate ?? 1);
      if (Array.isArray(datasetList)) for (const d of datasetList) if (typeof d === 'string') target.datasets.add(d);
    } catch (error) {
      await connection.run(`DROP TABLE IF EXISTS ${indexTable}`).catch(() => undefined);
      await connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      throw error;
    } finally {
      this.building = null;
      connection.closeSync();
    }
    const sourceRows = group.reduce((n, s) => n + s.rowCount, 0);
    const swapped = await this.host.onWriter(async (writer) => {
      // A retention pass may have dropped a source meanwhile: then this result is stale.
      if (!group.every((s) => this.host.segments.includes(s))) return false;
      const ids = group.map((s) => s.id).join(', ');
      return this.swapInTransaction(writer, group, target, ids, indexTable, run);
    });
    if (!swapped) {
      await this.host.onWriter(async (writer) => {
        await writer.run(`DROP TABLE IF EXISTS ${indexTable}`);
        await writer.run(`DROP TABLE IF EXISTS ${table}`);
      });
      return false;
    }
    this.stats.compactions += 1;
    this.stats.compactedSegments += group.length;
    // Rows left out because they had expired count as deleted by retention.
    const expiredRows = sourceRows - target.rowCount;
    if (expiredRows > 0) this.stats.retention.events += expiredRows;
    return true;
  }

  /**
   * Merges the compacted segments' trace-index runs into one sorted table when enough are waiting
   * (duckdb-trace-run-merge.ts): built on a connection of its own, swapped in by one transaction
   * on the writer. Only the lifecycle changes the runs, one pass at a time, so nothing changes
   * them between the build and the swap.
   */
  async mergeTraceRunsIfDue(): Promise<boolean> {
    if (this.stopped) return false;
    const connection = await this.host.connect();
    this.building = connection;
    const started = Date.now();
    let rows = 0;
    try {
      const counts = await traceRunCounts(connection);
      if (!traceRunMergeDue(counts, this.nextGroup().length === 0)) {
        this.traceMergeCheckDue = false;
        return false;
      }
      rows = counts.runRows + counts.mergedRows;
      await buildMergedTraceRuns(connection);
    } catch (error) {
      await connection.run(`DROP TABLE IF EXISTS ${TRACE_MERGE_BUILD_TABLE}`).catch(() => undefined);
      throw error;
    } finally {
      this.building = null;
      connection.closeSync();
    }
    await this.host.onWriter((writer) => swapMergedTraceRuns(writer));
    this.host.traceIndexTables.merged();
    this.traceMerges = { count: this.traceMerges.count + 1, lastMs: Date.now() - started, lastRows: rows };
    this.traceMergeCheckDue = false;
    this.host.log(`trace index: ${rows} rows of compacted segments merged into one sorted table in ${this.traceMerges.lastMs} ms`);
    return true;
  }

  /** Registers the compacted segment and retires its sources in one transaction, then in memory. */
  private swapInTransaction(writer: DuckDBConnection, group: readonly SegmentState[], target: SegmentState, ids: string, indexTable: string, run: LocatorChunk | null): Promise<boolean> {
    return this.host.segmentSwaps.swap(() => this.swapSegments(writer, group, target, ids, indexTable, run));
  }

  /** A COMMIT of the index tables; when it fails, the index in memory waits for the reopen to read them again. */
  private async commitIndexChange(writer: DuckDBConnection): Promise<void> {
    try {
      await writer.run('COMMIT');
    } catch (error) {
      this.host.traceIndexTables.locator.invalidate();
      throw error;
    }
  }

  private async swapSegments(writer: DuckDBConnection, group: readonly SegmentState[], target: SegmentState, ids: string, indexTable: string, run: LocatorChunk | null): Promise<boolean> {
    await writer.run('BEGIN TRANSACTION');
    try {
      await writer.run('INSERT INTO waggle_segments (id, row_count, min_ts_ns, max_ts_ns, sealed, compacted, datasets_json, max_sample_rate) VALUES ($1, $2, $3, $4, true, true, $5, $6)', [
        target.id,
        target.rowCount,
        target.minTsNs,
        target.maxTsNs,
        segmentDatasetsJson(target),
        target.maxSampleRate,
      ]);
      // The sources' index rows go (live ones, and the runs of compacted ones); the new run comes in whole, in key order.
      await writer.run(`DELETE FROM waggle_trace_index WHERE segment_id IN (${ids})`);
      // (The merged index keeps the sources' rows until its next merge: lookups skip unregistered segments.)
      await writer.run(`DELETE FROM waggle_trace_runs WHERE segment_id IN (${ids})`);
      // Before the commit: a lookup that sees the run reads the runs (it overlaps this swap, so it runs again).
      this.host.traceIndexTables.runAppended();
      await writer.run(`INSERT INTO waggle_trace_runs SELECT trace_key, ${target.id}, min_ts_ns, length_ns FROM ${indexTable}`);
      await writer.run(`DELETE FROM waggle_segments WHERE id IN (${ids})`);
      await writer.run(`INSERT INTO waggle_retired_segments VALUES ${group.map((s) => `(${s.id}, ${Date.now()})`).join(', ')} ON CONFLICT DO NOTHING`);
      await writer.run(`DROP TABLE ${indexTable}`);
      await this.commitIndexChange(writer);
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    // In the same turn as the segment list below: a lookup sees both before or both after.
    this.host.traceIndexTables.locator.drop(group.map((s) => s.id));
    this.host.traceIndexTables.locator.addBuilt(target.id, run);
    this.traceMergeCheckDue = true;
    const first = this.host.segments.indexOf(group[0]!);
    for (const segment of group) this.host.segments.splice(this.host.segments.indexOf(segment), 1);
    this.host.segments.splice(first, 0, target);
    return true;
  }
}

/**
 * WHERE clauses on ts_ns that split a group's rows into slices of about `rowsPerSlice` (by equal
 * stretches of event time, cut at whole seconds), in row order; together they cover every row
 * once (the first and last are open-ended). One empty clause when the group is small, or its
 * time range unknown or before 1970 (where integer division by a second truncates upwards).
 */
export function compactionSliceFilters(group: readonly SegmentState[], rowsPerSlice: number): string[] {
  const rows = group.reduce((n, s) => n + s.rowCount, 0);
  const slices = Math.ceil(rows / rowsPerSlice);
  if (slices <= 1 || group.some((s) => s.minTsNs === null || s.maxTsNs === null)) return [''];
  const second = 1_000_000_000n;
  const first = group.reduce((m, s) => (s.minTsNs! < m ? s.minTsNs! : m), group[0]!.minTsNs!) / second;
  const last = group.reduce((m, s) => (s.maxTsNs! > m ? s.maxTsNs! : m), group[0]!.maxTsNs!) / second;
  if (first < 0n) return [''];
  const span = last - first + 1n;
  const step = (span + BigInt(slices) - 1n) / BigInt(slices);
  const cuts: bigint[] = [];
  for (let cut = first + step; cut <= last; cut += step) cuts.push(cut * second);
  if (cuts.length === 0) return [''];
  return [
    ` WHERE ts_ns < ${cuts[0]!}`,
    ...cuts.slice(1).map((cut, i) => ` WHERE ts_ns >= ${cuts[i]!} AND ts_ns < ${cut}`),
    ` WHERE ts_ns >= ${cuts[cuts.length - 1]!}`,
  ];
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Drops what a crash left behind: tables of retired segments, and tables a compaction built but
 * never registered (segment tables absent from the registry, compaction index tables).
 */
export async function dropUnregisteredTables(writer: DuckDBConnection): Promise<void> {
  const result = await writer.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE database_name = 'waggle' AND (
       (regexp_matches(table_name, '^seg_[0-9]+$') AND TRY_CAST(substr(table_name, 5) AS INTEGER) NOT IN (SELECT id FROM waggle_segments))
       OR regexp_matches(table_name, '^waggle_compaction_[0-9]+$') OR table_name = '${TRACE_MERGE_BUILD_TABLE}')`,
  );
  for (const [name] of result.getRows()) if (typeof name === 'string') await writer.run(`DROP TABLE IF EXISTS ${name}`);
  await writer.run('DELETE FROM waggle_retired_segments');
}

/** DuckDB reports its log size as text (`1.2 MiB`, `0 bytes`). */
function parseByteSize(value: unknown): number {
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  return typeof value === 'string' ? (duckDbSizeBytes(value) ?? 0) : 0;
}
