import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bubbleUpSampling } from './bubbleup-sql.js';

describe('BubbleUp sampling', () => {
  it('reads every event of a side that fits the sample, and about the sample size of a larger one', () => {
    assert.deepEqual(bubbleUpSampling({ selected: 372, baseline: 999_628 }, 50_000), { selectedRate: 1, baselineRate: 50_000 / 999_628 });
    assert.deepEqual(bubbleUpSampling({ selected: 50_000, baseline: 0 }, 50_000), { selectedRate: 1, baselineRate: 1 });
    assert.deepEqual(bubbleUpSampling({ selected: 200_000, baseline: 100_000 }, 50_000), { selectedRate: 0.25, baselineRate: 0.5 });
  });
});
