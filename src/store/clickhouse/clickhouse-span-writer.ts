import type { EventRecord } from '../../core/event-record.js';
import { UnavailableError } from '../../core/errors.js';
import { nowNs } from '../../core/unix-nanos.js';
import { storedIngestTime } from '../../core/ingest-time.js';
import type { StoreHealth } from '../span-store.js';
import type { CatalogMergeResult, DuckDbCatalog } from '../duckdb/duckdb-catalog.js';
import { LayerResolver, type ColumnRoutes } from '../duckdb/duckdb-layer-resolver.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { CLICKHOUSE_INSERT_BATCH_COLUMN, clickhouseAttributeColumn } from './clickhouse-physical-layout.js';
import { encodeRowBinary, RowBinaryBuffer } from './clickhouse-row-encoder.js';
import { addAttributeColumnsDdl, localSpanTable, PARTITION_NS, qualified, spanTable, type ClickHouseTopology } from './clickhouse-schema-ddl.js';
import type { ClickHouseCatalogStore } from './clickhouse-catalog-store.js';
import { columnsByDataset, roomToSetAside, roomToSetAsideIn, setAsideMessage, writeSetAsideFile } from '../request-set-aside.js';

/**
 * What the store knows of its own writes at open: the WAL position whose events are all stored,
 * and the batch that was being inserted when the process stopped (null when none was).
 */
export interface ClickHouseWriterState {
  readonly walPosition: bigint;
  readonly pending: { readonly first: bigint; readonly last: bigint } | null;
  readonly version: bigint;
}

export interface ClickHouseWriterOptions {
  /** Whenever this many events are queued the store commits them at once (big inserts cost ClickHouse less CPU per row). */
  readonly batchEvents: number;
  /** Names this writer's WAL (its row in waggle_state, its insert tokens): unique per Waggle process writing to one ClickHouse. */
  readonly writerId: string;
  /** The data directory, whose quarantine/ keeps requests set aside as poison; null: none is set aside (a failing one stays queued). */
  readonly dataDir: string | null;
  readonly log: (message: string) => void;
}

interface QueuedRequest {
  readonly events: readonly EventRecord[];
  readonly walPosition: bigint;
  /** The request's receive time as stored (src/core/ingest-time.ts), null when unknown. */
  readonly ingestTime: bigint | null;
}

/**
 * The write path of the ClickHouse store. Requests are queued whole, in WAL order, and inserted in
 * batches of whole requests. ClickHouse has no transaction spanning the rows and the WAL
 * position, so exactly-once comes from naming each insert instead:
 * 1. the batch's WAL range [first, last] is recorded as pending in waggle_state;
 * 2. its rows are inserted, each carrying the batch's name `<writer>:<first>-<last>` in
 *    `insert_batch`; ClickHouse writes one part per day partition, each stored whole or not at all;
 * 3. waggle_state records `last` as committed.
 * After a crash between 1 and 3 (or a failed commit) the batch is rebuilt as exactly the pending
 * range (replay decodes and admits the same events in the same order), and recovery counts the
 * rows named after it per day: the days already stored are left out, the others inserted.
 *
 * Not ClickHouse's own deduplication (`insert_deduplication_token`) on one server: a plain
 * MergeTree appends the token to its deduplication log before it renames the new part into place,
 * so a kill between the two left a token without its part, and the replay under that token was
 * dropped as a repeat: a whole acknowledged batch lost (seen as 440 spans lost in the SIGKILL test).
 * On a cluster the Replicated tables record the token and the part in one Keeper transaction, so
 * there the token is kept, for the days recovery finds not wholly stored (some shards may have them).
 */
