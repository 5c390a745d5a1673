import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONFORMANCE_ROWS, NASTY_ROUTE, NASTY_USER, T0 } from './conformance-dataset.js';
import { quantileCont, runSpec } from './conformance-harness.js';
import { SPAN_TABLE_BACKENDS, type SpanTable } from './span-table-backends.js';

const DURATIONS = [100, 40, 30, 130_000, 60, 20];
// duration_ms percentiles are computed on the integer nanoseconds and divided once (ColumnBinding.scaledInteger).
const P = (q: number): number => quantileCont(DURATIONS.map((ms) => ms * 1e6), q) / 1e6;
const iso = (offset: number): string => new Date((T0 + offset) * 1000).toISOString().replace('.000Z', 'Z');


/** One calculation over the whole window, no breakdown: the single results row. */
const CALCULATION_CASES: Array<[Record<string, unknown>, number | null, boolean?]> = [
  [{ op: 'COUNT' }, 7],
  [{ op: 'COUNT' }, 9, true],
  [{ op: 'SUM', column: 'duration_ms' }, 130_250],
  [{ op: 'SUM', column: 'duration_ms' }, 260_310, true],
  [{ op: 'AVG', column: 'duration_ms' }, 130_250 / 6],
  [{ op: 'AVG', column: 'duration_ms' }, 260_310 / 8, true],
  [{ op: 'MIN', column: 'duration_ms' }, 20],
  [{ op: 'MAX', column: 'duration_ms' }, 130_000],
  [{ op: 'MAX', column: 'http.status_code' }, 500],
  [{ op: 'COUNT_DISTINCT', column: 'service.name' }, 3],
  [{ op: 'COUNT_DISTINCT', column: 'user.id' }, 4],
  [{ op: 'P001', column: 'duration_ms' }, P(0.001)],
  [{ op: 'P01', column: 'duration_ms' }, P(0.01)],
  [{ op: 'P05', column: 'duration_ms' }, P(0.05)],
  [{ op: 'P10', column: 'duration_ms' }, P(0.1)],
  [{ op: 'P20', column: 'duration_ms' }, P(0.2)],
  [{ op: 'P25', column: 'duration_ms' }, 32.5],
  [{ op: 'P50', column: 'duration_ms' }, 50],
  [{ op: 'P75', column: 'duration_ms' }, 90],
  [{ op: 'P80', column: 'duration_ms' }, P(0.8)],
  [{ op: 'P90', column: 'duration_ms' }, 65_050],
  [{ op: 'P95', column: 'duration_ms' }, P(0.95)],
  [{ op: 'P99', column: 'duration_ms' }, P(0.99)],
  [{ op: 'P999', column: 'duration_ms' }, P(0.999)],
  // Peak spans in flight over minute buckets: two at 0, 120 and 180 s.
  [{ op: 'CONCURRENCY' }, 2],
  // Per-minute SUM 140, 30, 130060, 20 → differences -110, 130030, -130040; bucket 300 follows an empty one.
  [{ op: 'RATE_SUM', column: 'duration_ms' }, -40],
  [{ op: 'RATE_MAX', column: 'duration_ms' }, (-70 + 129_970 - 129_980) / 3],
  [{ op: 'RATE_AVG', column: 'duration_ms' }, (30 - 70 + (65_030 - 30) + (20 - 65_030)) / 3],
];

