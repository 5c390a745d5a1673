import { DuckDbCatalog, type CatalogMergeResult } from '../duckdb/duckdb-catalog.js';
import { sharedColumnId } from './clickhouse-column-ids.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { qualified, type ClickHouseTopology } from './clickhouse-schema-ddl.js';

/**
 * Keeps the column catalog and dataset registry (the in-memory catalog the DuckDB store uses too:
 * the rules for names, slugs and column ids are the same) in ClickHouse tables. The tables are
 * ReplacingMergeTree: a row written twice (a retried commit) or updated (a dataset's last write)
 * is read once, with FINAL.
 *
 * Several Waggle processes may write to one ClickHouse: new columns get ids every writer derives
 * alike from the key and type (clickhouse-column-ids.ts), so two writers meeting one new key add
 * one column, and each refreshes its catalog with what the others stored (refresh).
 */
interface CatalogRows {
  readonly columns: ReadonlyArray<readonly [number, string, string, bigint]>;
  readonly datasets: ReadonlyArray<readonly [string, bigint, bigint, string]>;
  readonly datasetColumns: ReadonlyArray<readonly [string, number, bigint, bigint]>;
}

export class ClickHouseCatalogStore {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly topology: ClickHouseTopology,
  ) {}

  async load(): Promise<DuckDbCatalog> {
    const rows = await this.readRows();
    const catalog = DuckDbCatalog.fromRows(rows.columns, rows.datasets, rows.datasetColumns);
    catalog.useColumnIds(sharedColumnId);
    return catalog;
  }

  /** Adds to `catalog` what other writers of this ClickHouse have stored since it was read. */
  async refresh(catalog: DuckDbCatalog): Promise<CatalogMergeResult> {
    const rows = await this.readRows();
    return catalog.mergeRows(rows.columns, rows.datasets, rows.datasetColumns);
  }

  private async readRows(): Promise<CatalogRows> {
    const t = (name: string): string => qualified(this.topology, name);
    const columns = await this.connection.query(`SELECT id, key_name, type, created_ns FROM ${t('waggle_columns')} FINAL ORDER BY id`);
    const datasets = await this.connection.query(`SELECT name, created_ns, last_written_ns, display_name FROM ${t('waggle_datasets')} FINAL`);
    const datasetColumns = await this.connection.query(`SELECT dataset, column_id, created_ns, last_written_ns FROM ${t('waggle_dataset_columns')} FINAL`);
    return {
      columns: columns.rows.map(([id, key, type, created]) => [Number(id), String(key), String(type), created as bigint] as const),
      datasets: datasets.rows.map(([name, created, last, display]) => [String(name), created as bigint, last as bigint, String(display)] as const),
      datasetColumns: datasetColumns.rows.map(([dataset, id, created, last]) => [String(dataset), Number(id), created as bigint, last as bigint] as const),
    };
  }

  /** Writes what the catalog holds unsaved, then marks it saved. */
  async persist(catalog: DuckDbCatalog): Promise<void> {
    const { columns, datasets, datasetColumns } = catalog.unsavedEntries();
    await this.connection.insertJsonRows(qualified(this.topology, 'waggle_columns'), columns.map((c) => ({ id: c.id, key_name: c.keyName, type: c.type, created_ns: c.createdNs })));
    await this.connection.insertJsonRows(
      qualified(this.topology, 'waggle_datasets'),
      datasets.map((d) => ({ name: d.key, display_name: d.name, created_ns: d.createdNs, last_written_ns: d.lastWrittenNs })),
    );
    await this.connection.insertJsonRows(
      qualified(this.topology, 'waggle_dataset_columns'),
      datasetColumns.map((d) => ({ dataset: d.dataset, column_id: d.columnId, created_ns: d.createdNs, last_written_ns: d.lastWrittenNs })),
    );
    catalog.markPersisted();
  }
}
