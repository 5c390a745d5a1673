import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import { bubbleUpSampling } from './bubbleup-sql.js';

describe('BubbleUp sampling', () => {
  it('reads every event of a side that fits the sample, and about the sample size of a larger one', () => {
    assert.deepEqual(bubbleUpSampling({ selected: 372, baseline: 999_628 }, 50_000), { selectedRate: 1, baselineRate: 50_000 / 999_628 });
    assert.deepEqual(bubbleUpSampling({ selected: 50_000, baseline: 0 }, 50_000), { selectedRate: 1, baselineRate: 1 });
    assert.deepEqual(bubbleUpSampling({ selected: 200_000, baseline: 100_000 }, 50_000), { selectedRate: 0.25, baselineRate: 0.5 });
  });

  it('samples each side of the runner down to 10 000 events: error = true at 1M spans reads all 7 092 failures and 1 % of the rest', () => {
    assert.deepEqual(bubbleUpSampling({ selected: 7_092, baseline: 992_908 }, ANALYSIS_LIMITS.bubbleUpSampleEvents.value), { selectedRate: 1, baselineRate: 10_000 / 992_908 });
  });
});
