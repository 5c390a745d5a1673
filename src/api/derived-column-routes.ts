import crypto from 'node:crypto';
import { ALL_DATASETS } from '../core/dataset-name.js';
import { BadRequestError, NotFoundError, WaggleError } from '../core/errors.js';
import { DERIVED_LIMITS } from '../core/limits/derived-limits.js';
import { SAVED_LIMITS } from '../core/limits/saved-limits.js';
import { checkCalculatedField } from '../derived/calculated-field-schema.js';
import type { DerivedColumnCatalog, StoredDerivedColumn } from '../derived/derived-column-catalog.js';
import { duckdbDialect } from '../query/compile/duckdb-dialect.js';
import { schemaWithFields } from '../query/query-engine.js';
import type { ColumnType } from '../query/query-schema.js';
import type { SpanStore } from '../store/span-store.js';
import { resolveDataset } from './dataset-selector.js';
import { sendJson } from './http-io.js';
import type { HttpRouter } from './http-router.js';
import { optionalText, readObjectBody } from './json-body-fields.js';
import { dialectOf } from '../query/compile/store-dialects.js';

const MAX_ALIAS_CHARS = 255;

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Honeycomb's shape: the dataset is in the path, not the body. */
function present(column: StoredDerivedColumn): Omit<StoredDerivedColumn, 'dataset'> {
  const { dataset: _dataset, ...rest } = column;
  return rest;
}

/**
 * Honeycomb's Derived Columns API: /1/derived_columns/:dataset (POST, GET, GET ?alias=) and
 * /1/derived_columns/:dataset/:id (GET, PUT, DELETE). `__all__` holds environment-wide fields.
 * An expression is parsed, type-checked against the dataset's columns and compiled before it is
 * stored: a bad one is a 400 whose JSON names the position.
 */
export function addDerivedColumnRoutes(router: HttpRouter, store: SpanStore, catalog: DerivedColumnCatalog): void {
  const columns = catalog.columns;
  const key = (dataset: string): string => {
    const k = catalog.datasetKey(dataset);
    if (k === undefined) throw new NotFoundError(`dataset '${dataset}' not found`);
    return k;
  };
  const find = (dataset: string, id: string): StoredDerivedColumn => {
    const column = columns.get(id);
    if (!column || column.dataset !== key(dataset)) throw new NotFoundError(`no derived column ${id} in dataset ${dataset}`);
    return column;
  };

  /** Alias, expression and description of a create or update, checked against the dataset's columns and the other fields it may use. */
  const fields = async (dataset: string, body: Record<string, unknown>, current?: StoredDerivedColumn): Promise<Pick<StoredDerivedColumn, 'alias' | 'expression' | 'description'>> => {
    const alias = optionalText(body, 'alias', MAX_ALIAS_CHARS) ?? current?.alias;
    if (alias === undefined || alias === '') throw new BadRequestError('alias: required, the name queries use for the field');
    const expression = optionalText(body, 'expression', DERIVED_LIMITS.expressionChars.value) ?? current?.expression;
    if (expression === undefined) throw new BadRequestError('expression: required, e.g. IF(GT($duration_ms, 500), "slow", "ok")');
    const description = optionalText(body, 'description', SAVED_LIMITS.descriptionChars.value) ?? current?.description ?? '';
    const datasetKey = key(dataset);
    const clash = columns.list((c) => c.dataset === datasetKey && c.alias === alias && c.id !== current?.id);
    if (clash.length > 0) throw new WaggleError('conflict', `alias: a derived column named '${alias}' already exists in ${dataset} (id ${clash[0]!.id})`);
    const selector = await resolveDataset(store, dataset);
    const schema = await store.querySchema(selector);
    if (schema.column(alias) !== undefined) throw new WaggleError('conflict', `alias: ${dataset} already has a column named '${alias}'`);
    const selectorKey = datasetKey === ALL_DATASETS ? ({ kind: 'all' } as const) : selector;
    checkCalculatedField(schema, catalog.fieldsFor(selectorKey), { name: alias, expression }, duckdbDialect);
    return { alias, expression, description };
  };

  router.add('POST', '/1/derived_columns/:dataset', async ({ req, res, params }) => {
    const dataset = params['dataset']!;
    const datasetKey = key(dataset);
    const body = await readObjectBody(req);
    const max = DERIVED_LIMITS.fieldsPerDataset.value;
    if (columns.list((c) => c.dataset === datasetKey).length >= max) throw new WaggleError('conflict', `${dataset} has ${max} derived columns, the most Waggle keeps (derived.fieldsPerDataset): delete some first`);
    const at = now();
    const column: StoredDerivedColumn = { id: crypto.randomBytes(6).toString('base64url'), dataset: datasetKey, ...(await fields(dataset, body)), created_at: at, updated_at: at };
    await columns.put(column);
    sendJson(res, 201, present(column));
  });

  /**
   * Waggle adds each field's result `type` (string, integer, float, boolean) to the list, so the
   * query builder offers the right operators; absent when the field no longer compiles.
   */
  const typesOf = async (dataset: string): Promise<(alias: string) => ColumnType | undefined> => {
    const selector = await resolveDataset(store, dataset);
    const schema = schemaWithFields(await store.querySchema(selector), undefined, catalog.fieldsFor(selector), dialectOf(store.capabilities));
    return (alias) => {
      try {
        return schema.column(alias)?.type;
      } catch {
        return undefined;
      }
    };
  };

  router.add('GET', '/1/derived_columns/:dataset', async ({ res, params, url }) => {
    const datasetKey = key(params['dataset']!);
    const alias = url.searchParams.get('alias');
    const list = columns.list((c) => c.dataset === datasetKey).sort((a, b) => a.alias.localeCompare(b.alias));
    const typeOf = await typesOf(params['dataset']!);
    const withType = (c: StoredDerivedColumn): Record<string, unknown> => {
      const type = typeOf(c.alias);
      return { ...present(c), ...(type === undefined ? {} : { type }) };
    };
    if (alias === null) return sendJson(res, 200, list.map(withType));
    const found = list.find((c) => c.alias === alias);
    if (!found) throw new NotFoundError(`no derived column with alias '${alias}' in dataset ${params['dataset']}`);
    sendJson(res, 200, withType(found));
  });

  router.add('GET', '/1/derived_columns/:dataset/:id', async ({ res, params }) => {
    sendJson(res, 200, present(find(params['dataset']!, params['id']!)));
  });

  router.add('PUT', '/1/derived_columns/:dataset/:id', async ({ req, res, params }) => {
    const current = find(params['dataset']!, params['id']!);
    const body = await readObjectBody(req);
    const column: StoredDerivedColumn = { ...current, ...(await fields(params['dataset']!, body, current)), updated_at: now() };
    await columns.put(column);
    sendJson(res, 200, present(column));
  });

  router.add('DELETE', '/1/derived_columns/:dataset/:id', async ({ res, params }) => {
    const column = find(params['dataset']!, params['id']!);
    await columns.delete(column.id);
    res.writeHead(204).end();
  });
}
