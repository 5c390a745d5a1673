import { INGEST_LIMITS } from './limits/ingest-limits.js';

/** The dataset name that means "every dataset of the environment" in the API; never a dataset of its own. */
export const ALL_DATASETS = '__all__';

/** Where spans go whose service.name is absent or cannot name a dataset (as Honeycomb does for a missing one). */
export const FALLBACK_DATASET = 'unknown_service';

/**
 * Why a name cannot name a dataset, or null when it can. Names keep their case and spaces
 * (Honeycomb shows `My Dataset`); what is refused would break URLs, logs or the API: empty names,
 * control characters (a `%00` in a URL), `/` (Honeycomb refuses URL-encoded slashes too), names
 * longer than Honeycomb's 255 characters, and the reserved `__all__`.
 */
export function datasetNameProblem(name: string): string | null {
  if (name.trim() === '') return 'dataset name must not be empty';
  const max = INGEST_LIMITS.datasetNameChars.value;
  if ([...name].length > max) return `dataset name is longer than ${max} characters`;
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(name);
  if (control) return `dataset name must not contain control characters (found U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`;
  if (name.includes('/')) return "dataset name must not contain '/'";
  if (name.trim().toLowerCase() === ALL_DATASETS) return `'${ALL_DATASETS}' is reserved: it means every dataset`;
  return null;
}

/**
 * The URL form of a dataset name, as Honeycomb derives it (`My Dataset!` → `my-dataset-`): lower
 * case, every character other than a-z, 0-9, `-` and `_` replaced by `-`. Two names with one slug
 * are one dataset, which is why names are case-insensitive.
 */
export function datasetSlug(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}
