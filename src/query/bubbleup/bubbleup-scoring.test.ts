import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bubbleUpDimension, bubbleUpScore, rankBubbleUpDimensions, type ValueCounts } from './bubbleup-scoring.js';

const value = (v: string, selected: number, baseline: number, extra: Partial<ValueCounts> = {}): ValueCounts => ({ value: v, missing: false, selected, baseline, ...extra });

describe('BubbleUp scoring', () => {
  it('scores a column by the largest difference in share of one value between selection and baseline', () => {
    // selection: a 3/4, b 1/4; baseline: a 1/5, b 4/5 → gaps 0.55 and 0.55.
    assert.equal(bubbleUpScore([value('a', 3, 1), value('b', 1, 4)], { selected: 4, baseline: 5 }), 0.55);
    // A value only the selection has scores its whole share.
    assert.equal(bubbleUpScore([value('x', 2, 0), value('y', 0, 8)], { selected: 2, baseline: 8 }), 1);
  });

  it('scores 0 when both sides have the same shares, whatever their sizes', () => {
    assert.equal(bubbleUpScore([value('a', 1, 100), value('b', 1, 100)], { selected: 2, baseline: 200 }), 0);
  });

  it('counts an empty side as having no share of anything (no division by zero)', () => {
    assert.equal(bubbleUpScore([value('a', 0, 5)], { selected: 0, baseline: 5 }), 1);
    assert.equal(bubbleUpScore([], { selected: 0, baseline: 0 }), 0);
  });

  it('uses the side totals, not the sum of the values kept, as denominators (values beyond the top ones still count)', () => {
    // Only one of many values kept: its share of 10 selected events is 0.5, not 1.
    assert.equal(bubbleUpScore([value('a', 5, 0)], { selected: 10, baseline: 10 }), 0.5);
  });

  it('lists each side most frequent first with missing last, and number buckets by range', () => {
    const strings = bubbleUpDimension('user.id', [value('missing', 4, 0, { missing: true }), value('b', 1, 2), value('a', 3, 2)], { selected: 8, baseline: 4 });
    assert.deepEqual(strings.selected, [
      { value: 'a', count: 3, fraction: 0.375 },
      { value: 'b', count: 1, fraction: 0.125 },
      { value: 'missing', count: 4, fraction: 0.5, missing: true },
    ]);
    // Ties by count are broken by the value; zero counts are left out of a side.
    assert.deepEqual(strings.baseline, [
      { value: 'a', count: 2, fraction: 0.5 },
      { value: 'b', count: 2, fraction: 0.5 },
    ]);
    const numbers = bubbleUpDimension('ms', [value('20 – 30', 9, 1, { lower: 20, upper: 30 }), value('0 – 10', 1, 9, { lower: 0, upper: 10 })], { selected: 10, baseline: 10 });
    assert.deepEqual(numbers.selected.map((v) => v.value), ['0 – 10', '20 – 30']);
    assert.equal(numbers.score, 0.8);
  });

  it('ranks dimensions by score, highest first, equal scores by column name', () => {
    const d = (column: string, score: number) => ({ column, score, selected: [], baseline: [] });
    assert.deepEqual(rankBubbleUpDimensions([d('b', 0.5), d('c', 1), d('a', 0.5)]).map((x) => x.column), ['c', 'a', 'b']);
  });
});
