import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { datasetSlug } from '../../core/dataset-name.js';
import type { ColumnType } from '../../query/query-schema.js';

export interface CatalogColumn {
  readonly id: number;
  readonly keyName: string;
  readonly type: ColumnType;
  readonly createdNs: bigint;
}

interface DatasetEntry {
  /** The name as first sent (case and spaces kept). */
  readonly name: string;
  /** Honeycomb's URL form of the name; unique among datasets. */
  readonly slug: string;
  createdNs: bigint;
  /** 0 until an event is written (a dataset created through the API). */
  lastWrittenNs: bigint;
  /** column id -> [createdNs, lastWrittenNs] */
  columns: Map<number, { createdNs: bigint; lastWrittenNs: bigint }>;
}

const COLUMN_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'boolean']);

/**
 * The column catalog and dataset registry, held in memory and written through to DuckDB.
 * New entries are recorded as "unsaved" and persisted by the writer inside its commit, so the
 * catalog on disk never names a column that no committed segment could hold.
 */
/** Chooses a new column's id; `taken` says which ids this catalog already holds. */
export type ColumnIdStrategy = (keyName: string, type: ColumnType, taken: (id: number) => boolean) => number;

/** What merging rows another writer stored changed in this catalog. */
export interface CatalogMergeResult {
  readonly newColumns: number;
  readonly newDatasets: number;
  /** Columns whose key this catalog already holds under another id (see mergeRows). */
  readonly conflicts: ReadonlyArray<{ readonly id: number; readonly keyName: string; readonly knownId: number }>;
}

export class DuckDbCatalog {
  private readonly byKey = new Map<string, CatalogColumn>();
  private readonly byId = new Map<number, CatalogColumn>();
  /** Keyed by storage key: the slug for datasets created since names keep their case, a lowercased name before. */
  private readonly datasets = new Map<string, DatasetEntry>();
  /** slug -> storage key. */
  private readonly keyBySlug = new Map<string, string>();
  /** The last name resolved, and its key: events come in runs of one dataset. */
  private lastName: string | null = null;
  private lastKey = '';
  /** Names (as sent) already resolved -> key, so that a slug is computed once per name, not per event. */
  private readonly keyByName = new Map<string, string>();
  private nextColumnId = 1;
  /** How a new column's id is chosen; null: the next in sequence (one writer, as in DuckDB). */
  private columnIdFor: ColumnIdStrategy | null = null;
  private unsavedColumns: CatalogColumn[] = [];
  private unsavedDatasets = new Set<string>();
  private unsavedDatasetColumns: Array<{ dataset: string; columnId: number }> = [];

  static async load(connection: DuckDBConnection): Promise<DuckDbCatalog> {
    const catalog = new DuckDbCatalog();
    const columns = await connection.runAndReadAll('SELECT id, key_name, type, created_ns FROM waggle_columns ORDER BY id');
    for (const [id, keyName, type, createdNs] of columns.getRows()) {
      if (typeof id !== 'number' || typeof keyName !== 'string' || typeof type !== 'string' || typeof createdNs !== 'bigint') continue;
      if (!COLUMN_TYPES.has(type)) continue;
      const column: CatalogColumn = { id, keyName, type: type as ColumnType, createdNs };
      catalog.byKey.set(keyName, column);
      catalog.byId.set(id, column);
      catalog.nextColumnId = Math.max(catalog.nextColumnId, id + 1);
    }
    // Oldest first, so that when two old keys share a slug the older keeps it.
    const datasets = await connection.runAndReadAll('SELECT name, created_ns, last_written_ns, display_name FROM waggle_datasets ORDER BY created_ns, name');
    for (const [key, createdNs, lastWrittenNs, displayName] of datasets.getRows()) {
      if (typeof key !== 'string' || typeof createdNs !== 'bigint' || typeof lastWrittenNs !== 'bigint') continue;
      catalog.addDataset(key, typeof displayName === 'string' ? displayName : key, createdNs, lastWrittenNs);
    }
    const datasetColumns = await connection.runAndReadAll('SELECT dataset, column_id, created_ns, last_written_ns FROM waggle_dataset_columns');
    for (const [dataset, columnId, createdNs, lastWrittenNs] of datasetColumns.getRows()) {
      if (typeof dataset !== 'string' || typeof columnId !== 'number' || typeof createdNs !== 'bigint' || typeof lastWrittenNs !== 'bigint') continue;
      catalog.datasets.get(dataset)?.columns.set(columnId, { createdNs, lastWrittenNs });
    }
    return catalog;
  }

