import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreOutOfMemoryError } from '../../core/errors.js';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';

describe('ClickHouse store: a read over its memory limit', () => {
  it('is refused as StoreOutOfMemoryError (503, what the service map halves on), and the store keeps answering', async () => {
    const store = await openChdbStore(freshChdbLocation());
    try {
      // 5M groups in a 20 MB budget: ClickHouse stops it with MEMORY_LIMIT_EXCEEDED (241).
      const grouping = 'SELECT number % 5000000 AS k, count() FROM numbers(5000000) GROUP BY k ORDER BY k LIMIT 1 SETTINGS max_memory_usage = 20000000';
      await assert.rejects(store.runSql(grouping, [], { timeoutMs: 20_000 }), (error: unknown) => {
        assert.ok(error instanceof StoreOutOfMemoryError);
        assert.equal(error.code, 'store_out_of_memory');
        assert.match(error.message, /^the store ran out of memory running this query \(ClickHouse's memory limit/);
        return true;
      });
      // The next statement reads its own answer, not what the failed one left in chdb's session.
      const after = await store.runSql('SELECT count() FROM numbers(1000)', [], { timeoutMs: 20_000 });
      assert.deepEqual(after.rows, [[1000n]]);
    } finally {
      await store.close();
    }
  });

  it('answers the statement after one that failed half-way through its rows with its own rows', async () => {
    const store = await openChdbStore(freshChdbLocation());
    try {
      await assert.rejects(store.runSql('SELECT throwIf(number = 500000) FROM numbers(1000000)', [], { timeoutMs: 20_000 }), /throwIf/);
      assert.deepEqual((await store.runSql('SELECT 7 AS seven', [], { timeoutMs: 20_000 })).rows, [[7]]);
      assert.deepEqual((await store.runSql('SELECT count() FROM numbers(10)', [], { timeoutMs: 20_000 })).rows, [[10n]]);
    } finally {
      await store.close();
    }
  });
});
