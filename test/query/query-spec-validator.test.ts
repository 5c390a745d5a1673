import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidQueryError } from '../../src/core/errors.js';
import { validateQuerySpec } from '../../src/query/query-spec-validator.js';

function rejection(input: unknown, disableSeries = false): [string | undefined, string] {
  try {
    validateQuerySpec(input, { disableSeries });
  } catch (error) {
    assert.ok(error instanceof InvalidQueryError);
    return [error.field, error.message];
  }
  assert.fail('accepted');
}

const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);

describe('validateQuerySpec', () => {
  it('refuses results of more values than query.resultValues, naming limit', () => {
    const heatmaps = Array.from({ length: 100 }, (_, i) => ({ op: 'HEATMAP', column: `c${i}` }));
    const [field, message] = rejection({ breakdowns: ['trace.span_id'], calculations: heatmaps, limit: 10_000 }, true);
    assert.equal(field, 'limit');
    assert.match(message, /^limit: 10000 groups of 5001 values .* is 50010000 values, more than one answer holds \(query\.resultValues: 1000000\)/);
    // The same calculations for the default 100 groups (510 100 values), or without breakdowns (one group), are taken.
    assert.equal(validateQuerySpec({ breakdowns: ['trace.span_id'], calculations: heatmaps }).limit, 100);
    assert.equal(validateQuerySpec({ calculations: heatmaps, limit: 10_000 }, { disableSeries: true }).limit, 10_000);
  });

  it('fills in the defaults', () => {
    assert.deepEqual(validateQuerySpec({}), {
      calculations: [{ op: 'COUNT' }],
      filters: [],
      filter_combination: 'AND',
      breakdowns: [],
      orders: [],
      havings: [],
      limit: 100,
      time_range: 7200,
    });
  });

  it('treats null fields as absent and normalizes a single OR filter to AND', () => {
    const spec = validateQuerySpec({ orders: null, filter_combination: 'or', filters: [{ column: 'a', op: 'exists', value: null }] });
    assert.equal(spec.filter_combination, 'AND');
    assert.deepEqual(spec.filters, [{ column: 'a', op: 'exists' }]);
  });

  it('turns start_time or end_time with time_range into an absolute window', () => {
    assert.deepEqual(pick(validateQuerySpec({ start_time: 1000, time_range: 60 })), { start_time: 1000, end_time: 1060, time_range: 60 });
    assert.deepEqual(pick(validateQuerySpec({ end_time: 1000, time_range: 60 })), { start_time: 940, end_time: 1000, time_range: 60 });
    assert.deepEqual(pick(validateQuerySpec({ start_time: 1000, end_time: 1300 })), { start_time: 1000, end_time: 1300, time_range: 300 });
    // A normalized spec validates to itself.
    assert.deepEqual(pick(validateQuerySpec({ start_time: 1000, end_time: 1300, time_range: 300 })), { start_time: 1000, end_time: 1300, time_range: 300 });
  });

  const CASES: Array<[string, unknown, string, string]> = [
    ['an unknown calculation op', { calculations: [{ op: 'COUNT' }, { op: 'P42', column: 'x' }] }, 'calculations[1].op', "calculations[1].op: unknown op 'P42'"],
    ['COUNT with a column', { calculations: [{ op: 'COUNT', column: 'x' }] }, 'calculations[0].column', 'calculations[0].column: COUNT takes no column'],
    ['SUM without a column', { calculations: [{ op: 'SUM' }] }, 'calculations[0].column', 'calculations[0].column: SUM needs a column'],
    ['a duplicate calculation', { calculations: [{ op: 'MAX', column: 'x' }, { op: 'MAX', column: 'x' }] }, 'calculations[1]', 'calculations[1]: duplicate MAX(x)'],
    ['an unknown filter op', { filters: [{ column: 'a', op: 'like', value: 'x' }] }, 'filters[0].op', "filters[0].op: unknown op 'like'"],
    ['exists with a value', { filters: [{ column: 'a', op: 'exists', value: 1 }] }, 'filters[0].value', 'filters[0].value: exists takes no value'],
    ['in without a list', { filters: [{ column: 'a', op: 'in', value: 'x' }] }, 'filters[0].value', 'filters[0].value: in needs a non-empty list of values'],
    ['= without a value', { filters: [{ column: 'a', op: '=' }] }, 'filters[0].value', 'filters[0].value: = needs a value'],
    ['an object as a value', { filters: [{ column: 'a', op: '=', value: {} }] }, 'filters[0].value', 'filters[0].value: must be a string, number or boolean, got an object'],
    ['an empty column name', { breakdowns: [''] }, 'breakdowns[0]', 'breakdowns[0]: must be a non-empty column name'],
    ['a bad filter_combination', { filter_combination: 'XOR' }, 'filter_combination', "filter_combination: unknown filter_combination 'XOR'"],
    ['an order on neither', { breakdowns: ['a'], orders: [{ column: 'b' }] }, 'orders[0]', 'orders[0]: b is neither a breakdown nor a calculation'],
    ['an order on a missing calculation', { orders: [{ op: 'MAX', column: 'x' }] }, 'orders[0]', 'orders[0]: MAX(x) is not one of the calculations'],
    ['an order on HEATMAP', { calculations: [{ op: 'HEATMAP', column: 'x' }], orders: [{ op: 'HEATMAP', column: 'x' }] }, 'orders[0].op', 'orders[0].op: cannot order by HEATMAP'],
    ['a having on a missing calculation', { havings: [{ calculate_op: 'AVG', column: 'x', op: '>', value: 1 }] }, 'havings[0]', 'havings[0]: AVG(x) is not one of the calculations'],
    ['a having on HEATMAP', { calculations: [{ op: 'HEATMAP', column: 'x' }], havings: [{ calculate_op: 'HEATMAP', column: 'x', op: '>', value: 1 }] }, 'havings[0].calculate_op', 'havings[0].calculate_op: HEATMAP cannot be used in a having'],
    ['a having with a string value', { havings: [{ calculate_op: 'COUNT', op: '>', value: '5' }] }, 'havings[0].value', "havings[0].value: must be a finite number, got '5'"],
    ['a having op of filters', { havings: [{ calculate_op: 'COUNT', op: 'contains', value: 5 }] }, 'havings[0].op', "havings[0].op: unknown op 'contains'"],
    ['a limit over 1000', { limit: 1001 }, 'limit', 'limit: at most 1000, got 1001'],
    ['a fractional limit', { limit: 1.5 }, 'limit', 'limit: must be an integer, got 1.5'],
    ['more than 100 breakdowns', { breakdowns: many(101) }, 'breakdowns', 'breakdowns: at most 100 items, got 101'],
    ['all three of start_time, end_time and a different time_range', { start_time: 0, end_time: 100, time_range: 50 }, 'time_range', 'time_range: cannot be combined with both start_time and end_time'],
    ['end_time before start_time', { start_time: 100, end_time: 50 }, 'end_time', 'end_time: must be after start_time'],
    ['a granularity over time_range', { time_range: 60, granularity: 61 }, 'granularity', 'granularity: must not exceed time_range (60)'],
    ['a granularity under time_range/1000', { time_range: 7200, granularity: 7 }, 'granularity', 'granularity: must be at least time_range/1000 (8)'],
    ['a calculated field that does not parse', { calculated_fields: [{ name: 'x', expression: 'IF(' }] }, 'calculated_fields[0].expression', 'calculated_fields[0].expression: the expression ends where a value was expected (at character 3)'],
    ['a calculated field without a name', { calculated_fields: [{ expression: '1' }] }, 'calculated_fields[0].name', 'calculated_fields[0].name: must be a non-empty column name'],
    ['two calculated fields of one name', { calculated_fields: [{ name: 'x', expression: '1' }, { name: 'x', expression: '2' }] }, 'calculated_fields[1]', 'calculated_fields[1]: duplicate x'],
    ['an unknown field', { breakdown: ['a'] }, 'breakdown', 'breakdown: unknown field'],
  ];
  for (const [name, input, field, message] of CASES) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(rejection(input), [field, message]);
    });
  }

  it('allows a limit of 10 000 when the series are disabled', () => {
    assert.equal(validateQuerySpec({ limit: 10_000 }, { disableSeries: true }).limit, 10_000);
    assert.deepEqual(rejection({ limit: 10_001 }, true), ['limit', 'limit: at most 10000, got 10001']);
  });
});

function pick(spec: { start_time?: number; end_time?: number; time_range: number }): Record<string, number | undefined> {
  return { start_time: spec.start_time, end_time: spec.end_time, time_range: spec.time_range };
}
