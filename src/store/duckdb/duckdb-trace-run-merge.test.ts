import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
