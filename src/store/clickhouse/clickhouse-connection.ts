import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { UnavailableError } from '../../core/errors.js';
import { clickhouseStringLiteral } from './clickhouse-physical-layout.js';
import type { EncodedColumn } from './clickhouse-row-encoder.js';
import type { ClickHouseLocation } from './clickhouse-url.js';

/** A query's answer with every value converted from ClickHouse's JSON to the JS the store uses. */
export interface ClickHouseRows {
  readonly columns: string[];
  readonly types: string[];
  readonly rows: unknown[][];
}

/** ClickHouse's default bounds on a statement's text (bytes) and syntax tree (elements), which reads keep (see statementSize). */
const DEFAULT_STATEMENT_BOUNDS = { max_query_size: '262144', max_ast_elements: '50000', max_expanded_ast_elements: '500000' } as const;

/**
 * Read settings every statement runs with, so ClickHouse answers as the SQL the compiler writes
 * means it (and as DuckDB does): an outer join's missing side and a grouping set's rolled-up key
 * are NULL (not the type's default), 64-bit integers come back exact (as strings, turned into
 * bigint here; chdb would otherwise write them as lossy JSON numbers) and NaN/inf as text.
 */
const READ_SETTINGS: ClickHouseSettings = {
  join_use_nulls: 1,
  group_by_use_nulls: 1,
  union_default_mode: 'DISTINCT',
  output_format_json_quote_64bit_integers: 1,
  output_format_json_quote_denormals: 1,
  // Standard SQL: GROUPING(x) is 1 when x is rolled up.
  force_grouping_standard_compatibility: 1,
  // A write may have raised them on chdb's one session (see statementSize).
  ...DEFAULT_STATEMENT_BOUNDS,
  // strftime's %M (minutes), as calculated fields' FORMAT_TIME writes it; ClickHouse would print the month's name.
  formatdatetime_parsedatetime_m_is_month_name: 0,
};

/**
 * Settings every write states explicitly: chdb applies a statement's settings with SET on its one
 * session, so they stay for the statements after it (a query's time limit would cut a later
 * insert short; one insert's deduplication token would make the next insert a "repeat").
 */
const WRITE_SETTINGS: ClickHouseSettings = { max_execution_time: 0, insert_deduplication_token: '' };


/**
 * The bounds a store-made statement runs with: room for its own text and syntax tree (an element
 * takes at least a byte of text). A batch's column list grows with its attribute columns (an
 * ALTER adding 8 500 at once passed both defaults, an insert naming ~8 000 the text's), and a
 * statement over a bound failed at every retry, wedging every write after it. Reads set the
 * defaults back (chdb keeps a SET for later statements).
 */
function statementSize(sql: string): ClickHouseSettings {
  const bytes = Buffer.byteLength(sql, 'utf8') + 4096;
  return {
    max_query_size: String(Math.max(Number(DEFAULT_STATEMENT_BOUNDS.max_query_size), bytes)),
    max_ast_elements: String(Math.max(Number(DEFAULT_STATEMENT_BOUNDS.max_ast_elements), bytes)),
    max_expanded_ast_elements: String(Math.max(Number(DEFAULT_STATEMENT_BOUNDS.max_expanded_ast_elements), bytes)),
  };
}

