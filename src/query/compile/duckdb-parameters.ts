import { BIGINT, BOOLEAN, DOUBLE, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { QueryParameter } from './compiled-query.js';

const TYPES: Record<QueryParameter['type'], DuckDBType> = { varchar: VARCHAR, bigint: BIGINT, double: DOUBLE, boolean: BOOLEAN };

/** The values and types to pass to node-api's run(sql, values, types) for a compiled query. */
export function duckdbParameters(parameters: readonly QueryParameter[]): { values: DuckDBValue[]; types: DuckDBType[] } {
  return { values: parameters.map((p) => p.value), types: parameters.map((p) => TYPES[p.type]) };
}
