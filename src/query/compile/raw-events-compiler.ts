import { formatRfc3339Nanos } from '../../core/unix-nanos.js';
import { resolveQueryColumns } from '../query-column-resolver.js';
import type { QuerySchema } from '../query-schema.js';
import type { QuerySpec } from '../query-spec.js';
import type { CompileContext, CompileOptions } from './compile-context.js';
import type { QueryParameter } from './compiled-query.js';
import { buildEventScan, type EventScan } from './event-scan-sql.js';
import { scalar } from './query-result-shaper.js';
import { resolveQueryWindow } from './query-window.js';
import type { SqlDialect } from './sql-dialect.js';
import { SqlParameters } from './sql-parameters.js';

const UTF8 = new TextEncoder();

/** Which rows of the events behind a query to read, and which of their columns. */
export interface RawEventsPage {
  /** Written column names (a `root.`/`parent.` prefix allowed), validated by the caller's bounds. */
  readonly columns: readonly string[];
  readonly limit: number;
  readonly offset: number;
  /**
   * Bytes of JSON the page may take (its values' text plus their keys, estimated in the query):
   * rows after the one that crosses it are left out, so wide or long values make a shorter page.
   */
  readonly maxBytes: number;
}

export interface CompiledRawEvents {
  readonly sql: string;
  readonly parameters: readonly QueryParameter[];
  /** Output columns: `timestamp`, then the page's columns, in row order; each row then ends with the page's row count before maxBytes cut it. */
  readonly columns: readonly string[];
}

/** One raw event: `timestamp` (RFC 3339, nanoseconds) and each asked column; null when the event lacks it. */
export type RawEventRow = Record<string, string | number | boolean | null>;

/**
 * The events a query's filters and time range select, newest first, one row per event: the same
 * event scan every query starts with (filters, relational prefixes and the time range compiled
 * exactly as for a calculation, values as bound parameters), with the asked columns read as
 * "breakdowns" of single events instead of grouped. Ties on the timestamp are broken by the
 * columns in order, so paging by offset is stable. Calculations, orders and havings of the spec
 * play no part: they summarise events, and these are the events. The page is then cut where its
 * estimated JSON reaches `maxBytes` (a running sum over the page's own rows, after LIMIT), and each
 * row carries the page's uncut row count, so the caller knows it was cut.
 * @throws InvalidQueryError for a column the schema lacks.
 */
export function compileRawEvents(spec: QuerySpec, schema: QuerySchema, dialect: SqlDialect, options: CompileOptions, page: RawEventsPage, span?: RawEventsSpan): CompiledRawEvents {
  // With the page's span: only its nanoseconds are read (the scan's time range prunes the rest), and
  // the events newer than it that sort before it are skipped from there instead of from the newest.
  const { params, scan } = eventRows(spec, schema, dialect, options, page.columns, span);
  const order = ['__ts DESC', ...scan.groupColumns.map((g) => `${g} ASC NULLS LAST`)].join(', ');
  const limit = params.add({ type: 'bigint', value: BigInt(page.limit) });
  const offset = params.add({ type: 'bigint', value: BigInt(span === undefined ? page.offset : page.offset - span.newer) });
  const select = ['__ts', ...scan.groupColumns].join(', ');
  const columns = ['timestamp', ...page.columns];
  // A row's JSON: its values as text (a timestamp is 32 characters) and, per column, its quoted key, colon, comma and quotes.
  const keyBytes = columns.reduce((sum, name) => sum + UTF8.encode(JSON.stringify(name)).length + 4, 2) + 32;
  const valueBytes = scan.groupColumns.map((g) => `coalesce(${dialect.textBytes(dialect.toText(g))}, 0)`);
  const rowBytes = [String(keyBytes), ...valueBytes].join(' + ');
  const maxBytes = params.add({ type: 'bigint', value: BigInt(page.maxBytes) });
  const sql =
    `WITH ${scan.ctes.join(',\n')},\n` +
    `__page AS (SELECT ${select} FROM __base ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}),\n` +
    `__sized AS (SELECT ${select}, sum(${rowBytes}) OVER (ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS __before, count(*) OVER () AS __page_rows FROM __page)\n` +
    `SELECT ${select}, __page_rows FROM __sized WHERE coalesce(__before, 0) < ${maxBytes} ORDER BY ${order}`;
  return { sql, parameters: params.values(), columns };
}

/**
 * Where a page of raw events lies in time: the newest and oldest timestamp of its events, and how
 * many of the events the query selects are newer than the newest (those sort before the page
 * whatever their columns; the page's first `offset - newer` events at `newestNs` belong to earlier
 * pages). A page with no events has none (rawEventsSpan answers null).
 */
