import { ALL_DATASETS } from '../core/dataset-name.js';
import { BadRequestError, NotFoundError, WaggleError } from '../core/errors.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import type { ColumnType } from '../query/query-schema.js';
import { JsonCollectionStore } from '../store/saved/json-collection-store.js';
import type { ColumnInfo, SpanStore } from '../store/span-store.js';
import { resolveDataset } from './dataset-selector.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { optionalBoolean, optionalText, readObjectBody } from './json-body-fields.js';

/**
 * What the API adds to a dataset's column: a description, `hidden`, and columns declared through
 * POST before any event holds them. Kept beside the store's catalog, keyed by dataset slug and key.
 */
export interface ColumnSettings {
  /** `<dataset slug>\n<key_name>`. */
  id: string;
  dataset: string;
  key_name: string;
  /** Set for a column declared through the API: its id until events write it, and its type. */
  declared: { id: string; type: ColumnType } | null;
  description: string;
  hidden: boolean;
  created_at: string;
  updated_at: string;
  /** A deleted column is left out of the list until an event writes it again. */
  deleted_at: string | null;
}

/** Ids the store gives attribute columns; core columns (name, duration_ms, ...) have their name as id. */
const ATTRIBUTE_COLUMN_ID = /^c\d+$/;

const COLUMN_TYPES: readonly ColumnType[] = ['string', 'integer', 'float', 'boolean'];

