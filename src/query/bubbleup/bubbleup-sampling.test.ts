import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS_LIMITS } from '../../core/limits/analysis-limits.js';
import { bubbleUpSampling, relationBlockSample, type BubbleUpSampling } from './bubbleup-sql.js';
import type { BubbleUpSelection } from './bubbleup-request.js';

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

describe('BubbleUp block sample of the store relation', () => {
  const blocks = (selected: number, baseline: number): BubbleUpSampling => ({
    selectedRate: selected,
    baselineRate: baseline / 10,
    blocks: { rowsPerBlock: 2048, selected: { blockRate: selected, keepRate: 1, rate: selected }, baseline: { blockRate: baseline, keepRate: 0.1, rate: baseline / 10 } },
  });
  const filters: BubbleUpSelection = { kind: 'filters', filters: [] };
  const box: BubbleUpSelection = { kind: 'box', startNs: 7_000n, endNs: 9_000n, column: 'duration_ms', min: 200, max: 1e9 };

  it('reads the blocks either side samples, everywhere, for a selection by filters', () => {
    assert.deepEqual(relationBlockSample(blocks(0.1, 0.03), filters), { rate: 0.1 });
    assert.equal(relationBlockSample(blocks(1, 0.03), filters), undefined);
  });

  it('reads only the baseline blocks outside a heatmap box, where no selected event lies', () => {
    assert.deepEqual(relationBlockSample(blocks(1, 0.03), box), { rate: 0.03, within: { startNs: 7_000n, endNs: 9_000n, rate: 1 } });
    assert.equal(relationBlockSample(blocks(1, 1), box), undefined);
  });

  it('reads everything when the events are sampled alone (a store without blocks)', () => {
    assert.equal(relationBlockSample({ selectedRate: 1, baselineRate: 0.01 }, box), undefined);
  });
});
