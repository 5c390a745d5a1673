import { NotFoundError } from '../core/errors.js';
import type { DatasetSelector, SpanStore } from '../store/span-store.js';

/** `__all__` means every dataset of the environment; names are case-insensitive. */
export async function resolveDataset(store: SpanStore, dataset: string): Promise<DatasetSelector> {
  if (dataset === '__all__') return { kind: 'all' };
  const name = dataset.toLowerCase();
  const known = await store.listDatasets();
  if (!known.some((d) => d.name === name)) throw new NotFoundError(`dataset '${dataset}' not found: no events have been sent to it`);
  return { kind: 'one', name };
}
