import type { CalculatedField } from '../derived/calculated-field.js';
import { withCalculatedFields } from '../derived/calculated-field-schema.js';
import type { AutocompleteCatalog, Completion } from './autocomplete/autocomplete-catalog.js';
import { completeTextQuery } from './autocomplete/text-query-completer.js';
import type { CompileOptions } from './compile/compile-context.js';
import type { CompiledQuery, QueryParameter } from './compile/compiled-query.js';
import { SQL_DIALECTS } from './compile/store-dialects.js';
import { duckdbDialect } from './compile/duckdb-dialect.js';
import type { SqlDialect } from './compile/sql-dialect.js';
import { calculatedFieldOf, compileQuery } from './compile/query-compiler.js';
import { shapeQueryResult, type QueryResultData } from './compile/query-result-shaper.js';
import { compileRawEvents, compileRawEventsSpan, type CompiledRawEvents, type RawEventsPage, type RawEventsSpan } from './compile/raw-events-compiler.js';
import { resolveQueryColumns } from './query-column-resolver.js';
import type { QuerySchema } from './query-schema.js';
import type { QuerySpec } from './query-spec.js';
import { validateQuerySpec } from './query-spec-validator.js';
import { parseTextQuery } from './text/text-query-parser.js';
import { printTextQuery } from './text/text-query-printer.js';

/**
 * The query engine as the API and CLI use it: pure functions from spec or text to SQL and from
 * rows to Honeycomb's result data. All of them throw InvalidQueryError (400) for a bad query.
 */

export interface PrepareOptions {
  /** The caller will not ask for the series (limit up to 10 000). */
  readonly disableSeries?: boolean;
  /** Stored calculated fields of the dataset (and environment-wide ones), usable as columns. */
  readonly calculatedFields?: readonly CalculatedField[];
  /** The store's dialect (dialectOf(store.capabilities)): calculated fields are checked against it. DuckDB when absent. */
  readonly dialect?: SqlDialect;
}

/** A spec from JSON (POST /1/queries): validated, normalized, its columns checked against the dataset. */
export function prepareQuerySpec(input: unknown, schema: QuerySchema, options: PrepareOptions = {}): QuerySpec {
  const spec = validateQuerySpec(input, options);
  resolveQueryColumns(spec, schemaWithFields(schema, spec, options.calculatedFields ?? [], options.dialect));
  return spec;
}

/** A text query: parsed, validated and checked against the dataset; errors carry a position. */
export function prepareTextQuery(text: string, schema: QuerySchema, options: PrepareOptions = {}): QuerySpec {
  const { calculatedFields, dialect, ...rest } = options;
  return parseTextQuery(text, { ...rest, schema: schemaWithFields(schema, undefined, calculatedFields ?? [], dialect) });
}

/**
 * The schema plus stored calculated fields and the spec's own (these win), for checking a query
 * (nothing is compiled into a statement). `dialect`: the store's (dialectOf(store.capabilities)),
 * so a field the store cannot compile is refused here, not when the query runs.
 */
export function schemaWithFields(schema: QuerySchema, spec: QuerySpec | undefined, stored: readonly CalculatedField[], dialect: SqlDialect = duckdbDialect): QuerySchema {
  const own = spec?.calculated_fields ?? [];
  return withCalculatedFields(schema, [...stored, ...own], { dialect, ...(spec === undefined ? {} : { fieldOf: calculatedFieldOf(spec) }) });
}

/** The text form of a spec (for links and the UI); parsing it gives the same spec back. */
export function querySpecToText(spec: QuerySpec, multiline = false): string {
  return printTextQuery(spec, { multiline });
}


/** One statement for the query in the store's dialect; the store runs it with its parameters. */
export function compileQueryFor(dialect: keyof typeof SQL_DIALECTS, spec: QuerySpec, schema: QuerySchema, options: CompileOptions): CompiledQuery {
  return compileQuery(spec, schema, SQL_DIALECTS[dialect], options);
}

/** One statement in the store's dialect listing the events behind a spec, newest first (GET /api/raw-events). */
export function compileRawEventsFor(dialect: keyof typeof SQL_DIALECTS, spec: QuerySpec, schema: QuerySchema, options: CompileOptions, page: RawEventsPage, span?: RawEventsSpan): CompiledRawEvents {
  return compileRawEvents(spec, schema, SQL_DIALECTS[dialect], options, page, span);
}

/** The first step of a raw-events page: where in time the page lies (compileRawEventsSpan). */
export function compileRawEventsSpanFor(dialect: keyof typeof SQL_DIALECTS, spec: QuerySpec, schema: QuerySchema, options: CompileOptions, page: Pick<RawEventsPage, 'limit' | 'offset'>): { sql: string; parameters: readonly QueryParameter[] } {
  return compileRawEventsSpan(spec, schema, SQL_DIALECTS[dialect], options, page);
}

/** Rows of the compiled statement (getRowsJS order) → `{series, results}`. */
export function shapeCompiledResult(compiled: CompiledQuery, rows: ReadonlyArray<readonly unknown[]>): QueryResultData {
  return shapeQueryResult(compiled.layout, rows);
}

/** Completions for GET /api/autocomplete. */
export function autocompleteQuery(text: string, cursor: number, catalog: AutocompleteCatalog): Completion[] {
  return completeTextQuery(text, cursor, catalog);
}

/** The UI address of a query, for links.query_url. */
export function queryUiPath(dataset: string, spec: QuerySpec): string {
  return `/query?dataset=${encodeURIComponent(dataset)}&q=${encodeURIComponent(printTextQuery(spec))}`;
}