export interface RawEventsSpan {
  readonly newestNs: bigint;
  readonly oldestNs: bigint;
  readonly newer: number;
}

/**
 * The first step of a page of raw events: the page's span, found by sorting the selected events'
 * timestamps alone (the query's filters, no other column). The page itself (compileRawEvents with
 * the span) then sorts only the events of those nanoseconds with all their columns. Sorting the
 * newest offset + limit events whole took DuckDB past its memory limit for wide events: 5 100 of
 * 190 attributes (a page of 100 at offset 5 000) failed with 503 on a quiet server, and the first
 * page of a 10 000-event export over 30 000 such events too, RSS up to 1 057 MiB.
 */
export function compileRawEventsSpan(spec: QuerySpec, schema: QuerySchema, dialect: SqlDialect, options: CompileOptions, page: Pick<RawEventsPage, 'limit' | 'offset'>): { sql: string; parameters: readonly QueryParameter[] } {
  const { params, scan } = eventRows(spec, schema, dialect, options, [], undefined);
  const top = params.add({ type: 'bigint', value: BigInt(page.offset + page.limit) });
  const offset = params.add({ type: 'bigint', value: BigInt(page.offset) });
  // One pass over the newest offset + limit timestamps: numbered newest first, the page is those
  // numbered past the offset; `newer` counts the ones after the page's newest nanosecond.
  const paged = `CASE WHEN __i > ${offset} THEN __ts END`;
  const sql =
    `WITH ${scan.ctes.join(',\n')},\n` +
    `__top AS (SELECT __ts FROM __base ORDER BY __ts DESC LIMIT ${top}),\n` +
    `__ranked AS (SELECT __ts, row_number() OVER (ORDER BY __ts DESC) AS __i FROM __top),\n` +
    `__spanned AS (SELECT __ts, max(${paged}) OVER () AS __newest, min(${paged}) OVER () AS __oldest FROM __ranked)\n` +
    `SELECT max(__newest), max(__oldest), count(CASE WHEN __ts > __newest THEN 1 END) FROM __spanned`;
  return { sql, parameters: params.values() };
}

/** The span the first step found, or null when the page has no events. */
export function rawEventsSpan(rows: ReadonlyArray<readonly unknown[]>): RawEventsSpan | null {
  const [newest, oldest, newer] = rows[0] ?? [];
  const asBigInt = (value: unknown): bigint | null => (typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : null);
  const newestNs = asBigInt(newest);
  const oldestNs = asBigInt(oldest);
  if (newestNs === null || oldestNs === null) return null;
  return { newestNs, oldestNs, newer: Number(newer ?? 0) };
}

/**
 * The event scan both steps read: the spec's filters and time range (within `span` when given),
 * its events as rows with `columns` as per-event "breakdowns", newest first by `__ts`.
 */
function eventRows(spec: QuerySpec, schema: QuerySchema, dialect: SqlDialect, options: CompileOptions, columns: readonly string[], span: RawEventsSpan | undefined): { params: SqlParameters; scan: EventScan } {
  const rowSpec: QuerySpec = { ...spec, calculations: [], breakdowns: [...columns], orders: [], havings: [] };
  const query = resolveQueryColumns(rowSpec, schema);
  const params = new SqlParameters(dialect);
  const resolved = resolveQueryWindow(rowSpec, options.nowNs);
  const window = span === undefined ? resolved : { ...resolved, startNs: span.oldestNs, endNs: span.newestNs + 1n };
  const ctx: CompileContext = { query, schema, dialect, params, window, options };
  return { params, scan: buildEventScan(ctx, { withTimestamp: true }) };
}

/** The rows of the page before `maxBytes` cut it (each row carries it; 0 for no rows). */
export function rawEventsPageRows(compiled: CompiledRawEvents, rows: ReadonlyArray<readonly unknown[]>): number {
  return Number(rows[0]?.[compiled.columns.length] ?? 0);
}

/** Rows of the compiled statement (getRowsJS order) → JSON-safe events keyed by column name. */
export function shapeRawEvents(compiled: CompiledRawEvents, rows: ReadonlyArray<readonly unknown[]>): RawEventRow[] {
  return rows.map((row) => {
    const event: RawEventRow = {};
    compiled.columns.forEach((name, i) => {
      const value = row[i];
      if (i === 0) event[name] = value === null || value === undefined ? null : formatRfc3339Nanos(BigInt(value as bigint | number));
      else event[name] = scalar(value);
    });
    return event;
  });
}
