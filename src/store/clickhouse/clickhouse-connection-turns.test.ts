import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshChdbLocation } from '../../../test/support/chdb-test-store.js';
import { ClickHouseConnection } from './clickhouse-connection.js';

describe('ClickHouseConnection.queryInTurns', () => {
  it('answers exactly what query answers (names, types, converted values), over more rows than a turn', async () => {
    const connection = await ClickHouseConnection.open(freshChdbLocation());
    try {
      const sql =
        'SELECT number AS n, bitShiftLeft(toUInt128(number), 64) AS big, if(number % 3 = 0, NULL, toString(number)) AS text, ' +
        'toInt64(number) - 9223372036854775807 AS signed, number / 4 AS ratio FROM numbers({rows:UInt64}) ORDER BY n';
      const whole = await connection.query(sql, { rows: '5000' });
      const inTurns = await connection.queryInTurns(sql, { rows: '5000' }, 700);
      assert.deepEqual(inTurns.columns, ['n', 'big', 'text', 'signed', 'ratio']);
      assert.deepEqual(inTurns.types, whole.types);
      assert.equal(inTurns.rows.length, 5000);
      assert.deepEqual(inTurns.rows, whole.rows);
      assert.deepEqual(inTurns.rows[4999], [4999n, 4999n * 2n ** 64n, '4999', 4999n - 9223372036854775807n, 1249.75]);
      assert.deepEqual(inTurns.rows[3], [3n, 3n * 2n ** 64n, null, 3n - 9223372036854775807n, 0.75]);
      const empty = await connection.queryInTurns(sql, { rows: '0' }, 700);
      assert.deepEqual(empty, { columns: ['n', 'big', 'text', 'signed', 'ratio'], types: whole.types, rows: [] });
    } finally {
      await connection.close();
    }
  });
});
