import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnUnit, formatWithUnit, resultColumnUnit } from './value-units-model.js';

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
