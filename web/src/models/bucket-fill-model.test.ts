import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketGrid, bucketTimes, countsFromZero, emptyBucketValue, filledTimes, isolatedIndexes } from './bucket-fill-model.js';

test('buckets start at the epoch-aligned boundary at or before the window start and cover it to the end', () => {
  assert.deepEqual(bucketTimes({ startSec: 1_000_030, endSec: 1_000_200, granularitySec: 60 }), [1_000_020, 1_000_080, 1_000_140]);
  assert.deepEqual(bucketTimes({ startSec: 120, endSec: 240, granularitySec: 60 }), [120, 180]);
});

test('an unusable grid gives no buckets rather than hanging the page', () => {
  assert.deepEqual(bucketTimes({ startSec: 0, endSec: 100, granularitySec: 0 }), []);
  assert.deepEqual(bucketTimes({ startSec: 100, endSec: 100, granularitySec: 10 }), []);
  assert.deepEqual(bucketTimes({ startSec: 0, endSec: 1e9, granularitySec: 1 }), []);
});

test('a window without a stated granularity gets the server default (24 h → 720 s, 120 buckets)', () => {
  const grid = bucketGrid({ startSec: 86_400 * 100, endSec: 86_400 * 101 });
  assert.equal(grid.granularitySec, 900);
  assert.equal(bucketTimes(grid).length, 96);
  assert.equal(bucketGrid({ startSec: 0, endSec: 7200 }, 60).granularitySec, 60);
});

test('counts and sums are 0 in an empty bucket; averages, percentiles, extremes and rates are gaps', () => {
  assert.equal(emptyBucketValue('COUNT'), 0);
  assert.equal(emptyBucketValue('SUM'), 0);
  assert.equal(emptyBucketValue('COUNT_DISTINCT'), 0);
  assert.equal(emptyBucketValue('CONCURRENCY'), 0);
  assert.equal(emptyBucketValue('AVG'), null);
  assert.equal(emptyBucketValue('P95'), null);
  assert.equal(emptyBucketValue('MAX'), null);
  assert.equal(emptyBucketValue('RATE_SUM'), null);
  assert.equal(countsFromZero('COUNT'), true);
  assert.equal(countsFromZero('P95'), false);
  assert.equal(countsFromZero('HEATMAP'), false);
});

test('filled times keep a point that lies off the grid', () => {
  assert.deepEqual(filledTimes({ startSec: 0, endSec: 180, granularitySec: 60 }, [60, 90]), [0, 60, 90, 120]);
  assert.deepEqual(filledTimes(null, [30, 10, 30]), [10, 30]);
});

test('isolated values are those with no value on either side', () => {
  assert.deepEqual(isolatedIndexes([5, null, 3, null, 4, 4, null]), [0, 2]);
  assert.deepEqual(isolatedIndexes([1]), [0]);
  assert.deepEqual(isolatedIndexes([]), []);
});
