import { clickhouseDialect } from '../../src/query/compile/clickhouse-dialect.js';
import type { CompiledQuery } from '../../src/query/compile/compiled-query.js';
import { duckdbDialect } from '../../src/query/compile/duckdb-dialect.js';
import type { SqlDialect } from '../../src/query/compile/sql-dialect.js';
import type { ColumnBinding, QuerySchema } from '../../src/query/query-schema.js';
import { ClickHouseConnection } from '../../src/store/clickhouse/clickhouse-connection.js';
import { CLICKHOUSE_ATTRIBUTE_TYPE, CLICKHOUSE_CORE_BINDINGS, CLICKHOUSE_CORE_COLUMNS, CLICKHOUSE_CORE_ROLES } from '../../src/store/clickhouse/clickhouse-physical-layout.js';
import { clickhouseQueryParams } from '../../src/store/clickhouse/clickhouse-span-reader.js';
import { freshChdbLocation } from '../support/chdb-test-store.js';
import { ATTRIBUTES, TABLE, insertSpans, openSpanTable, runCompiled, spanTableSchema, tableRelation, type SpanRow } from './span-table-fixture.js';

/**
 * The test table of the query engine (the store's core layout plus five attribute columns) on one
 * backend: the query conformance suite runs over each, with the backend's own dialect, bindings
 * and execution, and asserts the same results.
 */
export interface SpanTable {
  readonly dialect: SqlDialect;
  readonly schema: QuerySchema;
  relation(physicalColumns: readonly string[]): string;
  insert(rows: readonly SpanRow[]): Promise<void>;
  /** Empties the table (property tests refill it per case). */
  clear(): Promise<void>;
  run(compiled: CompiledQuery): Promise<unknown[][]>;
  close(): Promise<void>;
}

export interface SpanTableBackend {
  readonly name: string;
  open(): Promise<SpanTable>;
}

const duckdbBackend: SpanTableBackend = {
  name: 'duckdb',
  async open() {
    const { connection, close } = await openSpanTable();
    return {
      dialect: duckdbDialect,
      schema: spanTableSchema(),
      relation: tableRelation,
      insert: (rows) => insertSpans(connection, rows),
      clear: async () => {
        await connection.run(`DELETE FROM ${TABLE}`);
      },
      run: (compiled) => runCompiled(connection, compiled),
      close: async () => close(),
    };
  },
};

/** The same schema over ClickHouse's core bindings (what the ClickHouse store gives the compiler). */
function clickhouseSchema(): QuerySchema {
  const list: ColumnBinding[] = [...CLICKHOUSE_CORE_BINDINGS, ...ATTRIBUTES.map((a) => ({ name: a.name, type: a.type, sql: a.physical, physicalColumns: [a.physical] }))];
  const byName = new Map(list.map((b) => [b.name, b]));
  return { column: (name) => byName.get(name), columns: () => list, roles: CLICKHOUSE_CORE_ROLES };
}

const chdbBackend: SpanTableBackend = {
  name: 'clickhouse (chdb)',
  async open() {
    const location = freshChdbLocation();
    const connection = await ClickHouseConnection.open(location);
    const table = `${location.database}.${TABLE}`;
    await connection.command(`CREATE DATABASE IF NOT EXISTS ${location.database}`);
    const columns = [...CLICKHOUSE_CORE_COLUMNS.map((c) => `${c.physical} ${c.sqlType}`), ...ATTRIBUTES.map((a) => `${a.physical} ${CLICKHOUSE_ATTRIBUTE_TYPE[a.type]}`)];
    await connection.command(`CREATE TABLE ${table} (${columns.join(', ')}) ENGINE = MergeTree ORDER BY (dataset, ts_ns)`);
    return {
      dialect: clickhouseDialect,
      schema: clickhouseSchema(),
      relation: (physicalColumns) => `(SELECT ${physicalColumns.join(', ')} FROM ${table})`,
      insert: async (rows) => {
        await connection.insertJsonRows(
          table,
          rows.map((row) => ({
            dataset: row.dataset ?? 'test',
            ts_ns: row.tsNs,
            duration_ns: row.durationNs ?? null,
            trace_id: row.traceId ?? null,
            span_id: row.spanId ?? null,
            parent_id: row.parentId ?? null,
            name: row.name ?? null,
            service_name: row.serviceName ?? null,
            span_kind: row.kind ?? null,
            status_code: row.statusCode ?? null,
            sample_rate: row.sampleRate ?? 1,
            ...Object.fromEntries(ATTRIBUTES.map((a) => [a.physical, row.attributes?.[a.name] ?? null])),
          })),
        );
      },
      clear: () => connection.command(`TRUNCATE TABLE ${table}`),
      // Bound and converted as the store's runSql does it.
      run: async (compiled) => (await connection.query(compiled.sql, clickhouseQueryParams(compiled.parameters))).rows,
      close: () => connection.close(),
    };
  },
};

export const SPAN_TABLE_BACKENDS: readonly SpanTableBackend[] = [duckdbBackend, chdbBackend];
