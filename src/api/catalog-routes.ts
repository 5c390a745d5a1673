import { datasetNameProblem } from '../core/dataset-name.js';
import { BadRequestError, NotFoundError } from '../core/errors.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import type { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { DatasetInfo, SpanStore } from '../store/span-store.js';
import { formatRetention, parseRetention } from '../core/retention-duration.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { optionalBoolean, optionalInteger, optionalText, readObjectBody } from './json-body-fields.js';

/**
 * A dataset's settings, kept beside the store's catalog (keyed by slug). Stored, not enforced:
 * Waggle does not unpack nested JSON (expand_json_depth) and deletes no datasets yet.
 */
export interface DatasetSettings {
  /** The dataset's slug. */
  id: string;
  description: string;
  expand_json_depth: number;
  delete_protected: boolean;
}

/** Honeycomb's bounds on expand_json_depth. */
const MAX_EXPAND_JSON_DEPTH = 10;

/** A dataset shaped as Honeycomb's Dataset object. */
export interface DatasetResponse {
  name: string;
  description: string;
  settings: { delete_protected: boolean };
  expand_json_depth: number;
  slug: string;
  regular_columns_count: number | null;
  last_written_at: string | null;
  created_at: string;
  /** Waggle's: the dataset's own retention (`30d`), null when it follows WAGGLE_RETENTION. */
  retention: string | null;
  /** Waggle's: how long the dataset keeps events, its own retention or the store-wide one (null: forever). */
  effective_retention: string | null;
}

/** Honeycomb gives seconds (`2022-07-21T18:39:23Z`); the store keeps nanoseconds. */
function toSeconds(rfc3339: string): string {
  return rfc3339.replace(/\.\d+Z$/, 'Z');
}

function present(info: DatasetInfo, settings: DatasetSettings | undefined, retention: { retentionNs: bigint | null; overrideNs: bigint | null }): DatasetResponse {
  return {
    name: info.name,
    description: settings?.description ?? '',
    settings: { delete_protected: settings?.delete_protected ?? false },
    expand_json_depth: settings?.expand_json_depth ?? 0,
    slug: info.slug,
    regular_columns_count: info.regular_columns_count,
    last_written_at: info.last_written_at === null ? null : toSeconds(info.last_written_at),
    created_at: toSeconds(info.created_at),
    retention: retention.overrideNs === null ? null : formatRetention(retention.overrideNs),
    effective_retention: retention.retentionNs === null ? null : formatRetention(retention.retentionNs),
  };
}

/** The `retention` field: absent (undefined), null (follow WAGGLE_RETENTION) or a duration such as `30d`. */
function optionalRetention(body: Record<string, unknown>): bigint | null | undefined {
  const value = body['retention'];
  if (value === undefined || value === null) return value;
  const ns = typeof value === 'string' ? parseRetention(value) : null;
  if (ns === null) throw new BadRequestError('retention: must be null or a duration such as 60d, 12h, 30m or 90s (at most 36500d)');
  return ns;
}

/** Honeycomb's Datasets API: GET and POST /1/datasets, GET and PUT /1/datasets/:slug. */
export function addCatalogRoutes(router: HttpRouter, store: SpanStore, settings: JsonCollectionStore<DatasetSettings>): void {
  const describe = (info: DatasetInfo): DatasetResponse => {
    const key = store.findDataset(info.slug)?.selector.name ?? info.slug;
    return present(info, settings.get(info.slug), store.datasetRetention(key));
  };
  const maxDescription = SAVED_LIMITS.descriptionChars.value;

  router.add('GET', '/1/datasets', async ({ res }) => {
    sendJson(res, 200, (await store.listDatasets()).map(describe));
  });

  // Idempotent, as Honeycomb's: 201 with a new dataset, 200 with the one that has the name's slug.
  router.add('POST', '/1/datasets', async ({ req, res }) => {
    const body = await readObjectBody(req);
    const name = body['name'];
    if (typeof name !== 'string') throw new BadRequestError('name: required, a string');
    const problem = datasetNameProblem(name);
    if (problem !== null) throw new BadRequestError(`name: ${problem}`);
    const description = optionalText(body, 'description', maxDescription);
    const depth = optionalInteger(body, 'expand_json_depth', 0, MAX_EXPAND_JSON_DEPTH);
    const retention = optionalRetention(body);
    const { info, created } = await store.createDataset(name);
    if (created && retention !== undefined) await store.setDatasetRetention(store.findDataset(info.slug)!.selector.name, retention);
    if (created && (description !== undefined || depth !== undefined)) {
      await settings.put({ id: info.slug, description: description ?? '', expand_json_depth: depth ?? 0, delete_protected: false });
    }
    sendJson(res, created ? 201 : 200, describe(info));
  });

  router.add('GET', '/1/datasets/:slug', async ({ res, params }) => {
    const found = store.findDataset(params['slug']!);
    if (!found) throw new NotFoundError(`dataset '${params['slug']}' not found`);
    sendJson(res, 200, describe(found.info));
  });

  // A PUT replaces every setting: an omitted field goes back to its default, as Honeycomb documents.
  router.add('PUT', '/1/datasets/:slug', async ({ req, res, params }) => {
    const found = store.findDataset(params['slug']!);
    if (!found) throw new NotFoundError(`dataset '${params['slug']}' not found`);
    const body = await readObjectBody(req);
    const description = optionalText(body, 'description', maxDescription) ?? '';
    const depth = optionalInteger(body, 'expand_json_depth', 0, MAX_EXPAND_JSON_DEPTH) ?? 0;
    const nested = body['settings'];
    if (nested !== undefined && nested !== null && (typeof nested !== 'object' || Array.isArray(nested))) throw new BadRequestError('settings: must be an object');
    const deleteProtected = nested ? optionalBoolean(nested as Record<string, unknown>, 'delete_protected') : undefined;
    const retention = optionalRetention(body) ?? null;
    await store.setDatasetRetention(found.selector.name, retention);
    await settings.put({ id: found.info.slug, description, expand_json_depth: depth, delete_protected: deleteProtected ?? false });
    sendJson(res, 200, describe(found.info));
  });
}
