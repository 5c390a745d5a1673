import { DuckDBTypeId, JSDuckDBValueConverter, type DuckDBMaterializedResult, type DuckDBValue } from '@duckdb/node-api';
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
 * Every row of a materialized result (`connection.run()`), as node-api's getRowsJS gives them (same
 * values, same types), read column by column from each chunk, synchronously: the result already
 * holds its chunks, and fetching them with the async fetch_chunk cost a round trip through libuv's
 * thread pool and the event loop per chunk plus one (run AN). getRowsJS visits every cell through a
 * value object, the column's type and a converter; at the ~10 000 rows of a query with a series
 * (groups × buckets) that was ~0.2 µs per cell on the event loop. Other types (MAP, LIST, DECIMAL,
 * times) still go through node-api's own JS converter, column by column.
 */
export function readResultRows(result: DuckDBMaterializedResult): SqlRows {
  const columns = result.columnNames();
  const direct = columns.map((_, c) => ITEM_IS_JS_VALUE.has(result.columnTypeId(c)));
  const rows: unknown[][] = [];
  const chunkCount = result.chunkCount;
  for (let index = 0; index < chunkCount; index += 1) {
    const chunk = result.getChunk(index);
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

/**
 * Every row of a materialized result (a prepared statement's `run()`), as node-api's getRows gives
 * them (the same DuckDBValues), read synchronously: a materialized result already holds its
 * chunks, but runAndReadAll fetches them with one async fetch_chunk per chunk plus one that finds
 * none, each a round trip through libuv's thread pool and the event loop. For a trace lookup's two
 * small results that was 4 of its 6 hops (BENCHMARKS.md run AN).
 */
export function readMaterializedRows(result: DuckDBMaterializedResult): DuckDBValue[][] {
  const rows: DuckDBValue[][] = [];
  for (let c = 0; c < result.chunkCount; c += 1) appendChunkRows(result, c, rows);
  return rows;
}

/**
 * The first `maxRows` rows of a materialized result (all of them by default), as readMaterializedRows
 * reads them, with a turn of the event loop after every `chunksPerTurn` chunks (2 048 rows each): a
 * trace of 32 000 events took 74–207 ms to read in one piece (load 13), holding health checks and
 * ingest. A result of fewer chunks is read in the turn it arrived in.
 */
export async function readMaterializedRowsInTurns(result: DuckDBMaterializedResult, chunksPerTurn: number, maxRows = Number.POSITIVE_INFINITY): Promise<DuckDBValue[][]> {
  const rows: DuckDBValue[][] = [];
  for (let c = 0; c < result.chunkCount && rows.length < maxRows; c += 1) {
    if (c > 0 && c % chunksPerTurn === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    appendChunkRows(result, c, rows);
  }
  if (rows.length > maxRows) rows.length = maxRows;
  return rows;
}

/** Appends chunk `index` of a materialized result to `rows`, one DuckDBValue per cell (getItem of each vector). */
function appendChunkRows(result: DuckDBMaterializedResult, index: number, rows: DuckDBValue[][]): void {
  const columnCount = result.columnCount;
  const chunk = result.getChunk(index);
  const count = chunk.rowCount;
  const first = rows.length;
  for (let r = 0; r < count; r += 1) rows.push(new Array<DuckDBValue>(columnCount));
  for (let column = 0; column < columnCount; column += 1) {
    const vector = chunk.getColumnVector(column);
    for (let r = 0; r < count; r += 1) rows[first + r]![column] = vector.getItem(r);
  }
}
