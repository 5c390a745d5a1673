import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  absoluteTime,
  fromDatetimeLocal,
  granularityChoices,
  presetOf,
  relativeLabel,
  relativeSeconds,
  relativeTime,
  resolveTimeWindow,
  toDatetimeLocal,
} from './time-range-model.js';

test('a bare time_range ends now and defaults to two hours', () => {
  assert.deepEqual(resolveTimeWindow({ time_range: 600 }, 10_000), { startSec: 9_400, endSec: 10_000 });
  assert.deepEqual(resolveTimeWindow({}, 10_000), { startSec: 2_800, endSec: 10_000 });
});

test('start_time or end_time anchor one end of the range; both give an explicit window', () => {
  assert.deepEqual(resolveTimeWindow({ time_range: 60, start_time: 100 }, 10_000), { startSec: 100, endSec: 160 });
  assert.deepEqual(resolveTimeWindow({ time_range: 60, end_time: 100 }, 10_000), { startSec: 40, endSec: 100 });
  assert.deepEqual(resolveTimeWindow({ start_time: 5, end_time: 9 }, 10_000), { startSec: 5, endSec: 9 });
});

test('recognises presets and custom windows', () => {
  assert.equal(presetOf({ time_range: 600 })?.short, '10m');
  assert.equal(presetOf({})?.short, '2h');
  assert.equal(presetOf({ time_range: 601 }), null);
  assert.equal(presetOf({ start_time: 1, end_time: 2 }), null);
});

test('changing the range drops a granularity that is no longer valid', () => {
  assert.deepEqual(relativeTime(600, 60), { time_range: 600, granularity: 60 });
  assert.deepEqual(relativeTime(600, 3600), { time_range: 600 });
  assert.deepEqual(absoluteTime({ startSec: 0, endSec: 100_000 }, 1), { start_time: 0, end_time: 100_000 });
});

test('offers only granularities between range/1000 and range', () => {
  assert.deepEqual(granularityChoices(600), [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]);
  assert.deepEqual(granularityChoices(604800).slice(0, 3), [900, 1800, 3600]);
});

test('datetime-local values round-trip', () => {
  const sec = fromDatetimeLocal('2026-03-04T05:06');
  assert.notEqual(sec, null);
  assert.equal(toDatetimeLocal(sec!), '2026-03-04T05:06');
  assert.equal(fromDatetimeLocal('yesterday'), null);
});

test('a relative window that is no preset is still relative, and named as such', () => {
  assert.equal(relativeSeconds({ time_range: 1800 }), 1800);
  assert.equal(relativeSeconds({}), 7200);
  assert.equal(relativeSeconds({ time_range: 1800, end_time: 5000 }), null);
  assert.equal(relativeSeconds({ start_time: 1, end_time: 2 }), null);
  assert.equal(relativeLabel(1800), 'Last 30 minutes');
  assert.equal(relativeLabel(3600), 'Last hour');
  assert.equal(relativeLabel(86400 * 3), 'Last 3 days');
  assert.equal(relativeLabel(90), 'Last 90 seconds');
  assert.equal(relativeLabel(1209600), 'Last 2 weeks');
});