function settingsId(dataset: string, keyName: string): string {
  return `${dataset}\n${keyName}`;
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function columnType(body: Record<string, unknown>): ColumnType | undefined {
  const value = body['type'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(value)) throw new BadRequestError(`type: must be one of ${COLUMN_TYPES.join(', ')}`);
  return value as ColumnType;
}

/** Honeycomb's Columns API: list (and ?key_name=), get, create, update, delete. */
export function addColumnRoutes(router: HttpRouter, store: SpanStore, settings: JsonCollectionStore<ColumnSettings>): void {
  const maxDescription = SAVED_LIMITS.descriptionChars.value;

  /** The dataset's slug (or __all__) and its columns as the API shows them. */
  const columnsOf = async (dataset: string): Promise<{ slug: string; columns: ColumnInfo[] }> => {
    const selector = await resolveDataset(store, dataset);
    const slug = selector.kind === 'all' ? ALL_DATASETS : store.findDataset(dataset)!.info.slug;
    const stored = await store.listColumns(selector);
    if (slug === ALL_DATASETS) return { slug, columns: stored };
    const columns: ColumnInfo[] = [];
    const seen = new Set<string>();
    for (const column of stored) {
      seen.add(column.key_name);
      const extra = settings.get(settingsId(slug, column.key_name));
      if (!extra) {
        columns.push(column);
        continue;
      }
      if (extra.deleted_at !== null && column.last_written <= extra.deleted_at) continue;
      columns.push({ ...column, description: extra.description, hidden: extra.hidden, updated_at: extra.updated_at > column.updated_at ? extra.updated_at : column.updated_at });
    }
    for (const extra of settings.list((s) => s.dataset === slug && s.declared !== null && s.deleted_at === null && !seen.has(s.key_name))) {
      columns.push({
        id: extra.declared!.id,
        key_name: extra.key_name,
        type: extra.declared!.type,
        description: extra.description,
        hidden: extra.hidden,
        created_at: extra.created_at,
        updated_at: extra.updated_at,
        last_written: extra.created_at,
      });
    }
    return { slug, columns };
  };

  const findColumn = async (dataset: string, id: string): Promise<{ slug: string; column: ColumnInfo }> => {
    const { slug, columns } = await columnsOf(dataset);
    const column = columns.find((c) => c.id === id);
    if (!column) throw new NotFoundError(`no column ${id} in dataset ${dataset}`);
    return { slug, column };
  };

  const settingsFor = (slug: string, column: ColumnInfo): ColumnSettings =>
    settings.get(settingsId(slug, column.key_name)) ?? {
      id: settingsId(slug, column.key_name),
      dataset: slug,
      key_name: column.key_name,
      declared: null,
      description: '',
      hidden: false,
      created_at: column.created_at,
      updated_at: column.updated_at,
      deleted_at: null,
    };

  router.add('GET', '/1/columns/:dataset', async ({ res, params, url }) => {
    const { columns } = await columnsOf(params['dataset']!);
    const keyName = url.searchParams.get('key_name');
    if (keyName === null) {
      sendJson(res, 200, columns);
      return;
    }
    const column = columns.find((c) => c.key_name === keyName);
    if (!column) throw new NotFoundError(`no column '${keyName}' in dataset ${params['dataset']}`);
    sendJson(res, 200, column);
  });

  router.add('GET', '/1/columns/:dataset/:id', async ({ res, params }) => {
    sendJson(res, 200, (await findColumn(params['dataset']!, params['id']!)).column);
  });

  router.add('POST', '/1/columns/:dataset', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    if (dataset === ALL_DATASETS) throw new BadRequestError(`a column is created in one dataset, not in ${ALL_DATASETS}`);
    const { slug, columns } = await columnsOf(dataset);
    const body = await readObjectBody(req);
    const keyName = optionalText(body, 'key_name', SAVED_LIMITS.columnKeyChars.value);
    if (keyName === undefined || keyName.trim() === '') throw new BadRequestError('key_name: required, the column name');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(keyName)) throw new BadRequestError('key_name: must not contain control characters');
    if (columns.some((c) => c.key_name === keyName)) throw new WaggleError('conflict', `a column '${keyName}' exists in dataset ${dataset}`);
    const type = columnType(body) ?? 'string';
    const now = nowSeconds();
    const created: ColumnSettings = {
      id: settingsId(slug, keyName),
      dataset: slug,
      key_name: keyName,
      declared: { id: `d${JsonCollectionStore.newId()}`, type },
      description: optionalText(body, 'description', maxDescription) ?? '',
      hidden: optionalBoolean(body, 'hidden') ?? false,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await settings.put(created);
    sendJson(res, 201, (await findColumn(dataset, created.declared!.id)).column);
  });

  router.add('PUT', '/1/columns/:dataset/:id', async ({ req, res, params }) => {
    const { slug, column } = await findColumn(params['dataset']!, params['id']!);
    if (slug === ALL_DATASETS) throw new BadRequestError(`columns are updated in their dataset, not in ${ALL_DATASETS}`);
    const body = await readObjectBody(req);
    const keyName = body['key_name'];
    if (keyName !== undefined && keyName !== column.key_name) throw new BadRequestError('key_name: renaming a column is not supported');
    const current = settingsFor(slug, column);
    const type = columnType(body);
    let declared = current.declared;
    if (type !== undefined && type !== column.type) {
      // Waggle fixes a written column's type by its first value (README, Data model).
      if (declared === null || column.id !== declared.id) throw new BadRequestError(`type: this column holds ${column.type} values; its type cannot be changed`);
      declared = { ...declared, type };
    }
    await settings.put({
      ...current,
      declared,
      description: optionalText(body, 'description', maxDescription) ?? current.description,
      hidden: optionalBoolean(body, 'hidden') ?? current.hidden,
      updated_at: nowSeconds(),
    });
    sendJson(res, 200, (await findColumn(params['dataset']!, params['id']!)).column);
  });

  router.add('DELETE', '/1/columns/:dataset/:id', async ({ res, params }) => {
    const { slug, column } = await findColumn(params['dataset']!, params['id']!);
    if (slug === ALL_DATASETS) throw new BadRequestError(`columns are deleted in their dataset, not in ${ALL_DATASETS}`);
    const current = settingsFor(slug, column);
    const declaredOnly = current.declared !== null && current.declared.id === column.id;
    if (!declaredOnly && !ATTRIBUTE_COLUMN_ID.test(column.id)) throw new WaggleError('conflict', `'${column.key_name}' is a core column of every span and cannot be deleted`);
    if (declaredOnly) await settings.delete(current.id);
    else await settings.put({ ...current, declared: null, deleted_at: column.last_written });
    res.writeHead(204).end();
  });
}
