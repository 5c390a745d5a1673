import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { floorSecondsSql } from './duckdb-physical-layout.js';
import { traceRunMergeDue } from './duckdb-trace-run-merge.js';

describe('when the trace-index runs are merged', () => {
  it('merges four runs even while compaction is busy, fewer only once it is quiet', () => {
    assert.equal(traceRunMergeDue({ runs: 4, runRows: 10, mergedRows: 1_000_000 }, false), true);
    assert.equal(traceRunMergeDue({ runs: 3, runRows: 900_000, mergedRows: 0 }, false), false);
    assert.equal(traceRunMergeDue({ runs: 1, runRows: 10, mergedRows: 0 }, true), true);
  });

  it('once quiet, merges only runs holding a sixteenth of the merged rows, so a large index is not rewritten for every small run', () => {
    assert.equal(traceRunMergeDue({ runs: 1, runRows: 62_499, mergedRows: 1_000_000 }, true), false);
    assert.equal(traceRunMergeDue({ runs: 1, runRows: 62_500, mergedRows: 1_000_000 }, true), true);
    assert.equal(traceRunMergeDue({ runs: 0, runRows: 0, mergedRows: 1_000_000 }, true), false);
  });
});

describe('the merged index in whole seconds', () => {
  it('rounds nanoseconds down to the second, before 1970 too, so a trace\'s range always covers its spans', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const values = [0n, 1n, 999_999_999n, 1_000_000_000n, -1n, -1_000_000_000n, -1_000_000_001n, 1_764_000_000_123_456_789n];
    const rows = await connection.runAndReadAll(`SELECT ${floorSecondsSql('v')} FROM (SELECT unnest([${values.join(', ')}]::BIGINT[]) AS v)`);
    assert.deepEqual(
      rows.getRows().map(([s]) => s),
      [0n, 0n, 0n, 1n, -1n, -1n, -2n, 1_764_000_000n],
    );
    connection.closeSync();
    instance.closeSync();
  });
});