// One suite, run on every backend: the same data, the same specs, the same expected results.
for (const backend of SPAN_TABLE_BACKENDS) {
describe(`query conformance on ${backend.name}`, () => {
  let connection: SpanTable;
  before(async () => {
    connection = await backend.open();
    await connection.insert(CONFORMANCE_ROWS);
  });
  after(() => connection.close());

  describe('query conformance: calculations', () => {
    for (const [calc, expected, weighted] of CALCULATION_CASES) {
      const label = calc['column'] === undefined ? String(calc['op']) : `${String(calc['op'])}(${String(calc['column'])})`;
      it(`computes ${label}${weighted === true ? ' weighted by sample rate' : ''}`, async () => {
        const data = await runSpec(connection, { calculations: [calc], granularity: 60 }, { weighted: weighted === true });
        assert.deepEqual(data.results, [{ data: { [label]: expected } }]);
      });
    }

    it('computes HEATMAP as 50 buckets between the min and max of the column', async () => {
      const data = await runSpec(connection, { calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] });
      const width = (130_000 - 20) / 50;
      assert.deepEqual(data.results, [
        { data: { 'HEATMAP(duration_ms)': { buckets: [{ lower: 20, upper: 20 + width, count: 5 }, { lower: 20 + 49 * width, upper: 130_000, count: 1 }] } } },
      ]);
    });

    it('gives COUNT 0 and null aggregates on an empty range', async () => {
      const data = await runSpec(connection, { calculations: [{ op: 'COUNT' }, { op: 'MAX', column: 'duration_ms' }], start_time: T0 + 1000, end_time: T0 + 2000 });
      assert.deepEqual(data.results, [{ data: { COUNT: 0, 'MAX(duration_ms)': null } }]);
    });
  });

  /** COUNT of the events matching one filter (or an OR of two). */
  const FILTER_CASES: Array<[string, Record<string, unknown>[], number, string?]> = [
    ['=', [{ column: 'service.name', op: '=', value: 'frontend' }], 3],
    ['!= (events lacking the column do not match)', [{ column: 'service.name', op: '!=', value: 'frontend' }], 3],
    ['> on an integer column', [{ column: 'http.status_code', op: '>', value: 200 }], 2],
    ['>=', [{ column: 'http.status_code', op: '>=', value: 404 }], 2],
    ['<', [{ column: 'http.status_code', op: '<', value: 404 }], 2],
    ['<=', [{ column: 'http.status_code', op: '<=', value: 200 }], 2],
    ['= with a numeric string on an integer column', [{ column: 'http.status_code', op: '=', value: '500' }], 1],
    ['> on a float column', [{ column: 'duration_ms', op: '>', value: 50 }], 3],
    ['< on a float column with a fractional value', [{ column: 'cart.value', op: '<', value: 10.75 }], 2],
    ['starts-with', [{ column: 'name', op: 'starts-with', value: 'GET' }], 4],
    ['does-not-start-with', [{ column: 'name', op: 'does-not-start-with', value: 'GET' }], 3],
    ['ends-with', [{ column: 'http.route', op: 'ends-with', value: 'cart' }], 2],
    ['does-not-end-with', [{ column: 'http.route', op: 'does-not-end-with', value: 'cart' }], 3],
    ['exists', [{ column: 'http.route', op: 'exists' }], 5],
    ['does-not-exist', [{ column: 'http.route', op: 'does-not-exist' }], 2],
    ['contains', [{ column: 'name', op: 'contains', value: 'ECT' }], 2],
    ['does-not-contain', [{ column: 'name', op: 'does-not-contain', value: 'ECT' }], 5],
    ['in', [{ column: 'user.id', op: 'in', value: ['u1', 'u3'] }], 3],
    ['not-in', [{ column: 'user.id', op: 'not-in', value: ['u1', 'u3'] }], 2],
    ['= true on a boolean column', [{ column: 'cache.hit', op: '=', value: true }], 1],
    ['!= true on a boolean column', [{ column: 'cache.hit', op: '!=', value: true }], 2],
    ['= "true" on a derived boolean column', [{ column: 'error', op: '=', value: 'true' }], 2],
    ['= on a value with quotes and backslashes', [{ column: 'http.route', op: '=', value: NASTY_ROUTE }], 1],
    ['= on an SQL injection attempt', [{ column: 'user.id', op: '=', value: NASTY_USER }], 1],
    ['contains a quote', [{ column: 'user.id', op: 'contains', value: "'" }], 1],
    ['= on the hex trace id', [{ column: 'trace.trace_id', op: '=', value: 'a0000000000000000000000000000001' }], 3],
    ['OR of two filters', [{ column: 'service.name', op: '=', value: 'db' }, { column: 'http.status_code', op: '>=', value: 500 }], 3, 'OR'],
    ['AND of two filters', [{ column: 'service.name', op: '=', value: 'frontend' }, { column: 'http.status_code', op: '=', value: 200 }], 2, 'AND'],
    ['parent. (the parent span matches)', [{ column: 'parent.service.name', op: '=', value: 'frontend' }], 3],
    ['root. (the root span matches)', [{ column: 'root.http.route', op: '=', value: '/checkout' }], 2],
    ['any. (some span of the trace matches)', [{ column: 'any.error', op: '=', value: true }], 4],
    ['none. (no span of the trace matches)', [{ column: 'none.error', op: '=', value: true }], 2],
  ];

  describe('query conformance: filters', () => {
    for (const [name, filters, expected, combination] of FILTER_CASES) {
      it(`filters with ${name}`, async () => {
        const data = await runSpec(connection, { filters, ...(combination === undefined ? {} : { filter_combination: combination }) });
        assert.deepEqual(data.results, [{ data: { COUNT: expected } }]);
      });
    }
  });

  describe('query conformance: breakdowns, orders, havings, limit, series', () => {
    it('groups by a column, ordered by the first calculation descending, ties by group', async () => {
      const data = await runSpec(connection, { calculations: [{ op: 'COUNT' }, { op: 'AVG', column: 'duration_ms' }], breakdowns: ['service.name'] });
      assert.deepEqual(data.results, [
        { data: { 'service.name': 'frontend', COUNT: 3, 'AVG(duration_ms)': 130_120 / 3 } },
        { data: { 'service.name': 'db', COUNT: 2, 'AVG(duration_ms)': 50 } },
        { data: { 'service.name': 'api', COUNT: 1, 'AVG(duration_ms)': 30 } },
        { data: { 'service.name': null, COUNT: 1, 'AVG(duration_ms)': null } },
      ]);
    });

    it('groups by a column of the root span', async () => {
      const data = await runSpec(connection, { breakdowns: ['root.name'] });
      assert.deepEqual(data.results, [
        { data: { 'root.name': 'GET /cart', COUNT: 4 } },
        { data: { 'root.name': 'GET /checkout', COUNT: 2 } },
        { data: { 'root.name': null, COUNT: 1 } },
      ]);
    });

    it('groups by a column of the parent span and by two columns', async () => {
      const data = await runSpec(connection, { breakdowns: ['parent.name', 'service.name'], filters: [{ column: 'trace.parent_id', op: 'exists' }] });
      assert.deepEqual(data.results, [
        { data: { 'parent.name': 'GET /cart', 'service.name': 'api', COUNT: 1 } },
        { data: { 'parent.name': 'GET /cart', 'service.name': 'db', COUNT: 1 } },
        { data: { 'parent.name': 'GET /checkout', 'service.name': 'db', COUNT: 1 } },
      ]);
    });

    it('orders by a breakdown and applies havings and the limit', async () => {
      const data = await runSpec(connection, {
        breakdowns: ['service.name'],
        orders: [{ column: 'service.name', order: 'descending' }],
        havings: [{ calculate_op: 'COUNT', op: '>', value: 1 }],
        limit: 1,
      });
      assert.deepEqual(data.results, [{ data: { 'service.name': 'frontend', COUNT: 3 } }]);
    });

    it('orders by a calculation ascending', async () => {
      const data = await runSpec(connection, {
        calculations: [{ op: 'COUNT' }, { op: 'MAX', column: 'duration_ms' }],
        breakdowns: ['service.name'],
        orders: [{ op: 'MAX', column: 'duration_ms', order: 'ascending' }],
        limit: 2,
      });
      assert.deepEqual(data.results, [
        { data: { 'service.name': 'api', COUNT: 1, 'MAX(duration_ms)': 30 } },
        { data: { 'service.name': 'db', COUNT: 2, 'MAX(duration_ms)': 60 } },
      ]);
    });

    it('returns the series per minute for the top groups only', async () => {
      const data = await runSpec(connection, { breakdowns: ['service.name'], granularity: 60, limit: 2 }, { disableSeries: false });
      assert.deepEqual(data.series, [
        { time: iso(0), data: { 'service.name': 'frontend', COUNT: 1 } },
        { time: iso(0), data: { 'service.name': 'db', COUNT: 1 } },
        { time: iso(120), data: { 'service.name': 'frontend', COUNT: 1 } },
        { time: iso(120), data: { 'service.name': 'db', COUNT: 1 } },
        { time: iso(180), data: { 'service.name': 'frontend', COUNT: 1 } },
      ]);
    });

    it('returns COUNT_DISTINCT and percentile series from the same aggregation as the results', async () => {
      const expectedResults = [
        { 'service.name': 'frontend', 'COUNT_DISTINCT(user.id)': 3, 'P50(duration_ms)': 100 },
        { 'service.name': 'api', 'COUNT_DISTINCT(user.id)': 1, 'P50(duration_ms)': 30 },
        { 'service.name': null, 'COUNT_DISTINCT(user.id)': 1, 'P50(duration_ms)': null },
        { 'service.name': 'db', 'COUNT_DISTINCT(user.id)': 0, 'P50(duration_ms)': 50 },
      ];
      const expectedSeries = [
        { time: iso(-180), data: { 'service.name': 'frontend', 'COUNT_DISTINCT(user.id)': 1, 'P50(duration_ms)': 100 } },
        { time: iso(-180), data: { 'service.name': 'api', 'COUNT_DISTINCT(user.id)': 1, 'P50(duration_ms)': 30 } },
        { time: iso(-180), data: { 'service.name': 'db', 'COUNT_DISTINCT(user.id)': 0, 'P50(duration_ms)': 40 } },
        { time: iso(120), data: { 'service.name': 'frontend', 'COUNT_DISTINCT(user.id)': 2, 'P50(duration_ms)': 65_010 } },
        { time: iso(120), data: { 'service.name': null, 'COUNT_DISTINCT(user.id)': 1, 'P50(duration_ms)': null } },
        { time: iso(120), data: { 'service.name': 'db', 'COUNT_DISTINCT(user.id)': 0, 'P50(duration_ms)': 60 } },
      ];
      const both = await runSpec(connection, { calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }, { op: 'P50', column: 'duration_ms' }], breakdowns: ['service.name'], granularity: 300 }, { disableSeries: false });
      assert.deepEqual(both.results.map((r) => r.data), expectedResults);
      assert.deepEqual(both.series, expectedSeries);
      // COUNT_DISTINCT alone deduplicates (group, bucket, value) before aggregating: same numbers.
      const alone = await runSpec(connection, { calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }], breakdowns: ['service.name'], granularity: 300 }, { disableSeries: false });
      const pick = ({ 'service.name': name, 'COUNT_DISTINCT(user.id)': n }: Record<string, unknown>): Record<string, unknown> => ({ 'service.name': name, 'COUNT_DISTINCT(user.id)': n });
      assert.deepEqual(alone.results.map((r) => r.data), expectedResults.map(pick));
      assert.deepEqual(alone.series, expectedSeries.map((p) => ({ time: p.time, data: pick(p.data) })));
    });

    it('returns CONCURRENCY and RATE_SUM series, including buckets where a span is only in flight', async () => {
      const data = await runSpec(
        connection,
        { calculations: [{ op: 'CONCURRENCY' }, { op: 'RATE_SUM', column: 'duration_ms' }], filters: [{ column: 'service.name', op: 'exists' }], granularity: 60 },
        { disableSeries: false },
      );
      assert.deepEqual(data.series, [
        { time: iso(0), data: { CONCURRENCY: 2, 'RATE_SUM(duration_ms)': null } },
        { time: iso(60), data: { CONCURRENCY: 1, 'RATE_SUM(duration_ms)': -110 } },
        { time: iso(120), data: { CONCURRENCY: 2, 'RATE_SUM(duration_ms)': 130_030 } },
        { time: iso(180), data: { CONCURRENCY: 2, 'RATE_SUM(duration_ms)': -130_040 } },
        { time: iso(240), data: { CONCURRENCY: 1, 'RATE_SUM(duration_ms)': null } },
      ]);
    });

    it('returns HEATMAP series with the boundaries of the whole range, buckets aligned to the epoch', async () => {
      const data = await runSpec(connection, { calculations: [{ op: 'HEATMAP', column: 'http.status_code' }], granularity: 300 }, { disableSeries: false });
      // Values 200..500 in 50 buckets of 6; five-minute buckets start at T0-180 and T0+120.
      assert.deepEqual(data.series, [
        { time: iso(-180), data: { 'HEATMAP(http.status_code)': { buckets: [{ lower: 200, upper: 206, count: 1 }, { lower: 494, upper: 500, count: 1 }] } } },
        { time: iso(120), data: { 'HEATMAP(http.status_code)': { buckets: [{ lower: 200, upper: 206, count: 1 }, { lower: 404, upper: 410, count: 1 }] } } },
      ]);
      assert.deepEqual(data.results, [
        { data: { 'HEATMAP(http.status_code)': { buckets: [{ lower: 200, upper: 206, count: 2 }, { lower: 404, upper: 410, count: 1 }, { lower: 494, upper: 500, count: 1 }] } } },
      ]);
    });
  });

  describe('query conformance: related spans outside the range', () => {
    it('finds a root span that started before the range only within relatedMarginNs', async () => {
      // Events of trace B from 140 s on: its root started at 130 s.
      const window = { start_time: T0 + 135, end_time: T0 + 600, breakdowns: ['root.name'], filters: [{ column: 'trace.trace_id', op: 'exists' }] };
      const narrow = await runSpec(connection, window);
      assert.deepEqual(narrow.results, [{ data: { 'root.name': 'GET /cart', COUNT: 1 } }, { data: { 'root.name': null, COUNT: 1 } }]);
      const wide = await runSpec(connection, window, { relatedMarginNs: 10_000_000_000n });
      assert.deepEqual(wide.results, [{ data: { 'root.name': 'GET /cart', COUNT: 1 } }, { data: { 'root.name': 'GET /checkout', COUNT: 1 } }]);
    });
  });
});
}
