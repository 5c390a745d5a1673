import type { StoreCapabilities } from '../../store/span-store.js';
import { clickhouseDialect } from './clickhouse-dialect.js';
import { duckdbDialect } from './duckdb-dialect.js';
import type { SqlDialect } from './sql-dialect.js';

/** The dialect of each store (StoreCapabilities.dialect). */
export const SQL_DIALECTS: Record<StoreCapabilities['dialect'], SqlDialect> = { duckdb: duckdbDialect, clickhouse: clickhouseDialect };

/** The dialect a store's SQL must be written in. */
export function dialectOf(capabilities: StoreCapabilities): SqlDialect {
  return SQL_DIALECTS[capabilities.dialect];
}
