import { DuckDBTypeId, JSDuckDBValueConverter, type DuckDBResult } from '@duckdb/node-api';
import type { SqlRows } from '../span-store.js';

/**
 * Types whose vector item already is the JS value getRowsJS would give (number, bigint, string,
 * boolean): read straight from the vector, with no value object and no converter call per cell.
 */
const ITEM_IS_JS_VALUE: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.VARCHAR,
]);

/**
 * Every row of a result, as node-api's getRowsJS gives them (same values, same types), read
 * column by column from each chunk. getRowsJS visits every cell through a value object, the
 * column's type and a converter; at the ~10 000 rows of a query with a series (groups × buckets)
 * that was ~0.2 µs per cell on the event loop. Other types (MAP, LIST, DECIMAL, times) still go
 * through node-api's own JS converter, column by column.
 */
export async function readResultRows(result: DuckDBResult): Promise<SqlRows> {
  const columns = result.columnNames();
  const direct = columns.map((_, c) => ITEM_IS_JS_VALUE.has(result.columnTypeId(c)));
  const rows: unknown[][] = [];
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const first = rows.length;
    const count = chunk.rowCount;
    for (let r = 0; r < count; r += 1) rows.push(new Array<unknown>(columns.length));
    for (let c = 0; c < columns.length; c += 1) {
      if (direct[c]) {
        const vector = chunk.getColumnVector(c);
        for (let r = 0; r < count; r += 1) rows[first + r]![c] = vector.getItem(r);
      } else {
        const values = chunk.convertColumnValues(c, JSDuckDBValueConverter);
        for (let r = 0; r < count; r += 1) rows[first + r]![c] = values[r];
      }
    }
  }
  return { columns, rows };
}
