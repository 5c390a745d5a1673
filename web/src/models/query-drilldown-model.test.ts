import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QuerySpec } from '../../../src/query/query-spec.js';
import { parseTextQuery } from '../../../src/query/text/text-query-parser.js';
import { addFilters, filtersForGroup, slowestTraceSpec, slowestTracesSpec } from './query-drilldown-model.js';

const base: QuerySpec = {
  calculations: [{ op: 'P95', column: 'duration_ms' }],
  filters: [{ column: 'service.name', op: '=', value: 'api' }],
  filter_combination: 'AND',
  breakdowns: ['user.id', 'http.route'],
  orders: [],
  havings: [],
  limit: 100,
  time_range: 7200,
};

test('a group becomes equality filters, a missing value does-not-exist', () => {
  assert.deepEqual(filtersForGroup({ 'user.id': 'u1', 'http.route': null, code: 500 }), [
    { column: 'user.id', op: '=', value: 'u1' },
    { column: 'http.route', op: 'does-not-exist' },
    { column: 'code', op: '=', value: 500 },
  ]);
});

test('adding filters skips duplicates and refuses to mix into an OR query', () => {
  const added = addFilters(base, [{ column: 'service.name', op: '=', value: 'api' }, { column: 'user.id', op: '=', value: 'u1' }]);
  assert.deepEqual(added?.filters, [
    { column: 'service.name', op: '=', value: 'api' },
    { column: 'user.id', op: '=', value: 'u1' },
  ]);
  assert.equal(addFilters({ ...base, filter_combination: 'OR' }, [{ column: 'x', op: 'exists' }]), null);
  assert.equal(addFilters(base, []), base);
});

test('a chart point asks for the slowest trace of that group in that bucket', () => {
  assert.deepEqual(slowestTraceSpec(base, { 'user.id': 'u1' }, 1000, 60), {
    calculations: [{ op: 'MAX', column: 'duration_ms' }],
    filters: [
      { column: 'service.name', op: '=', value: 'api' },
      { column: 'user.id', op: '=', value: 'u1' },
      { column: 'trace.trace_id', op: 'exists' },
    ],
    filter_combination: 'AND',
    breakdowns: ['trace.trace_id'],
    orders: [{ op: 'MAX', column: 'duration_ms', order: 'descending' }],
    havings: [],
    limit: 1,
    time_range: 60,
    start_time: 1000,
    end_time: 1060,
  });
});

test('under OR the bucket search keeps the original filters only', () => {
  const spec = slowestTraceSpec({ ...base, filter_combination: 'OR' }, { 'user.id': 'u1' }, 0, 30);
  assert.deepEqual(spec.filters, base.filters);
  assert.equal(spec.filter_combination, 'OR');
});

test('the traces tab keeps the window of the query', () => {
  const spec = slowestTracesSpec({ ...base, start_time: 10, end_time: 70, time_range: 60 }, 5);
  assert.deepEqual([spec.limit, spec.start_time, spec.end_time, spec.time_range, spec.breakdowns], [5, 10, 70, 60, ['trace.trace_id']]);
});

test('a heatmap cell opens the slowest trace within its value range', () => {
  const heatmap = parseTextQuery('VISUALIZE HEATMAP(duration_ms) LAST 1h');
  const found = slowestTraceSpec(heatmap, {}, 600, 60, { column: 'duration_ms', lower: 100, upper: 200 });
  assert.deepEqual(found.filters, [
    { column: 'duration_ms', op: '>=', value: 100 },
    { column: 'duration_ms', op: '<=', value: 200 },
    { column: 'trace.trace_id', op: 'exists' },
  ]);
  assert.equal(found.start_time, 600);
  assert.equal(found.end_time, 660);
});
