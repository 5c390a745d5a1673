import { formatRfc3339Nanos } from '../core/unix-nanos.js';
import type { ColumnBinding, QuerySchema, SchemaRoles } from '../query/query-schema.js';
import type { DuckDbCatalog } from './duckdb/duckdb-catalog.js';
import type { ColumnInfo, DatasetInfo, DatasetSelector } from './span-store.js';

/**
 * What the API shows of the catalog (datasets, their columns, the query schema), the same for
 * every backend: the backends share the catalog and differ only in how a column is spelled in
 * their SQL (`BackendColumns`).
 */
type CatalogReads = Pick<DuckDbCatalog, 'dataset' | 'datasetNames' | 'findDataset' | 'columnsOf'>;

/** A backend's core columns, their roles, and the physical name of an attribute column. */
export interface BackendColumns {
  readonly coreBindings: readonly ColumnBinding[];
  readonly roles: SchemaRoles;
  attributeColumn(columnId: number): string;
}

/** The datasets a selector names that exist (every dataset for `all`). */
export function selectedDatasetNames(catalog: CatalogReads, selector: DatasetSelector): string[] {
  if (selector.kind === 'all') return catalog.datasetNames();
  return catalog.dataset(selector.name) ? [selector.name] : [];
}

/** A dataset as the datasets API shows it, undefined when there is none under `key`. */
export function datasetInfo(catalog: CatalogReads, key: string): DatasetInfo | undefined {
  const entry = catalog.dataset(key);
  if (!entry) return undefined;
  return {
    name: entry.name,
    slug: entry.slug,
    created_at: formatRfc3339Nanos(entry.createdNs),
    last_written_at: entry.lastWrittenNs === 0n ? null : formatRfc3339Nanos(entry.lastWrittenNs),
    regular_columns_count: entry.columnCount === 0 ? null : entry.columnCount,
  };
}

/** Every dataset, by slug. */
export function listDatasetInfos(catalog: CatalogReads): DatasetInfo[] {
  return catalog
    .datasetNames()
    .map((key) => datasetInfo(catalog, key)!)
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** The dataset named or slugged `nameOrSlug`, as a selector and its info. */
export function findDatasetInfo(catalog: CatalogReads, nameOrSlug: string): { selector: DatasetSelector & { kind: 'one' }; info: DatasetInfo } | undefined {
  const key = catalog.findDataset(nameOrSlug);
  const info = key === undefined ? undefined : datasetInfo(catalog, key);
  return key === undefined || info === undefined ? undefined : { selector: { kind: 'one', name: key }, info };
}

/** The columns of the selected datasets (core ones first), none before a dataset was written. */
export function listColumnInfos(catalog: CatalogReads, selector: DatasetSelector, backend: BackendColumns): ColumnInfo[] {
  const names = selectedDatasetNames(catalog, selector);
  let createdNs: bigint | null = null;
  let lastNs: bigint | null = null;
  for (const name of names) {
    const entry = catalog.dataset(name)!;
    // A dataset created through the API and not yet written has no columns, core ones included.
    if (entry.lastWrittenNs === 0n) continue;
    if (createdNs === null || entry.createdNs < createdNs) createdNs = entry.createdNs;
    if (lastNs === null || entry.lastWrittenNs > lastNs) lastNs = entry.lastWrittenNs;
  }
  if (createdNs === null || lastNs === null) return [];
  const core = backend.coreBindings.map((b) => columnInfo(b.name, b.name, b.type, createdNs!, lastNs!));
  const attributes = catalog
    .columnsOf(names)
    .map(({ column, createdNs: c, lastWrittenNs: l }) => columnInfo(backend.attributeColumn(column.id), column.keyName, column.type, c, l));
  return [...core, ...attributes];
}

/** The query schema of the selected datasets: the core bindings, then each attribute column by its key. */
export function catalogQuerySchema(catalog: CatalogReads, selector: DatasetSelector, backend: BackendColumns): QuerySchema {
  const bindings = new Map<string, ColumnBinding>();
  for (const binding of backend.coreBindings) bindings.set(binding.name, binding);
  for (const { column } of catalog.columnsOf(selectedDatasetNames(catalog, selector))) {
    const physical = backend.attributeColumn(column.id);
    bindings.set(column.keyName, { name: column.keyName, type: column.type, sql: physical, physicalColumns: [physical] });
  }
  const list = [...bindings.values()];
  return { column: (name) => bindings.get(name), columns: () => list, roles: backend.roles };
}

function columnInfo(id: string, keyName: string, type: ColumnInfo['type'], createdNs: bigint, lastNs: bigint): ColumnInfo {
  return {
    id,
    key_name: keyName,
    type,
    description: '',
    hidden: false,
    created_at: formatRfc3339Nanos(createdNs),
    updated_at: formatRfc3339Nanos(createdNs),
    last_written: formatRfc3339Nanos(lastNs),
  };
}
