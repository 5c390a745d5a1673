import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zoomedSpec, zoomWindow } from './chart-zoom-model.js';

test('a selection becomes a whole-second window, in order, clipped to what is shown', () => {
  const shown = { startSec: 1000, endSec: 2000 };
  assert.deepEqual(zoomWindow(1200.4, 1500.2, shown), { startSec: 1200, endSec: 1501 });
  assert.deepEqual(zoomWindow(1500, 1200, shown), { startSec: 1200, endSec: 1500 });
  assert.deepEqual(zoomWindow(900, 2100, shown), { startSec: 1000, endSec: 2000 });
  assert.deepEqual(zoomWindow(1300.2, 1300.4, shown), { startSec: 1300, endSec: 1301 });
  assert.equal(zoomWindow(Number.NaN, 1300, shown), null);
});

test('zooming makes the spec explicit and drops a granularity the new window cannot hold', () => {
  const spec = { calculations: [{ op: 'COUNT' as const }], filters: [], filter_combination: 'AND' as const, breakdowns: [], orders: [], havings: [], limit: 100, time_range: 7200, granularity: 600 };
  assert.deepEqual(zoomedSpec(spec, { startSec: 1000, endSec: 1600 }), { ...spec, time_range: 600, start_time: 1000, end_time: 1600, granularity: 600 });
  const { granularity: _g, ...without } = spec;
  assert.deepEqual(zoomedSpec(spec, { startSec: 1000, endSec: 1300 }), { ...without, time_range: 300, start_time: 1000, end_time: 1300 });
});
