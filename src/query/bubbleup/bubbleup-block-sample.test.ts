import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { blockSampling, sideExtent, sideSampling } from './bubbleup-block-sample.js';

const BOUNDS = { perSide: 10_000, minBlocks: 128, maxBlocks: 512 };

describe('BubbleUp block sample', () => {
  it('reads every event of a side that fits both the events and the blocks bound', () => {
    assert.deepEqual(sideSampling({ events: 5_928, blocks: 489 }, BOUNDS), { blockRate: 1, keepRate: 1, rate: 1 });
    assert.deepEqual(sideSampling({ events: 0, blocks: 0 }, BOUNDS), { blockRate: 1, keepRate: 1, rate: 1 });
  });

  it('reads a large side from at least minBlocks blocks, keeping about perSide of their events', () => {
    // 10M baseline events in 4 883 blocks: 10 000 events would fit in 5 blocks; 128 are read instead.
    const s = sideSampling({ events: 10_000_000, blocks: 4_883 }, BOUNDS);
    assert.equal(s.blockRate, 128 / 4_883);
    assert.equal(s.keepRate, 10_000 / (10_000_000 * (128 / 4_883)));
    assert.ok(Math.abs(s.rate - 10_000 / 10_000_000) < 1e-15);
  });

  it('reads every block of a side with fewer than minBlocks blocks, keeping perSide of its events', () => {
    // A heatmap box: 40 000 events in 30 blocks.
    assert.deepEqual(sideSampling({ events: 40_000, blocks: 30 }, BOUNDS), { blockRate: 1, keepRate: 0.25, rate: 0.25 });
  });

  it('reads the blocks that hold about perSide events when that is between the bounds, all their events', () => {
    // 20 000 events in 400 blocks: half the blocks hold about 10 000.
    assert.deepEqual(sideSampling({ events: 20_000, blocks: 400 }, BOUNDS), { blockRate: 0.5, keepRate: 1, rate: 0.5 });
  });

  it('reads at most maxBlocks blocks of a side spread thinly (a rare error), with all their events and a lower rate', () => {
    // 59 000 errors in all of 4 883 blocks: 10 000 would need 828 blocks; 512 are read (~6 200 errors).
    assert.deepEqual(sideSampling({ events: 59_000, blocks: 4_883 }, BOUNDS), { blockRate: 512 / 4_883, keepRate: 1, rate: 512 / 4_883 });
    // 8 000 errors fit the events bound but not the blocks bound.
    assert.deepEqual(sideSampling({ events: 8_000, blocks: 1_024 }, BOUNDS), { blockRate: 0.5, keepRate: 1, rate: 0.5 });
  });

  it('samples each side on its own', () => {
    assert.deepEqual(blockSampling({ selected: { events: 372, blocks: 40 }, baseline: { events: 40_000, blocks: 30 } }, BOUNDS), {
      selected: { blockRate: 1, keepRate: 1, rate: 1 },
      baseline: { blockRate: 1, keepRate: 0.25, rate: 0.25 },
    });
  });
});

describe('BubbleUp block extent', () => {
  it('counts the blocks between the first and last row of a side packed in one stretch (a heatmap box)', () => {
    // 40 000 events in rows 100 000..160 000 of segment 1: blocks 48..78, all holding some.
    assert.deepEqual(sideExtent([{ events: 40_000, firstRow: 100_000, lastRow: 160_000 }], 2048), { events: 40_000, blocks: 31 });
  });

  it('estimates the blocks a rare side spread over a range holds, never more than its events, summed over segments', () => {
    // 100 events over 489 blocks: 489 × (1 − (488/489)^100) ≈ 90.5.
    assert.deepEqual(sideExtent([{ events: 100, firstRow: 0, lastRow: 999_999 }], 2048), { events: 100, blocks: 91 });
    // 59 000 events over 4 883 blocks: all of them; 3 events in one block: 1.
    assert.deepEqual(sideExtent([
      { events: 59_000, firstRow: 0, lastRow: 9_999_999 },
      { events: 3, firstRow: 10, lastRow: 2_000 },
      { events: 0, firstRow: 0, lastRow: 0 },
    ], 2048), { events: 59_003, blocks: 4_884 });
  });
});
