import { ALL_DATASETS } from '../core/dataset-name.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';
import type { CalculatedField } from './calculated-field.js';

/** A stored calculated field, in Honeycomb's derived-column shape (plus the dataset it belongs to). */
export interface StoredDerivedColumn {
  id: string;
  /** The dataset's slug, or `__all__` for an environment-wide field. */
  dataset: string;
  alias: string;
  expression: string;
  description: string;
  created_at: string;
  updated_at: string;
}

/**
 * The calculated fields a query of a dataset may use: the dataset's own and the environment-wide
 * ones (`__all__`); a query of `__all__` sees the environment-wide ones only. A dataset's own field
 * wins over an environment-wide field of the same alias.
 */
export class DerivedColumnCatalog {
  constructor(
    private readonly store: SpanStore,
    readonly columns: JsonCollectionStore<StoredDerivedColumn>,
  ) {}

  /** The slug fields of `:dataset` are kept under (`__all__` as is); undefined for an unknown dataset. */
  datasetKey(dataset: string): string | undefined {
    if (dataset === ALL_DATASETS) return ALL_DATASETS;
    return this.store.findDataset(dataset)?.info.slug;
  }

  fieldsFor(selector: DatasetSelector): CalculatedField[] {
    const key = selector.kind === 'all' ? ALL_DATASETS : this.store.findDataset(selector.name)?.info.slug;
    const environment = this.columns.list((c) => c.dataset === ALL_DATASETS);
    const own = key === undefined || key === ALL_DATASETS ? [] : this.columns.list((c) => c.dataset === key);
    return [...environment, ...own].map((c) => ({ name: c.alias, expression: c.expression }));
  }
}
