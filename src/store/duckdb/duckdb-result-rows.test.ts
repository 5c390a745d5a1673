import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { readMaterializedRows, readMaterializedRowsInTurns, readResultRows } from './duckdb-result-rows.js';
import { countEventLoopTurns } from '../../../test/support/event-loop-turns.js';

/** Every type a query result holds today (and a few it might), NULLs included, over three chunks. */
const SQL = `
SELECT i::INTEGER AS int32, (i * 3000000000)::BIGINT AS int64, CAST(i AS HUGEINT) * 340282366920938463 AS int128,
  CAST(i AS UBIGINT) * 1844674407370955 AS uint64, CAST(i AS UHUGEINT) * 1000000000000000000000 AS uint128,
  i / 7 AS dbl, CAST(i AS FLOAT) / 4 AS flt, i % 3 = 0 AS bool, CAST(i % 5 AS TINYINT) AS int8, CAST(i AS USMALLINT) AS uint16,
  CASE WHEN i % 4 = 0 THEN NULL ELSE 'v' || i END AS str, CASE WHEN i % 6 = 0 THEN NULL ELSE i END AS maybe,
  MAP {i % 49: i::BIGINT, 49: 1} AS hist, [i, i + 1] AS list, CAST(i AS DECIMAL(10, 2)) / 3 AS dec,
  TIMESTAMP '2025-11-29 00:00:00' + INTERVAL (i) SECOND AS ts, CAST(NULL AS BIGINT) AS nothing
FROM range(5000) AS t(i) ORDER BY i`;

describe('reading a DuckDB result into rows', () => {
  it('gives exactly the rows and values getRowsJS gives, over every chunk', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const expected = (await connection.runAndReadAll(SQL)).getRowsJS();
      const read = readResultRows(await connection.run(SQL));
      assert.equal(read.rows.length, 5000);
      assert.deepEqual(read.columns, ['int32', 'int64', 'int128', 'uint64', 'uint128', 'dbl', 'flt', 'bool', 'int8', 'uint16', 'str', 'maybe', 'hist', 'list', 'dec', 'ts', 'nothing']);
      assert.deepEqual(read.rows, expected);
      assert.deepEqual(read.rows[4], [4, 12000000000n, 1361129467683753852n, 7378697629483820n, 4000000000000000000000n, 4 / 7, 1, false, 4, 4, null, 4n, [{ key: 4n, value: 4n }, { key: 49n, value: 1n }], [4n, 5n], 4 / 3, new Date('2025-11-29T00:00:04.000Z'), null]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('gives no rows and the column names for an empty result', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      assert.deepEqual(readResultRows(await connection.run('SELECT 1 AS one, \'x\' AS two WHERE false')), { columns: ['one', 'two'], rows: [] });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it("reads a prepared statement's materialized result into exactly the rows getRows gives, over every chunk", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const statement = await connection.prepare(`SELECT * FROM (${SQL}) WHERE int32 >= $1`);
      statement.bindInteger(1, 10);
      const expected = (await statement.runAndReadAll()).getRows();
      const result = await statement.run();
      assert.equal(result.chunkCount, 3);
      const rows = readMaterializedRows(result);
      assert.equal(rows.length, 4990);
      assert.deepEqual(rows, expected);
      assert.deepEqual(rows[0]!.slice(0, 11), [10, 30000000000n, 3402823669209384630n, 18446744073709550n, 10000000000000000000000n, 10 / 7, 2.5, false, 0, 10, 'v10']);
      statement.bindInteger(1, 5000);
      assert.deepEqual(readMaterializedRows(await statement.run()), []);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('reads the same rows a few chunks per turn of the event loop', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const statement = await connection.prepare(`SELECT * FROM (${SQL}) WHERE int32 >= $1`);
      statement.bindInteger(1, 10);
      const expected = (await statement.runAndReadAll()).getRows();
      const result = await statement.run();
      assert.equal(result.chunkCount, 3);
      const turns = countEventLoopTurns();
      const rows = await readMaterializedRowsInTurns(result, 1);
      const taken = turns.current();
      turns.stop();
      assert.deepEqual(rows, expected);
      // One chunk a turn: two turns between the three chunks.
      assert.equal(taken, 2);
      statement.bindInteger(1, 10);
      const again = await statement.run();
      const whole = countEventLoopTurns();
      assert.deepEqual(await readMaterializedRowsInTurns(again, 3), expected);
      const wholeTaken = whole.current();
      whole.stop();
      assert.equal(wholeTaken, 0);
      // At most maxRows rows: the first ones, within a chunk or at a chunk's end.
      statement.bindInteger(1, 10);
      assert.deepEqual(await readMaterializedRowsInTurns(await statement.run(), 1, 2_100), expected.slice(0, 2_100));
      statement.bindInteger(1, 10);
      assert.deepEqual(await readMaterializedRowsInTurns(await statement.run(), 1, 2_048), expected.slice(0, 2_048));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
