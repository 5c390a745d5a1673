import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAxisTime, formatCalculationCell, formatWithUnit, unitOf } from './value-units-model.js';

test('reads the unit from the column or the calculation', () => {
  assert.equal(unitOf('duration_ms'), 'ms');
  assert.equal(unitOf('P95(duration_ms)'), 'ms');
  assert.equal(unitOf('network.latency_ms'), 'ms');
  assert.equal(unitOf('http.response.body.size'), 'bytes');
  assert.equal(unitOf('COUNT'), 'none');
  assert.equal(unitOf('COUNT_DISTINCT(duration_ms)'), 'none');
  assert.equal(unitOf('user.id'), 'none');
});

test('formats values with their unit', () => {
  assert.equal(formatWithUnit('P95(duration_ms)', 1520), '1.52 s');
  assert.equal(formatWithUnit('duration_ms', 12.345), '12.3 ms');
  assert.equal(formatWithUnit('http.response.body.size', 1536), '1.5 KiB');
  assert.equal(formatWithUnit('COUNT', 1204), '1,204');
  assert.equal(formatWithUnit('AVG(retries)', 1.23456), '1.235');
});

test('time labels carry the date once a chart spans more than a day', () => {
  const t = Date.UTC(2026, 10, 30, 14, 5) / 1000;
  assert.equal(formatAxisTime(t, 7200, 'UTC'), '14:05');
  assert.equal(formatAxisTime(t, 3 * 86_400, 'UTC'), '30 Nov 14:05');
  assert.equal(formatAxisTime(t, 3650 * 86_400, 'UTC'), '30 Nov 2026');
});

test('a calculation cell carries its unit; counts and text stay as they are', () => {
  const plain = (v: unknown): string => `plain:${String(v)}`;
  assert.equal(formatCalculationCell('P95(duration_ms)', 250.5, plain), '250.5 ms');
  assert.equal(formatCalculationCell('COUNT', 12, plain), 'plain:12');
  assert.equal(formatCalculationCell('MAX(duration_ms)', null, plain), 'plain:null');
});