  /**
   * A catalog from rows another backend read (the shapes of the tables load() reads), for stores
   * that keep the same catalog elsewhere (the ClickHouse store).
   */
  static fromRows(
    columns: ReadonlyArray<readonly [number, string, string, bigint]>,
    datasets: ReadonlyArray<readonly [string, bigint, bigint, string]>,
    datasetColumns: ReadonlyArray<readonly [string, number, bigint, bigint]>,
  ): DuckDbCatalog {
    const catalog = new DuckDbCatalog();
    for (const [id, keyName, type, createdNs] of [...columns].sort((a, b) => a[0] - b[0])) {
      if (!COLUMN_TYPES.has(type)) continue;
      const column: CatalogColumn = { id, keyName, type: type as ColumnType, createdNs };
      // A second column of one key (two ClickHouse writers met it first with different types, see
      // mergeRows) stays known by id; queries by the key read the one of the lowest id.
      if (!catalog.byKey.has(keyName)) catalog.byKey.set(keyName, column);
      catalog.byId.set(id, column);
      catalog.nextColumnId = Math.max(catalog.nextColumnId, id + 1);
    }
    const oldestFirst = [...datasets].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [key, createdNs, lastWrittenNs, displayName] of oldestFirst) catalog.addDataset(key, displayName, createdNs, lastWrittenNs);
    for (const [dataset, columnId, createdNs, lastWrittenNs] of datasetColumns) catalog.datasets.get(dataset)?.columns.set(columnId, { createdNs, lastWrittenNs });
    return catalog;
  }

  /** Chooses new columns' ids with `strategy` from now on (several writers sharing one store). */
  useColumnIds(strategy: ColumnIdStrategy): void {
    this.columnIdFor = strategy;
  }

  /**
   * Adds what another writer of the same store has stored since this catalog was read (rows of the
   * shapes fromRows takes): columns and datasets it does not hold, later last-written times. A
   * column whose key this catalog holds under another id (two writers met the key first with
   * different types) is kept by id, so values stored in it stay known, and reported as a conflict:
   * queries by the key read the column this catalog had first.
   */
  mergeRows(
    columns: ReadonlyArray<readonly [number, string, string, bigint]>,
    datasets: ReadonlyArray<readonly [string, bigint, bigint, string]>,
    datasetColumns: ReadonlyArray<readonly [string, number, bigint, bigint]>,
  ): CatalogMergeResult {
    let newColumns = 0;
    let newDatasets = 0;
    const conflicts: Array<{ id: number; keyName: string; knownId: number }> = [];
    for (const [id, keyName, type, createdNs] of [...columns].sort((a, b) => a[0] - b[0])) {
      if (!COLUMN_TYPES.has(type) || this.byId.has(id)) continue;
      const column: CatalogColumn = { id, keyName, type: type as ColumnType, createdNs };
      this.byId.set(id, column);
      newColumns += 1;
      const known = this.byKey.get(keyName);
      if (known === undefined) this.byKey.set(keyName, column);
      else conflicts.push({ id, keyName, knownId: known.id });
      if (this.columnIdFor === null) this.nextColumnId = Math.max(this.nextColumnId, id + 1);
    }
    const oldestFirst = [...datasets].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [key, createdNs, lastWrittenNs, displayName] of oldestFirst) {
      const entry = this.datasets.get(key);
      if (entry === undefined) {
        this.addDataset(key, displayName, createdNs, lastWrittenNs);
        newDatasets += 1;
      } else if (lastWrittenNs > entry.lastWrittenNs) {
        entry.lastWrittenNs = lastWrittenNs;
      }
    }
    for (const [dataset, columnId, createdNs, lastWrittenNs] of datasetColumns) {
      const entry = this.datasets.get(dataset);
      if (entry === undefined) continue;
      const times = entry.columns.get(columnId);
      if (times === undefined) entry.columns.set(columnId, { createdNs, lastWrittenNs });
      else if (lastWrittenNs > times.lastWrittenNs) times.lastWrittenNs = lastWrittenNs;
    }
    return { newColumns, newDatasets, conflicts };
  }

  /** What persist() would write (then markPersisted()), for a backend that writes it its own way. */
  unsavedEntries(): {
    columns: readonly CatalogColumn[];
    datasets: Array<{ key: string; name: string; createdNs: bigint; lastWrittenNs: bigint }>;
    datasetColumns: Array<{ dataset: string; columnId: number; createdNs: bigint; lastWrittenNs: bigint }>;
  } {
    const datasets = [...this.unsavedDatasets].flatMap((key) => {
      const entry = this.datasets.get(key);
      return entry ? [{ key, name: entry.name, createdNs: entry.createdNs, lastWrittenNs: entry.lastWrittenNs }] : [];
    });
    const datasetColumns = this.unsavedDatasetColumns.flatMap(({ dataset, columnId }) => {
      const times = this.datasets.get(dataset)?.columns.get(columnId);
      return times ? [{ dataset, columnId, createdNs: times.createdNs, lastWrittenNs: times.lastWrittenNs }] : [];
    });
    return { columns: [...this.unsavedColumns], datasets, datasetColumns };
  }

  typeOf(keyName: string): ColumnType | undefined {
    return this.byKey.get(keyName)?.type;
  }

  columnByKey(keyName: string): CatalogColumn | undefined {
    return this.byKey.get(keyName);
  }

  columnById(id: number): CatalogColumn | undefined {
    return this.byId.get(id);
  }

  /** Returns the column for a key, creating it (unsaved) when new. */
  ensureColumn(keyName: string, type: ColumnType, nowNs: bigint): CatalogColumn {
    const existing = this.byKey.get(keyName);
    if (existing) return existing;
    const id = this.columnIdFor === null ? this.nextColumnId++ : this.columnIdFor(keyName, type, (taken) => this.byId.has(taken));
    const column: CatalogColumn = { id, keyName, type, createdNs: nowNs };
    this.byKey.set(keyName, column);
    this.byId.set(column.id, column);
    this.unsavedColumns.push(column);
    return column;
  }

  private addDataset(key: string, name: string, createdNs: bigint, lastWrittenNs: bigint): DatasetEntry {
    let slug = datasetSlug(name);
    // Only old data dirs can hold two keys with one slug (`a b` and `a-b`); the younger gets a suffix.
    for (let n = 2; this.keyBySlug.has(slug); n++) slug = `${datasetSlug(name)}-${n}`;
    const entry: DatasetEntry = { name, slug, createdNs, lastWrittenNs, columns: new Map() };
    this.datasets.set(key, entry);
    this.keyBySlug.set(slug, key);
    return entry;
  }

  /**
   * The storage key of the dataset a name (or slug) sent with events denotes, creating the dataset
   * (unsaved; the next commit persists it) when none has that slug. Names are validated before.
   */
  datasetKeyFor(name: string, nowNs: bigint): string {
    if (name === this.lastName) return this.lastKey;
    let key = this.keyByName.get(name);
    if (key === undefined) {
      key = this.keyBySlug.get(name) ?? this.keyBySlug.get(datasetSlug(name)) ?? this.createDataset(name, nowNs).key;
      // Bounded: a flood of distinct names (each a dataset) must not grow a second copy without end.
      if (this.keyByName.size >= MAX_CACHED_NAMES) this.keyByName.clear();
      this.keyByName.set(name, key);
    }
    this.lastName = name;
    this.lastKey = key;
    return key;
  }

  /** Creates a dataset (unsaved) and returns its key; the caller checked that its slug is free. */
  createDataset(name: string, nowNs: bigint): { key: string; created: boolean } {
    const existing = this.findDataset(name);
    if (existing !== undefined) return { key: existing, created: false };
    const key = datasetSlug(name);
    this.addDataset(key, name.trim(), nowNs, 0n);
    this.unsavedDatasets.add(key);
    return { key, created: true };
  }

  /** The storage key of the dataset with this slug, or whose name has the slug of this name. */
  findDataset(nameOrSlug: string): string | undefined {
    return this.keyBySlug.get(nameOrSlug) ?? this.keyBySlug.get(datasetSlug(nameOrSlug));
  }

  /** Records that a dataset received events with these columns at `nowNs`. */
  touchDataset(dataset: string, columnIds: Iterable<number>, nowNs: bigint): void {
    const entry = this.datasets.get(dataset) ?? this.addDataset(dataset, dataset, nowNs, nowNs);
    entry.lastWrittenNs = nowNs;
    this.unsavedDatasets.add(dataset);
    for (const columnId of columnIds) {
      const column = entry.columns.get(columnId);
      if (column) {
        column.lastWrittenNs = nowNs;
      } else {
        entry.columns.set(columnId, { createdNs: nowNs, lastWrittenNs: nowNs });
        this.unsavedDatasetColumns.push({ dataset, columnId });
      }
    }
  }

  /** Ids of the columns a dataset has received (committed or set aside), for the column limits. */
  datasetColumnIds(name: string): number[] {
    return [...(this.datasets.get(name)?.columns.keys() ?? [])];
  }

  /** Number of columns in the catalog, every dataset together. */
  columnCount(): number {
    return this.byId.size;
  }

  /** Whether a dataset of this storage key is in the catalog (on the ingest path: no object made). */
  hasDataset(key: string): boolean {
    return this.datasets.has(key);
  }

  /** Number of datasets in the catalog. */
  datasetCount(): number {
    return this.datasets.size;
  }

  datasetNames(): string[] {
    return [...this.datasets.keys()].sort();
  }

  dataset(key: string): { name: string; slug: string; createdNs: bigint; lastWrittenNs: bigint; columnCount: number } | undefined {
    const entry = this.datasets.get(key);
    return entry && { name: entry.name, slug: entry.slug, createdNs: entry.createdNs, lastWrittenNs: entry.lastWrittenNs, columnCount: entry.columns.size };
  }

  /** Columns of one dataset (or of all) with their per-dataset timestamps. */
  columnsOf(datasets: readonly string[]): Array<{ column: CatalogColumn; createdNs: bigint; lastWrittenNs: bigint }> {
    const merged = new Map<number, { column: CatalogColumn; createdNs: bigint; lastWrittenNs: bigint }>();
    for (const name of datasets) {
      const entry = this.datasets.get(name);
      if (!entry) continue;
      for (const [columnId, times] of entry.columns) {
        const column = this.byId.get(columnId);
        // Only the column queries read for its key (see mergeRows): one entry per key.
        if (!column || this.byKey.get(column.keyName) !== column) continue;
        const seen = merged.get(columnId);
        if (!seen) {
          merged.set(columnId, { column, createdNs: times.createdNs, lastWrittenNs: times.lastWrittenNs });
        } else {
          if (times.createdNs < seen.createdNs) seen.createdNs = times.createdNs;
          if (times.lastWrittenNs > seen.lastWrittenNs) seen.lastWrittenNs = times.lastWrittenNs;
        }
      }
    }
    return [...merged.values()].sort((a, b) => a.column.keyName.localeCompare(b.column.keyName));
  }

  /**
   * Writes unsaved entries; call inside the writer's transaction. One multi-row statement per
   * table: a statement per row cost seconds on the first commit of a store (hundreds of rows).
   */
  async persist(connection: DuckDBConnection): Promise<void> {
    await insertRows(
      connection,
      'INSERT INTO waggle_columns VALUES',
      '',
      this.unsavedColumns.map((column) => [column.id, column.keyName, column.type, column.createdNs]),
    );
    const datasets: DuckDBValue[][] = [];
    for (const key of this.unsavedDatasets) {
      const entry = this.datasets.get(key);
      if (entry) datasets.push([key, entry.createdNs, entry.lastWrittenNs, entry.name]);
    }
    // MERGE, not ON CONFLICT: these tables have no key (UNKEYED_INTERNAL_TABLES).
    await insertRows(
      connection,
      'MERGE INTO waggle_datasets AS d USING (VALUES',
      ') AS v(name, created_ns, last_written_ns, display_name) ON d.name = v.name WHEN MATCHED THEN UPDATE SET last_written_ns = v.last_written_ns WHEN NOT MATCHED THEN INSERT VALUES (v.name, v.created_ns, v.last_written_ns, v.display_name)',
      datasets,
    );
    const datasetColumns: DuckDBValue[][] = [];
    for (const { dataset, columnId } of this.unsavedDatasetColumns) {
      const times = this.datasets.get(dataset)?.columns.get(columnId);
      if (times) datasetColumns.push([dataset, columnId, times.createdNs, times.lastWrittenNs]);
    }
    await insertRows(
      connection,
      'MERGE INTO waggle_dataset_columns AS d USING (VALUES',
      ') AS v(dataset, column_id, created_ns, last_written_ns) ON d.dataset = v.dataset AND d.column_id = v.column_id WHEN NOT MATCHED THEN INSERT VALUES (v.dataset, v.column_id, v.created_ns, v.last_written_ns)',
      datasetColumns,
    );
  }

  /**
   * After the database was reopened: the columns it already holds are not unsaved any more (a
   * commit that reported an error may still have been durable), so persist() does not insert them twice.
   */
  forgetSavedColumns(savedIds: ReadonlySet<number>): void {
    this.unsavedColumns = this.unsavedColumns.filter((column) => !savedIds.has(column.id));
  }

  /** Marks everything persisted (after the transaction committed). */
  markPersisted(): void {
    this.unsavedColumns = [];
    this.unsavedDatasets.clear();
    this.unsavedDatasetColumns = [];
  }

  /** Writes the in-memory last-written times of datasets and their columns (periodic, not transactional). */
  async persistLastWritten(connection: DuckDBConnection): Promise<void> {
    const datasets: DuckDBValue[][] = [];
    const columns: DuckDBValue[][] = [];
    for (const [dataset, entry] of this.datasets) {
      datasets.push([dataset, entry.lastWrittenNs]);
      for (const [columnId, times] of entry.columns) columns.push([dataset, columnId, times.lastWrittenNs]);
    }
    for (let start = 0; start < datasets.length; start += ROWS_PER_STATEMENT) {
      const rows = datasets.slice(start, start + ROWS_PER_STATEMENT);
      await connection.run(
        `UPDATE waggle_datasets AS d SET last_written_ns = v.ts FROM (VALUES ${placeholders(rows)}) AS v(name, ts) WHERE d.name = v.name`,
        rows.flat(),
      );
    }
    for (let start = 0; start < columns.length; start += ROWS_PER_STATEMENT) {
      const rows = columns.slice(start, start + ROWS_PER_STATEMENT);
      await connection.run(
        `UPDATE waggle_dataset_columns AS d SET last_written_ns = v.ts FROM (VALUES ${placeholders(rows)}) AS v(dataset, column_id, ts) WHERE d.dataset = v.dataset AND d.column_id = v.column_id`,
        rows.flat(),
      );
    }
  }
}

const ROWS_PER_STATEMENT = 500;

/** Distinct dataset names remembered by datasetKeyFor; past this the memo starts over. */
const MAX_CACHED_NAMES = 10_000;

/** `($1, $2), ($3, $4)` for rows of equal width. */
function placeholders(rows: readonly (readonly DuckDBValue[])[]): string {
  let next = 1;
  return rows.map((row) => `(${row.map(() => `$${next++}`).join(', ')})`).join(', ');
}

/** `${head} (row), (row) ${tail}` in statements of ROWS_PER_STATEMENT rows. */
async function insertRows(connection: DuckDBConnection, head: string, tail: string, rows: readonly DuckDBValue[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    await connection.run(`${head} ${placeholders(chunk)} ${tail}`, chunk.flat());
  }
}
