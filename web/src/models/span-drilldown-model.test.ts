import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateQuerySpec } from '../../../src/query/query-spec-validator.js';
import { canFilterOn, spanDrilldownSpec } from './span-drilldown-model.js';

const NOW = 1_800_000_000;

test('filter by a value of a recent trace: the last two hours with that filter', () => {
  const spec = spanDrilldownSpec('filter', 'http.route', '/checkout', NOW - 600, NOW)!;
  assert.deepEqual(spec.filters, [{ column: 'http.route', op: '=', value: '/checkout' }]);
  assert.equal(spec.time_range, 7200);
  assert.equal(spec.start_time, undefined);
  assert.deepEqual(validateQuerySpec(spec), spec);
});

test('an older trace gets the two hours around it', () => {
  const spec = spanDrilldownSpec('traces', 'user.id', 'u-3', NOW - 86_400, NOW)!;
  assert.deepEqual([spec.start_time, spec.end_time, spec.time_range], [NOW - 86_400 - 3600, NOW - 86_400 + 3600, 7200]);
  assert.deepEqual(validateQuerySpec(spec), spec);
});

test('group by a field counts per value, most common first', () => {
  const spec = spanDrilldownSpec('group', 'user.id', 'u-3', NOW, NOW)!;
  assert.deepEqual(spec.breakdowns, ['user.id']);
  assert.deepEqual(spec.filters, []);
  assert.deepEqual(spec.orders, [{ op: 'COUNT', order: 'descending' }]);
  assert.deepEqual(validateQuerySpec(spec), spec);
});

test('the span own ids, times and non-scalar values are not offered', () => {
  assert.equal(spanDrilldownSpec('filter', 'trace.span_id', 'abcd', NOW, NOW), null);
  assert.equal(spanDrilldownSpec('group', 'trace.trace_id', 'abcd', NOW, NOW), null);
  assert.equal(canFilterOn('http.status_code', Number.NaN), false);
  assert.equal(canFilterOn('obj', { a: 1 }), false);
  assert.equal(canFilterOn('error', true), true);
});
