import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { ColumnType } from '../../query/query-schema.js';

export interface CatalogColumn {
  readonly id: number;
  readonly keyName: string;
  readonly type: ColumnType;
  readonly createdNs: bigint;
}

interface DatasetEntry {
  createdNs: bigint;
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
export class DuckDbCatalog {
  private readonly byKey = new Map<string, CatalogColumn>();
  private readonly byId = new Map<number, CatalogColumn>();
  private readonly datasets = new Map<string, DatasetEntry>();
  private nextColumnId = 1;
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
    const datasets = await connection.runAndReadAll('SELECT name, created_ns, last_written_ns FROM waggle_datasets');
    for (const [name, createdNs, lastWrittenNs] of datasets.getRows()) {
      if (typeof name !== 'string' || typeof createdNs !== 'bigint' || typeof lastWrittenNs !== 'bigint') continue;
      catalog.datasets.set(name, { createdNs, lastWrittenNs, columns: new Map() });
    }
    const datasetColumns = await connection.runAndReadAll('SELECT dataset, column_id, created_ns, last_written_ns FROM waggle_dataset_columns');
    for (const [dataset, columnId, createdNs, lastWrittenNs] of datasetColumns.getRows()) {
      if (typeof dataset !== 'string' || typeof columnId !== 'number' || typeof createdNs !== 'bigint' || typeof lastWrittenNs !== 'bigint') continue;
      catalog.datasets.get(dataset)?.columns.set(columnId, { createdNs, lastWrittenNs });
    }
    return catalog;
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
    const column: CatalogColumn = { id: this.nextColumnId++, keyName, type, createdNs: nowNs };
    this.byKey.set(keyName, column);
    this.byId.set(column.id, column);
    this.unsavedColumns.push(column);
    return column;
  }

  /** Records that a dataset received events with these columns at `nowNs`. */
  touchDataset(dataset: string, columnIds: Iterable<number>, nowNs: bigint): void {
    let entry = this.datasets.get(dataset);
    if (!entry) {
      entry = { createdNs: nowNs, lastWrittenNs: nowNs, columns: new Map() };
      this.datasets.set(dataset, entry);
    }
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

  datasetNames(): string[] {
    return [...this.datasets.keys()].sort();
  }

  dataset(name: string): { createdNs: bigint; lastWrittenNs: bigint } | undefined {
    return this.datasets.get(name);
  }

  /** Columns of one dataset (or of all) with their per-dataset timestamps. */
  columnsOf(datasets: readonly string[]): Array<{ column: CatalogColumn; createdNs: bigint; lastWrittenNs: bigint }> {
    const merged = new Map<number, { column: CatalogColumn; createdNs: bigint; lastWrittenNs: bigint }>();
    for (const name of datasets) {
      const entry = this.datasets.get(name);
      if (!entry) continue;
      for (const [columnId, times] of entry.columns) {
        const column = this.byId.get(columnId);
        if (!column) continue;
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
    for (const name of this.unsavedDatasets) {
      const entry = this.datasets.get(name);
      if (entry) datasets.push([name, entry.createdNs, entry.lastWrittenNs]);
    }
    await insertRows(connection, 'INSERT INTO waggle_datasets VALUES', 'ON CONFLICT (name) DO UPDATE SET last_written_ns = excluded.last_written_ns', datasets);
    const datasetColumns: DuckDBValue[][] = [];
    for (const { dataset, columnId } of this.unsavedDatasetColumns) {
      const times = this.datasets.get(dataset)?.columns.get(columnId);
      if (times) datasetColumns.push([dataset, columnId, times.createdNs, times.lastWrittenNs]);
    }
    await insertRows(connection, 'INSERT INTO waggle_dataset_columns VALUES', 'ON CONFLICT DO NOTHING', datasetColumns);
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

/** `($1, $2), ($3, $4)` for rows of equal width. */
function placeholders(rows: readonly (readonly DuckDBValue[])[]): string {
  let next = 1;
  return rows.map((row) => `(${row.map(() => `$${next++}`).join(', ')})`).join(', ');
}

async function insertRows(connection: DuckDBConnection, insert: string, conflict: string, rows: readonly DuckDBValue[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    await connection.run(`${insert} ${placeholders(chunk)} ${conflict}`, chunk.flat());
  }
}
