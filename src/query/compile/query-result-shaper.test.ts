import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResultLayout } from './compiled-query.js';
import { shapeQueryResult } from './query-result-shaper.js';

const NS = 1_000_000_000n;
/** 2025-11-29T00:00:00Z in ns. */
const T0 = 1_764_374_400n * NS;

function layout(partial: Pick<ResultLayout, 'columns' | 'breakdowns' | 'calculations'>): ResultLayout {
  return { ...partial, startNs: T0, endNs: T0 + 3600n * NS, granularitySeconds: 60, seriesIncluded: true };
}

describe('query result shaping', () => {
  it('puts results first and formats each series bucket as RFC 3339 seconds, groups of one bucket sharing its time', () => {
    const shaped = shapeQueryResult(
      layout({ columns: ['__kind', '__rank', '__bucket', '__g0', '__a0', '__a1'], breakdowns: ['service.name'], calculations: [{ op: 'COUNT', label: 'COUNT' }, { op: 'P99', label: 'P99(duration_ms)' }] }),
      [
        [0, 1n, null, 'api', 3n, 12.5],
        [0, 2n, null, 'web', 1n, null],
        [1, 1n, T0, 'api', 2n, 10],
        [1, 2n, T0, 'web', 1n, 7.25],
        [1, 1n, T0 + 60n * NS, 'api', 1n, 12.5],
        [1, 1n, T0 + 3600n * NS - 1n, 'api', 1n, 1],
      ],
    );
    assert.deepEqual(shaped, {
      results: [
        { data: { 'service.name': 'api', COUNT: 3, 'P99(duration_ms)': 12.5 } },
        { data: { 'service.name': 'web', COUNT: 1, 'P99(duration_ms)': null } },
      ],
      series: [
        { time: '2025-11-29T00:00:00Z', data: { 'service.name': 'api', COUNT: 2, 'P99(duration_ms)': 10 } },
        { time: '2025-11-29T00:00:00Z', data: { 'service.name': 'web', COUNT: 1, 'P99(duration_ms)': 7.25 } },
        { time: '2025-11-29T00:01:00Z', data: { 'service.name': 'api', COUNT: 1, 'P99(duration_ms)': 12.5 } },
        { time: '2025-11-29T00:59:59Z', data: { 'service.name': 'api', COUNT: 1, 'P99(duration_ms)': 1 } },
      ],
    });
  });

  it('keeps int64 beyond 2^53 as decimal strings and non-finite numbers as their names', () => {
    const shaped = shapeQueryResult(
      layout({ columns: ['__kind', '__rank', '__bucket', '__a0', '__a1', '__a2'], breakdowns: [], calculations: [{ op: 'SUM', label: 'SUM(big)' }, { op: 'AVG', label: 'AVG(x)' }, { op: 'MAX', label: 'MAX(y)' }] }),
      [[0, 1n, null, 9_007_199_254_740_993n, Number.NaN, Number.NEGATIVE_INFINITY]],
    );
    assert.deepEqual(shaped.results, [{ data: { 'SUM(big)': '9007199254740993', 'AVG(x)': 'NaN', 'MAX(y)': '-Infinity' } }]);
  });

  it('keeps a breakdown named __proto__ as a plain key, not as the prototype', () => {
    const shaped = shapeQueryResult(
      layout({ columns: ['__kind', '__rank', '__bucket', '__g0', '__a0'], breakdowns: ['__proto__'], calculations: [{ op: 'COUNT', label: 'COUNT' }] }),
      [[0, 1n, null, 'polluted', 4n]],
    );
    const data = shaped.results[0]!.data;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data), ['__proto__', 'COUNT']);
    assert.equal(JSON.stringify(data), '{"__proto__":"polluted","COUNT":4}');
  });

  it('turns a heatmap histogram into its non-empty buckets, lowest first, the last ending at the maximum', () => {
    const shaped = shapeQueryResult(
      layout({ columns: ['__kind', '__rank', '__bucket', '__a0', '__hm0_lo', '__hm0_hi'], breakdowns: [], calculations: [{ op: 'HEATMAP', label: 'HEATMAP(duration_ms)' }] }),
      [
        [0, 1n, null, [{ key: 49, value: 1n }, { key: 0, value: 2n }, { key: 3, value: 0n }], 0, 100],
        [1, 1n, T0, [{ key: 0, value: 5n }], 7, 7],
        [1, 1n, T0 + 60n * NS, null, null, null],
      ],
    );
    assert.deepEqual(shaped.results, [{ data: { 'HEATMAP(duration_ms)': { buckets: [{ lower: 0, upper: 2, count: 2 }, { lower: 98, upper: 100, count: 1 }] } } }]);
    assert.deepEqual(shaped.series, [
      { time: '2025-11-29T00:00:00Z', data: { 'HEATMAP(duration_ms)': { buckets: [{ lower: 7, upper: 7, count: 5 }] } } },
      { time: '2025-11-29T00:01:00Z', data: { 'HEATMAP(duration_ms)': { buckets: [] } } },
    ]);
  });
});
