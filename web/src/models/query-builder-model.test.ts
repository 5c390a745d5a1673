import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QuerySpec } from '../../../src/query/query-spec.js';
import { builderFromSpec, filterOpsFor, parseCalculationLabel, specFromBuilder, splitListText, type ColumnTypeOf } from './query-builder-model.js';

const types: Record<string, 'string' | 'integer' | 'float' | 'boolean'> = {
  'service.name': 'string',
  'user.id': 'string',
  'http.response.status_code': 'integer',
  duration_ms: 'float',
  error: 'boolean',
};
const typeOf: ColumnTypeOf = (c) => types[c];

const spec: QuerySpec = {
  calculations: [{ op: 'P95', column: 'duration_ms' }, { op: 'COUNT' }],
  filters: [
    { column: 'service.name', op: '=', value: 'api' },
    { column: 'http.response.status_code', op: '>=', value: 500 },
    { column: 'error', op: '=', value: true },
    { column: 'user.id', op: 'in', value: ['a', 'b, c', ' d'] },
    { column: 'user.id', op: 'exists' },
  ],
  filter_combination: 'OR',
  breakdowns: ['user.id'],
  orders: [
    { op: 'P95', column: 'duration_ms', order: 'descending' },
    { column: 'user.id', order: 'ascending' },
    { op: 'COUNT', order: 'descending' },
  ],
  havings: [{ calculate_op: 'COUNT', op: '>', value: 10 }],
  limit: 10,
  time_range: 600,
  granularity: 30,
};

test('spec → builder rows → spec is the identity', () => {
  const state = builderFromSpec(spec);
  assert.deepEqual(state.filters[3], { column: 'user.id', op: 'in', value: 'a, "b, c", " d"' });
  assert.deepEqual(state.orders[0], { key: 'P95(duration_ms)', order: 'descending' });
  assert.deepEqual(specFromBuilder(state, spec, typeOf), { spec, skipped: [] });
});

test('values follow the column type: numbers for numeric columns, booleans for boolean ones', () => {
  const state = builderFromSpec({ ...spec, filters: [] });
  state.filters = [
    { column: 'http.response.status_code', op: '=', value: '404' },
    { column: 'user.id', op: '=', value: '404' },
    { column: 'error', op: '!=', value: 'false' },
    { column: 'unknown.col', op: 'in', value: '1, 2' },
  ];
  assert.deepEqual(specFromBuilder(state, spec, typeOf).spec.filters, [
    { column: 'http.response.status_code', op: '=', value: 404 },
    { column: 'user.id', op: '=', value: '404' },
    { column: 'error', op: '!=', value: false },
    { column: 'unknown.col', op: 'in', value: ['1', '2'] },
  ]);
});

test('incomplete rows are left out and named', () => {
  const state = builderFromSpec(spec);
  state.calculations.push({ op: 'AVG', column: '' });
  state.filters = [{ column: '', op: '=', value: '' }, { column: 'user.id', op: 'in', value: ' ' }];
  state.orders.push({ key: 'nothing', order: 'ascending' });
  state.havings.push({ calculation: 'COUNT', op: '<', value: 'many' });
  state.limit = '-3';
  const { spec: out, skipped } = specFromBuilder(state, spec, typeOf);
  assert.equal(out.calculations.length, 2);
  assert.deepEqual(out.filters, []);
  assert.equal(out.filter_combination, 'AND');
  assert.equal(out.limit, 100);
  assert.deepEqual(skipped, [
    'VISUALIZE 3: AVG needs a column',
    'WHERE 2: in needs at least one value',
    'ORDER BY 4: nothing is neither a calculation nor a GROUP BY column',
    'HAVING 2: needs a number',
    'LIMIT: needs a positive whole number',
  ]);
});

test('parses calculation labels strictly', () => {
  assert.deepEqual(parseCalculationLabel('P99(duration_ms)'), { op: 'P99', column: 'duration_ms' });
  assert.deepEqual(parseCalculationLabel('COUNT'), { op: 'COUNT' });
  assert.equal(parseCalculationLabel('COUNT(x)'), null);
  assert.equal(parseCalculationLabel('AVG'), null);
  assert.equal(parseCalculationLabel('user.id'), null);
});

test('splits list text with quoted items', () => {
  assert.deepEqual(splitListText('a, "b, c",d'), ['a', 'b, c', 'd']);
  assert.deepEqual(splitListText(''), []);
  assert.deepEqual(splitListText('"x\\"y"'), ['x"y']);
});

test('offers only the filter ops valid for a column type', () => {
  assert.deepEqual(filterOpsFor('boolean'), ['=', '!=', 'exists', 'does-not-exist', 'in', 'not-in']);
  assert.equal(filterOpsFor(undefined).length, 16);
});
