import { ALL_DATASETS, datasetSlug } from '../core/dataset-name.js';
import { NotFoundError } from '../core/errors.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';

/**
 * The datasets a `:dataset` of the API denotes: `__all__` means every dataset of the environment;
 * otherwise a dataset's name or slug, in any case (`My Dataset`, `my dataset`, `my-dataset`).
 */
export async function resolveDataset(store: SpanStore, dataset: string): Promise<DatasetSelector> {
  if (dataset === ALL_DATASETS) return { kind: 'all' };
  const found = store.findDataset(dataset);
  if (!found) throw new NotFoundError(`dataset '${dataset}' not found: no events have been sent to it`);
  return found.selector;
}

/** Whether two `:dataset` values of the API denote the same dataset (a name and its slug do). */
export function sameDataset(a: string, b: string): boolean {
  return datasetSlug(a) === datasetSlug(b);
}
