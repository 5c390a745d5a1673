import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  UBIGINT,
  UHUGEINT,
  UINTEGER,
  VARCHAR,
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { CORE_BINDINGS, CORE_ROLES } from '../../src/store/duckdb/duckdb-physical-layout.js';
import type { ColumnBinding, ColumnType, QuerySchema } from '../../src/query/query-schema.js';
import type { CompiledQuery } from '../../src/query/compile/compiled-query.js';
import { duckdbParameters } from '../../src/query/compile/duckdb-parameters.js';

/** Attribute columns of the test table: logical name → physical `c<id>`. */
export const ATTRIBUTES = [
  { name: 'http.route', physical: 'c1', type: 'string' },
  { name: 'user.id', physical: 'c2', type: 'string' },
  { name: 'http.status_code', physical: 'c3', type: 'integer' },
  { name: 'cart.value', physical: 'c4', type: 'float' },
  { name: 'cache.hit', physical: 'c5', type: 'boolean' },
] as const satisfies ReadonlyArray<{ name: string; physical: string; type: ColumnType }>;

const SQL_TYPE: Record<ColumnType, string> = { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN' };
const NODE_TYPE: Record<ColumnType, DuckDBType> = { string: VARCHAR, integer: BIGINT, float: DOUBLE, boolean: BOOLEAN };

/** One row of the store's physical layout (attributes by logical name). */
export interface SpanRow {
  dataset?: string;
  tsNs: bigint;
  durationNs?: bigint | null;
  traceId?: bigint | null;
  spanId?: bigint | null;
  parentId?: bigint | null;
  name?: string | null;
  serviceName?: string | null;
  kind?: string | null;
  statusCode?: string | null;
  sampleRate?: number;
  attributes?: Partial<Record<(typeof ATTRIBUTES)[number]['name'], string | number | boolean | bigint | null>>;
}

const binding = (name: string, type: ColumnType, sql: string, physicalColumns: string[]): ColumnBinding => ({ name, type, sql, physicalColumns });

/** The logical columns the store exposes over the physical layout (issue 3's bindings). */
export function spanTableSchema(): QuerySchema {
  // The store's own core bindings and roles, so engine tests run on exactly what the server queries.
  const list: ColumnBinding[] = [
    ...CORE_BINDINGS,
    ...ATTRIBUTES.map((a) => binding(a.name, a.type, a.physical, [a.physical])),
  ];
  const byName = new Map(list.map((b) => [b.name, b]));
  return {
    column: (name) => byName.get(name),
    columns: () => list,
    roles: CORE_ROLES,
  };
}

const BASE_COLUMNS: Array<[string, string, DuckDBType]> = [
  ['dataset', 'VARCHAR', VARCHAR],
  ['ts_ns', 'BIGINT', BIGINT],
  ['duration_ns', 'BIGINT', BIGINT],
  ['trace_id', 'UHUGEINT', UHUGEINT],
  ['span_id', 'UBIGINT', UBIGINT],
  ['parent_id', 'UBIGINT', UBIGINT],
  ['name', 'VARCHAR', VARCHAR],
  ['service_name', 'VARCHAR', VARCHAR],
  ['span_kind', 'VARCHAR', VARCHAR],
  ['status_code', 'VARCHAR', VARCHAR],
  ['status_message', 'VARCHAR', VARCHAR],
  ['library_name', 'VARCHAR', VARCHAR],
  ['library_version', 'VARCHAR', VARCHAR],
  ['annotation_type', 'VARCHAR', VARCHAR],
  ['sample_rate', 'UINTEGER', UINTEGER],
];

export const TABLE = 'spans';

/** The store's relation for the test: a parenthesised projection of exactly the asked columns. */
export function tableRelation(physicalColumns: readonly string[]): string {
  return `(SELECT ${physicalColumns.join(', ')} FROM ${TABLE})`;
}

export async function openSpanTable(): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const cols = [...BASE_COLUMNS.map(([n, t]) => `${n} ${t}`), ...ATTRIBUTES.map((a) => `${a.physical} ${SQL_TYPE[a.type]}`)];
  await connection.run(`CREATE TABLE ${TABLE} (${cols.join(', ')})`);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export async function insertSpans(connection: DuckDBConnection, rows: readonly SpanRow[]): Promise<void> {
  if (rows.length === 0) return;
  const width = BASE_COLUMNS.length + ATTRIBUTES.length;
  const values: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  const tuples: string[] = [];
  rows.forEach((row, r) => {
    const base: DuckDBValue[] = [
      row.dataset ?? 'test',
      row.tsNs,
      row.durationNs ?? null,
      row.traceId ?? null,
      row.spanId ?? null,
      row.parentId ?? null,
      row.name ?? null,
      row.serviceName ?? null,
      row.kind ?? null,
      row.statusCode ?? null,
      null,
      null,
      null,
      null,
      row.sampleRate ?? 1,
    ];
    const attrs = ATTRIBUTES.map((a) => {
      const v = row.attributes?.[a.name];
      return v === undefined ? null : (v as DuckDBValue);
    });
    values.push(...base, ...attrs);
    types.push(...BASE_COLUMNS.map(([, , t]) => t), ...ATTRIBUTES.map((a) => NODE_TYPE[a.type]));
    tuples.push(`(${Array.from({ length: width }, (_, i) => `$${r * width + i + 1}`).join(', ')})`);
  });
  await connection.run(`INSERT INTO ${TABLE} VALUES ${tuples.join(', ')}`, values, types);
}

export async function runCompiled(connection: DuckDBConnection, compiled: CompiledQuery): Promise<unknown[][]> {
  const { values, types } = duckdbParameters(compiled.parameters);
  const reader = await connection.runAndReadAll(compiled.sql, values, types);
  return reader.getRowsJS() as unknown[][];
}