/** A CTE of the query compiler (its names start with __) marked MATERIALIZED (SqlDialect.sharedCte). */
const COMPILER_MATERIALIZED_CTE = /\b(__\w+) AS MATERIALIZED \(/g;

/** Where chdb inserts stage their RowBinary files, inside its directory (see insertRowBinary). */
const STAGING_DIRECTORY = 'waggle-insert-staging';
let stagedInserts = 0;

/** Which chdb directory this process has open: chdb runs one engine per process. */
const chdbSessions = new Map<string, { client: ClickHouseClient; users: number }>();

/**
 * One way to talk to ClickHouse, a server over HTTP or chdb in this process: both are the
 * official `@clickhouse/client`, chdb through its `Connection` (`chdb/connection`), so every
 * statement takes the same code path. chdb is an optional dependency, loaded only when used.
 */
export class ClickHouseConnection {
  private closed = false;
  /**
   * Whether the server computes `name AS MATERIALIZED (...)` CTEs once (enable_materialized_cte,
   * ClickHouse 26.x; chdb has it). Without it the keyword is dropped from the compiler's CTEs
   * (`__agg`, `__top`): the query then recomputes them, as it did before, with the same answer.
   */
  private materializedCtes = false;

  private constructor(
    private readonly client: ClickHouseClient,
    private readonly release: () => Promise<void>,
    readonly location: ClickHouseLocation,
  ) {}

  static async open(location: ClickHouseLocation): Promise<ClickHouseConnection> {
    if (location.kind === 'http') {
      const client = createClient({
        url: location.url,
        username: location.username,
        password: location.password,
        // A reused keep-alive socket the server closed fails once (EPIPE): idempotent requests are retried by the caller.
        keep_alive: { enabled: true },
        request_timeout: 300_000,
      });
      return await new ClickHouseConnection(client, () => client.close(), location).probeFeatures();
    }
    const key = location.directory;
    let shared = chdbSessions.get(key);
    if (shared === undefined) {
      if (chdbSessions.size > 0) throw new UnavailableError(`chdb runs one engine per process: ${[...chdbSessions.keys()][0]} is open already, so ${key} cannot be`);
      const { createChdbConnection } = await loadChdb();
      // Files of inserts a killed process left behind (their rows are in the WAL, replayed from there).
      await fs.promises.rm(path.join(key, STAGING_DIRECTORY), { recursive: true, force: true });
      // chdb types its connection against its own copy of @clickhouse/client-common: the same
      // interface, a different declaration, so the compiler needs telling that it is the one.
      const connection = createChdbConnection({ path: key }) as unknown as ClientConnection;
      shared = { client: createClient({ connection }), users: 0 };
      chdbSessions.set(key, shared);
    }
    shared.users += 1;
    const session = shared;
    return await new ClickHouseConnection(
      session.client,
      async () => {
        session.users -= 1;
        if (session.users > 0) return;
        chdbSessions.delete(key);
        await session.client.close();
      },
      location,
    ).probeFeatures();
  }

  private async probeFeatures(): Promise<this> {
    try {
      const found = await this.query("SELECT count() FROM system.settings WHERE name = 'enable_materialized_cte'");
      this.materializedCtes = Number(found.rows[0]?.[0] ?? 0) > 0;
      return this;
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Runs a statement that returns nothing (DDL, ALTER, INSERT ... VALUES of store-made constants). */
  async command(sql: string, settings: ClickHouseSettings = {}): Promise<void> {
    this.assertOpen();
    await this.client.command({ query: sql, clickhouse_settings: { ...WRITE_SETTINGS, ...statementSize(sql), ...settings } });
  }

  /** Runs a SELECT with `{name:Type}` parameters; values converted by their ClickHouse type. */
  async query(sql: string, params: Record<string, unknown> = {}, settings: ClickHouseSettings = {}, signal?: AbortSignal): Promise<ClickHouseRows> {
    return this.readingPastLeftovers(() => this.queryOnce(sql, params, settings, signal));
  }

  /**
   * chdb: a statement that failed while it ran (out of memory, a throwIf half-way through its rows)
   * leaves the output it had made in chdb's session, and the next statement's answer comes after
   * it, so that answer does not parse (measured: the next SELECT, whoever ran it, failed with
   * "Unexpected non-whitespace character after JSON"; the one after was whole). A SELECT whose
   * answer does not parse is run once more on chdb; a server over HTTP answers each on its own.
   */
  private async readingPastLeftovers<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (this.location.kind !== 'chdb' || !(error instanceof SyntaxError)) throw error;
      return await read();
    }
  }

  private async queryOnce(sql: string, params: Record<string, unknown>, settings: ClickHouseSettings, signal: AbortSignal | undefined): Promise<ClickHouseRows> {
    const result = await this.select(sql, params, 'JSONCompact', settings, signal);
    const body = (await result.json()) as { meta: Array<{ name: string; type: string }>; data: unknown[][] };
    const converters = body.meta.map((m) => converterFor(m.type));
    const rows = body.data.map((row) => row.map((cell, i) => converters[i]!(cell)));
    return { columns: body.meta.map((m) => m.name), types: body.meta.map((m) => m.type), rows };
  }

  /**
   * As `query`, for an answer that can be large (a trace of tens of thousands of events): read as
   * a stream of rows (JSONCompactEachRowWithNamesAndTypes), each row parsed and converted on its
   * own, with a turn of the event loop after every `rowsPerTurn` rows, so that no single turn parses
   * or converts the whole answer (`query` parses the whole body in one JSON.parse).
   */
  async queryInTurns(sql: string, params: Record<string, unknown>, rowsPerTurn: number, signal?: AbortSignal): Promise<ClickHouseRows> {
    return this.readingPastLeftovers(() => this.queryInTurnsOnce(sql, params, rowsPerTurn, signal));
  }

  private async queryInTurnsOnce(sql: string, params: Record<string, unknown>, rowsPerTurn: number, signal: AbortSignal | undefined): Promise<ClickHouseRows> {
    const result = await this.select(sql, params, 'JSONCompactEachRowWithNamesAndTypes', {}, signal);
    const header: string[][] = [];
    const rows: unknown[][] = [];
    let converters: Array<(value: unknown) => unknown> = [];
    let sinceTurn = 0;
    for await (const chunk of result.stream()) {
      for (const row of chunk) {
        const cells = row.json<unknown[]>();
        if (header.length < 2) {
          header.push(cells.map(String));
          if (header.length === 2) converters = header[1]!.map(converterFor);
          continue;
        }
        rows.push(cells.map((cell, i) => converters[i]!(cell)));
        if (++sinceTurn >= rowsPerTurn) {
          sinceTurn = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
    return { columns: header[0] ?? [], types: header[1] ?? [], rows };
  }

  /** A SELECT with the read settings (and the compiler's CTEs as this server takes them), in `format`. */
  private select<F extends 'JSONCompact' | 'JSONCompactEachRowWithNamesAndTypes'>(sql: string, params: Record<string, unknown>, format: F, settings: ClickHouseSettings, signal: AbortSignal | undefined) {
    this.assertOpen();
    return this.client.query({
      query: this.materializedCtes ? sql : sql.replace(COMPILER_MATERIALIZED_CTE, '$1 AS ('),
      query_params: params,
      format,
      clickhouse_settings: { ...READ_SETTINGS, ...(this.materializedCtes ? { enable_materialized_cte: 1 } : {}), ...settings },
      ...(signal === undefined ? {} : { abort_signal: signal }),
    });
  }

  /**
   * Inserts rows encoded as RowBinary (see RowBinaryBuffer), the cheapest input format for
   * ClickHouse to read after Native. To a server the bytes are the request body. chdb's
   * connection would join a body to the statement as text, and its native insert takes the
   * bytes but ends the data at the first empty line (two 0x0A bytes, common in binary ids); so
   * there the bytes go to a file in the chdb directory, read back with `file()` in the same
   * process, and the file is removed. `settings` must make the insert one block whatever its
   * path (deduplication tokens are per block). `constants`: columns every row gets the same
   * text in (store-made), set by the statement rather than encoded per row.
   */
  async insertRowBinary(
    table: string,
    columns: readonly EncodedColumn[],
    rows: number,
    body: Buffer,
    settings: ClickHouseSettings = {},
    constants: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    this.assertOpen();
    if (rows === 0) return;
    const constantNames = Object.keys(constants);
    const names = [...columns.map((c) => c.name), ...constantNames].join(', ');
    const selected = ['*', ...constantNames.map((name) => clickhouseStringLiteral(constants[name]!))].join(', ');
    const structure = columns.map((c) => `${c.name} ${c.type}`).join(', ');
    if (this.location.kind === 'http') {
      // Read through input() as the batch's own column types (see wireType), converted by the insert.
      const query = `INSERT INTO ${table} (${names}) SELECT ${selected} FROM input(${clickhouseStringLiteral(structure)}) FORMAT RowBinary`;
      const result = await this.client.exec({
        query,
        values: Readable.from([body]),
        clickhouse_settings: { ...WRITE_SETTINGS, ...statementSize(query), ...settings },
      });
      result.stream.resume();
      return;
    }
    const file = path.join(this.location.directory, STAGING_DIRECTORY, `${process.pid}-${++stagedInserts}.rowbinary`);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, body);
    try {
      // In the statement's SETTINGS clause, not as SET on chdb's one session: they hold for this insert only.
      const scoped: ClickHouseSettings = {
        ...settings,
        // One block of all the rows: read in one piece and squashed to one before the insert.
        max_block_size: String(Math.max(65_536, rows)),
        min_insert_block_size_rows: String(rows),
        min_insert_block_size_bytes: '0',
      };
      const clause = Object.entries(scoped)
        .map(([name, value]) => `${name} = ${typeof value === 'number' ? value : clickhouseStringLiteral(String(value))}`)
        .join(', ');
      await this.command(`INSERT INTO ${table} (${names}) SELECT ${selected} FROM file(${clickhouseStringLiteral(file)}, 'RowBinary', ${clickhouseStringLiteral(structure)}) SETTINGS ${clause}`);
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  /**
   * Inserts rows given as objects (JSONEachRow): small catalog writes, where user text (keys,
   * names) travels as data, never as SQL. bigint values are sent as decimal strings.
   */
  async insertJsonRows(table: string, rows: ReadonlyArray<Record<string, string | number | boolean | bigint | null>>, settings: ClickHouseSettings = {}): Promise<void> {
    this.assertOpen();
    if (rows.length === 0) return;
    const values = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])));
    await this.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: { ...WRITE_SETTINGS, ...settings } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('the ClickHouse connection is closed');
  }
}

async function loadChdb(): Promise<{ createChdbConnection: (options: { path: string }) => import('chdb/connection').ChdbConnection }> {
  try {
    return await import('chdb/connection');
  } catch (error) {
    throw new UnavailableError(
      `WAGGLE_CLICKHOUSE_URL=chdb:... needs the optional package chdb (npm install chdb): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

type Converter = (cell: unknown) => unknown;

const BIG_INTEGER = /^(U?Int(64|128|256))$/;
const FLOAT = /^Float(32|64)$/;

/** Strips Nullable(...) and LowCardinality(...) around a type. */
function baseType(type: string): string {
  let t = type;
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (m === null) return t;
    t = m[2]!;
  }
}

function converterFor(type: string): Converter {
  const base = baseType(type);
  if (BIG_INTEGER.test(base)) return (cell) => (cell === null ? null : BigInt(cell as string | number));
  if (FLOAT.test(base)) return floatCell;
  if (base.startsWith('Array(')) {
    const inner = converterFor(base.slice('Array('.length, -1));
    return (cell) => (Array.isArray(cell) ? cell.map(inner) : cell);
  }
  return (cell) => cell;
}

function floatCell(cell: unknown): unknown {
  if (typeof cell !== 'string') return cell;
  if (cell === 'nan' || cell === '-nan') return Number.NaN;
  if (cell === 'inf' || cell === '+inf') return Number.POSITIVE_INFINITY;
  if (cell === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(cell);
}
