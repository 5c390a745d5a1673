import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnUnit, formatAxisTime, formatLabelValue, formatWithUnit, hasUnit, resultColumnUnit } from './value-units-model.js';

test('reads the unit from the column name suffix', () => {
  assert.equal(columnUnit('duration_ms'), 'ms');
  assert.equal(columnUnit('network.latency_ms'), 'ms');
  assert.equal(columnUnit('db.duration.ns'), 'ns');
  assert.equal(columnUnit('http.request.body.size'), 'bytes');
  assert.equal(columnUnit('response_bytes'), 'bytes');
  assert.equal(columnUnit('timeout_s'), 's');
  assert.equal(columnUnit('user.id'), null);
  assert.equal(columnUnit('items'), null);
  assert.equal(columnUnit('params'), null);
});

test('a calculation keeps its column unit unless it counts', () => {
  assert.equal(resultColumnUnit('P95(duration_ms)'), 'ms');
  assert.equal(resultColumnUnit('SUM(duration_ms)'), 'ms');
  assert.equal(resultColumnUnit('AVG(response_bytes)'), 'bytes');
  assert.equal(resultColumnUnit('COUNT'), null);
  assert.equal(resultColumnUnit('COUNT_DISTINCT(duration_ms)'), null);
  assert.equal(resultColumnUnit('CONCURRENCY'), null);
  assert.equal(resultColumnUnit('duration_ms'), 'ms');
});

test('formats values with their unit', () => {
  assert.equal(formatWithUnit(12.345, 'ms'), '12.3 ms');
  assert.equal(formatWithUnit(1520, 'ms'), '1.52 s');
  assert.equal(formatWithUnit(0.4, 'ms'), '0.4 ms');
  assert.equal(formatWithUnit(340, 'us'), '340 µs');
  assert.equal(formatWithUnit(2500, 'ns'), '2.5 µs');
  assert.equal(formatWithUnit(3_000_000, 'ns'), '3 ms');
  assert.equal(formatWithUnit(90, 's'), '1m 30s');
  assert.equal(formatWithUnit(512, 'bytes'), '512 B');
  assert.equal(formatWithUnit(1_572_864, 'bytes'), '1.5 MB');
  assert.equal(formatWithUnit(7, null), null);
  assert.equal(formatWithUnit(Number.NaN, 'ms'), null);
});

test('a chart label has a unit when its column keeps one; counts have none', () => {
  assert.equal(hasUnit('duration_ms'), true);
  assert.equal(hasUnit('P95(duration_ms)'), true);
  assert.equal(hasUnit('network.latency_ms'), true);
  assert.equal(hasUnit('http.response.body.size'), true);
  assert.equal(hasUnit('COUNT'), false);
  assert.equal(hasUnit('COUNT_DISTINCT(duration_ms)'), false);
  assert.equal(hasUnit('user.id'), false);
});

test('formats axis, tooltip and bucket values with their label unit, others plainly', () => {
  assert.equal(formatLabelValue('P95(duration_ms)', 1520), '1.52 s');
  assert.equal(formatLabelValue('duration_ms', 12.345), '12.3 ms');
  assert.equal(formatLabelValue('http.response.body.size', 1536), '1.5 KB');
  assert.equal(formatLabelValue('COUNT', 1204), '1,204');
  assert.equal(formatLabelValue('AVG(retries)', 1.23456), '1.235');
});

test('time labels carry the date once a chart spans more than a day', () => {
  const t = Date.UTC(2026, 10, 30, 14, 5) / 1000;
  assert.equal(formatAxisTime(t, 7200, 'UTC'), '14:05');
  assert.equal(formatAxisTime(t, 3 * 86_400, 'UTC'), '30 Nov 14:05');
  assert.equal(formatAxisTime(t, 3650 * 86_400, 'UTC'), '30 Nov 2026');
});
