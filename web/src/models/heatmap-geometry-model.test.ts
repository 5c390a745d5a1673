import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatColor, heatmapCellAt, layoutHeatmap, mergeHeatmapColumns, readHeatmapBuckets } from './heatmap-geometry-model.js';

test('reads buckets in either accepted shape and skips empty ones', () => {
  assert.deepEqual(readHeatmapBuckets({ buckets: [{ lower: 0, upper: 10, count: 3 }, { lower: 10, upper: 20, count: 0 }] }), [
    { lower: 0, upper: 10, count: 3 },
  ]);
  assert.deepEqual(readHeatmapBuckets({ boundaries: [0, 5, 10], counts: [1, 2] }), [
    { lower: 0, upper: 5, count: 1 },
    { lower: 5, upper: 10, count: 2 },
  ]);
  assert.deepEqual(readHeatmapBuckets(null), []);
  assert.deepEqual(readHeatmapBuckets({ buckets: [{ lower: 'x', upper: 1, count: 1 }] }), []);
});

test('merges the groups of one time bucket', () => {
  assert.deepEqual(
    mergeHeatmapColumns([
      { time: 60, buckets: [{ lower: 0, upper: 10, count: 1 }] },
      { time: 0, buckets: [{ lower: 0, upper: 10, count: 2 }] },
      { time: 60, buckets: [{ lower: 0, upper: 10, count: 4 }, { lower: 10, upper: 20, count: 1 }] },
    ]),
    [
      { time: 0, buckets: [{ lower: 0, upper: 10, count: 2 }] },
      { time: 60, buckets: [{ lower: 0, upper: 10, count: 5 }, { lower: 10, upper: 20, count: 1 }] },
    ],
  );
});

test('places cells by time and value with the y origin at the bottom', () => {
  const plot = layoutHeatmap(
    [
      { time: 0, buckets: [{ lower: 0, upper: 50, count: 1 }] },
      { time: 50, buckets: [{ lower: 50, upper: 100, count: 4 }] },
    ],
    { startSec: 0, endSec: 100 },
    50,
    200,
    100,
  );
  assert.equal(plot.maxCount, 4);
  assert.deepEqual(
    plot.cells.map((c) => [c.x, c.y, c.width, c.height]),
    [
      [0, 50, 100, 50],
      [100, 0, 100, 50],
    ],
  );
  assert.equal(heatmapCellAt(plot, 150, 10)?.count, 4);
  assert.equal(heatmapCellAt(plot, 150, 90), null);
});

test('an empty heatmap has no cells', () => {
  assert.deepEqual(layoutHeatmap([], { startSec: 0, endSec: 10 }, 1, 100, 100), { cells: [], minValue: 0, maxValue: 0, maxCount: 0, scale: 'linear', height: 100 });
});

test('colors run from pale for rare to dark for the most frequent', () => {
  assert.equal(heatColor(0, 10), 'rgb(255, 240, 200)');
  assert.equal(heatColor(10, 10), 'rgb(90, 20, 110)');
  assert.equal(heatColor(5, 0), 'rgb(255, 240, 200)');
});