export class ClickHouseSpanWriter {
  private queue: QueuedRequest[] = [];
  private queuedEvents = 0;
  private committedPosition: bigint;
  private recovering: { first: bigint; last: bigint } | null;
  private version: bigint;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private quarantinedRequests = 0;
  /** The pending range waggle_state holds now (kept when the state row is rewritten to probe the store). */
  private statePending: { first: bigint; last: bigint } | null;
  /** Attribute columns the span table has (added by this or an earlier process). */
  private readonly tableColumns: Set<string>;
  /** Reused for every batch: the RowBinary bytes of the batch being inserted (commits run one at a time). */
  private readonly encodeBuffer = new RowBinaryBuffer();
  /** Largest sample rate stored (queries weight by it only when some event stands for more than one). */
  maxSampleRate: number;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly topology: ClickHouseTopology,
    private readonly catalog: DuckDbCatalog,
    private readonly catalogStore: ClickHouseCatalogStore,
    private readonly routes: ColumnRoutes,
    private readonly options: ClickHouseWriterOptions,
    state: ClickHouseWriterState,
    tableColumns: Set<string>,
    maxSampleRate: number,
  ) {
    this.committedPosition = state.walPosition;
    this.recovering = state.pending !== null && state.pending.last > state.walPosition ? state.pending : null;
    this.version = state.version;
    this.statePending = state.pending;
    this.tableColumns = tableColumns;
    this.maxSampleRate = maxSampleRate;
  }

  hasColumn(physical: string): boolean {
    return this.tableColumns.has(physical);
  }

  enqueue(events: readonly EventRecord[], walPosition: bigint, receivedAtNs: bigint | null = nowNs()): void {
    if (this.closed) throw new UnavailableError('the store is closed');
    const now = nowNs();
    // From here on events carry the dataset's storage key (see DuckDbSpanWriter.enqueue).
    for (const event of events) event.dataset = this.catalog.datasetKeyFor(event.dataset, now);
    if (walPosition <= this.committedPosition) return;
    this.queue.push({ events, walPosition, ingestTime: storedIngestTime(receivedAtNs) });
    this.queuedEvents += events.length;
    if (this.queuedEvents >= this.options.batchEvents) void this.flush().catch(() => undefined);
  }

  pendingEvents(): number {
    return this.queuedEvents;
  }

  health(): StoreHealth {
    return { committing: this.consecutiveFailures === 0, lastCommitError: this.lastError, consecutiveCommitFailures: this.consecutiveFailures, quarantinedRequests: this.quarantinedRequests };
  }

  async committedWalPosition(): Promise<bigint> {
    await this.chain.catch(() => undefined);
    return this.committedPosition;
  }

  /** Commits everything queued now (one commit at a time, in order); resolves once it is readable. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.commitQueued());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Runs `work` between commits (catalog writes of the API: datasets, retention). */
  onWriter<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * Adds to the catalog what other writers of this ClickHouse stored (their new columns and
   * datasets), and their new columns to the table's; call through onWriter.
   */
  async refreshCatalog(): Promise<CatalogMergeResult> {
    const merged = await this.catalogStore.refresh(this.catalog);
    // A writer adds a column to the table before the catalog row naming it: it is there now.
    if (merged.newColumns > 0) for (const name of await readAttributeColumns(this.connection, this.topology)) this.tableColumns.add(name);
    return merged;
  }

  /** Writes the catalog's unsaved entries (a dataset created through the API); call through onWriter. */
  persistCatalog(): Promise<void> {
    return this.catalogStore.persist(this.catalog);
  }

  private async commitQueued(): Promise<void> {
    while (this.queue.length > 0) {
      let take = this.queue.length;
      if (this.recovering !== null) {
        const { last } = this.recovering;
        // The interrupted batch is rebuilt exactly: wait until replay has queued its last request.
        if (this.queue[this.queue.length - 1]!.walPosition < last) return;
        take = this.queue.findIndex((r) => r.walPosition > last);
        if (take < 0) take = this.queue.length;
        if (take === 0) {
          // Nothing of it is queued (set aside, or not in the WAL any more): nothing to recover.
          this.recovering = null;
          continue;
        }
      } else {
        // Whole requests up to the batch size (at least one).
        let events = 0;
        take = 0;
        while (take < this.queue.length && (take === 0 || events + this.queue[take]!.events.length <= this.options.batchEvents)) {
          events += this.queue[take]!.events.length;
          take += 1;
        }
      }
      const batch = this.queue.slice(0, take);
      const range = this.recovering ?? { first: batch[0]!.walPosition, last: batch[batch.length - 1]!.walPosition };
      try {
        await this.commitBatch(batch, range, this.recovering !== null);
        this.consecutiveFailures = 0;
        this.lastError = null;
      } catch (error) {
        this.noteFailure(error);
        // The batch stays queued (and in the WAL); some of its day parts may be stored: the next
        // flush rebuilds the same batch and recovers it as after a crash.
        this.recovering = range;
        // Its requests one by one, any poison among them set aside; unless the store itself fails.
        await this.commitAloneOrSetAside(take, error);
        continue;
      }
      this.queue = this.queue.slice(take);
      for (const request of batch) this.queuedEvents -= request.events.length;
      this.recovering = null;
    }
  }

  private noteFailure(error: unknown): void {
    this.consecutiveFailures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /**
   * After a batch failed: commits its first `count` queued requests each alone. One whose lone
   * commit fails twice while the store still takes a small write (and has room: see
   * request-set-aside.ts) is poison and set aside; when the store does not take the small write,
   * the store itself is failing and this throws `batchError`, everything left queued (and in the WAL).
   */
  private async commitAloneOrSetAside(count: number, batchError: unknown): Promise<void> {
    if (this.options.dataDir === null || !(await this.storeTakesWrites())) throw batchError;
    for (let i = 0; i < count && this.queue.length > 0; i++) {
      const head = this.queue[0]!;
      const alone = { first: head.walPosition, last: head.walPosition };
      let failure: unknown = null;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await this.commitBatch([head], alone, true);
          failure = null;
          break;
        } catch (error) {
          failure = error;
          this.noteFailure(error);
          this.recovering = alone;
          if (!(await this.storeTakesWrites())) throw error;
        }
      }
      if (failure !== null) await this.setAside(head, alone, failure);
      // Committed or set aside: the store is committing again (as DuckDB's readiness sees it).
      this.consecutiveFailures = 0;
      this.lastError = null;
      this.queue = this.queue.slice(1);
      this.queuedEvents -= head.events.length;
      this.recovering = null;
    }
  }

  /**
   * Whether the store takes writes: ClickHouse's disks have room (a nearly full disk can take a
   * small write where a batch fails, which must not make a request poison) and the state row,
   * rewritten as it is, is stored.
   */
  private async storeTakesWrites(): Promise<boolean> {
    try {
      if (this.options.dataDir !== null && !roomToSetAsideIn(this.options.dataDir)) return false;
      const disks = await this.connection.query('SELECT min(free_space) FROM system.disks');
      const free = disks.rows[0]?.[0];
      if (!roomToSetAside(free === undefined || free === null ? null : Number(free))) return false;
      await this.writeState(this.committedPosition, this.statePending?.first ?? 0n, this.statePending?.last ?? 0n);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sets a poison request aside: its events not stored go to a file under quarantine/ (fsynced
   * first), its columns stay counted for its datasets (as live admission saw them), a row in
   * waggle_quarantine records it, and the committed WAL position moves past it, so a restart
   * never replays it.
   */
  private async setAside(head: QueuedRequest, alone: { first: bigint; last: bigint }, error: unknown): Promise<void> {
    const now = nowNs();
    const missing = await this.daysNotStored(`${this.options.writerId}:${alone.first}-${alone.last}`, head.events);
    const events = missing.length === head.events.length ? head.events : missing.map((i) => head.events[i]!);
    const record = writeSetAsideFile(this.options.dataDir!, { walPosition: head.walPosition, events, alreadyStored: head.events.length - events.length, ingestTime: head.ingestTime }, error, now);
    try {
      for (const [dataset, ids] of columnsByDataset(events, (key, kind, value) => this.routes.find(key, kind, value))) this.catalog.touchDataset(dataset, ids, now);
      await this.catalogStore.persist(this.catalog);
    } catch {
      // The columns are a courtesy to replay; the set-aside itself must not depend on them.
    }
    await this.connection.insertJsonRows(qualified(this.topology, 'waggle_quarantine'), [
      { writer: this.options.writerId, wal_position: record.walPosition, quarantined_ns: record.quarantinedNs, events: record.events, file: record.file, error: record.error },
    ]);
    await this.writeState(head.walPosition, 0n, 0n);
    this.committedPosition = head.walPosition;
    this.quarantinedRequests += 1;
    this.options.log(setAsideMessage(record));
  }

  private async commitBatch(batch: readonly QueuedRequest[], range: { first: bigint; last: bigint }, recovering: boolean): Promise<void> {
    const { first, last } = range;
    const insertBatch = `${this.options.writerId}:${first}-${last}`;
    let events = batch.length === 1 ? batch[0]!.events : batch.flatMap((r) => r.events);
    let ingestTimes = batch.length === 1 ? events.map(() => batch[0]!.ingestTime) : batch.flatMap((r) => r.events.map(() => r.ingestTime));
    if (recovering) {
      const missing = await this.daysNotStored(insertBatch, events);
      if (missing.length < events.length) {
        const keep = new Set(missing);
        ingestTimes = ingestTimes.filter((_, i) => keep.has(i));
        events = missing.map((i) => events[i]!);
      }
    }
    const now = nowNs();
    const resolver = new LayerResolver(this.routes, now);
    resolver.resolveRange(events, 0, events.length);
    for (const [dataset, ids] of resolver.columnsByDataset()) this.catalog.touchDataset(dataset, ids, now);
    for (const event of events) if (event.sampleRate > this.maxSampleRate) this.maxSampleRate = event.sampleRate;

    // New attribute columns first (metadata only), then the catalog rows naming them.
    const added = resolver
      .columnIds()
      .map((id) => ({ physical: clickhouseAttributeColumn(id), type: this.catalog.columnById(id)!.type }))
      .filter((c) => !this.tableColumns.has(c.physical));
    for (const ddl of addAttributeColumnsDdl(this.topology, added)) await this.connection.command(ddl);
    for (const c of added) this.tableColumns.add(c.physical);
    await this.catalogStore.persist(this.catalog);

    await this.writeState(this.committedPosition, first, last);
    if (events.length > 0) {
      const encoded = encodeRowBinary(this.encodeBuffer, events, resolver, (id) => this.catalog.columnById(id)!.type, ingestTimes);
      const replicated = this.topology.cluster !== null;
      await this.connection.insertRowBinary(spanTable(this.topology), encoded.columns, encoded.rows, encoded.body, {
        // See the class comment: a token only where ClickHouse records it atomically with the part.
        insert_deduplicate: replicated ? 1 : 0,
        insert_deduplication_token: replicated ? insertBatch : '',
        // One insert is one block (one part per partition): never split into pieces deduplicated apart.
        max_insert_block_size: String(Math.max(1_048_576, events.length + 1)),
        min_insert_block_size_rows: '0',
        min_insert_block_size_bytes: '0',
        // A day partition per day the batch's events fall on, however many: with ClickHouse's default
        // bound (100) a request of backfilled events over more days failed at every retry and
        // wedged every write after it.
        max_partitions_per_insert_block: '0',
        // A Distributed table: insert into the shards before answering, so the state is written after the rows.
        insert_distributed_sync: 1,
      }, { [CLICKHOUSE_INSERT_BATCH_COLUMN]: insertBatch });
    }
    await this.writeState(last, 0n, 0n);
    this.committedPosition = last;
  }

  /**
   * The indexes of `events` on days (partitions) where no row of `insertBatch` is stored; on a
   * cluster also those on days stored on some shards only (the token keeps the others from storing
   * them twice). One server writes a day's part whole or not at all, so a day with any row of the
   * batch holds all of it, as the first attempt had it.
   */
  private async daysNotStored(insertBatch: string, events: readonly EventRecord[]): Promise<number[]> {
    const result = await this.connection.query(
      `SELECT intDiv(ts_ns, ${PARTITION_NS}) AS day, count() FROM ${spanTable(this.topology)} WHERE ${CLICKHOUSE_INSERT_BATCH_COLUMN} = {batch:String} GROUP BY day`,
      { batch: insertBatch },
    );
    const stored = new Map(result.rows.map(([day, count]) => [BigInt(day as bigint | number), BigInt(count as bigint | number)]));
    // bigint division truncates toward zero, as ClickHouse's intDiv does (the partition key).
    const dayOf = (event: EventRecord): bigint => event.timestampNs / PARTITION_NS;
    const inBatch = new Map<bigint, bigint>();
    for (const event of events) inBatch.set(dayOf(event), (inBatch.get(dayOf(event)) ?? 0n) + 1n);
    const whole = (day: bigint): boolean => {
      const count = stored.get(day) ?? 0n;
      return this.topology.cluster === null ? count > 0n : count >= inBatch.get(day)!;
    };
    const missing: number[] = [];
    events.forEach((event, i) => {
      if (!whole(dayOf(event))) missing.push(i);
    });
    return missing;
  }

  private async writeState(walPosition: bigint, pendingFirst: bigint, pendingLast: bigint): Promise<void> {
    this.version += 1n;
    this.statePending = pendingLast > 0n ? { first: pendingFirst, last: pendingLast } : null;
    await this.connection.insertJsonRows(
      qualified(this.topology, 'waggle_state'),
      [{ writer: this.options.writerId, version: this.version, wal_position: walPosition, pending_first: pendingFirst, pending_last: pendingLast }],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
  }
}

/** The attribute columns (`c<id>`) the span table has. */
export async function readAttributeColumns(connection: ClickHouseConnection, topology: ClickHouseTopology): Promise<Set<string>> {
  const columns = await connection.query('SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String}', {
    db: topology.database,
    table: localSpanTable(topology).slice(topology.database.length + 1),
  });
  return new Set(columns.rows.map(([name]) => String(name)).filter((name) => /^c\d+$/.test(name)));
}

/** Reads this writer's state; a fresh store starts at 0. */
export async function loadWriterState(connection: ClickHouseConnection, topology: ClickHouseTopology, writerId: string): Promise<ClickHouseWriterState> {
  const result = await connection.query(
    `SELECT wal_position, pending_first, pending_last, version FROM ${qualified(topology, 'waggle_state')} WHERE writer = {writer:String} ORDER BY version DESC LIMIT 1`,
    { writer: writerId },
  );
  const row = result.rows[0];
  if (row === undefined) return { walPosition: 0n, pending: null, version: 0n };
  const [walPosition, first, last, version] = row as [bigint, bigint, bigint, bigint];
  return { walPosition, pending: last > 0n ? { first, last } : null, version };
}
