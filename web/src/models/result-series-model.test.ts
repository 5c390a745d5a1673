import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCharts, formatCell, seriesTimeSeconds, seriesTruncationNotice } from './result-series-model.js';
import type { QueryResult } from './query-result-types.js';

const result: QueryResult = {
  id: 'r1',
  complete: true,
  data: {
    series: [
      { time: '2026-01-01T00:00:00Z', data: { 'user.id': 'bob', COUNT: 2, 'P95(duration_ms)': 30 } },
      { time: '2026-01-01T00:01:00Z', data: { 'user.id': 'ann', COUNT: 1, 'P95(duration_ms)': 90 } },
      { time: '2026-01-01T00:01:00Z', data: { 'user.id': 'bob', COUNT: 5, 'P95(duration_ms)': 10 } },
    ],
    results: [
      { data: { 'user.id': 'ann', COUNT: 1, 'P95(duration_ms)': 90 } },
      { data: { 'user.id': 'bob', COUNT: 7, 'P95(duration_ms)': 30 } },
    ],
  },
};

test('one chart per calculation, one line per group in result order, gaps filled per op', () => {
  const charts = buildCharts({ calculations: [{ op: 'P95', column: 'duration_ms' }, { op: 'COUNT' }], breakdowns: ['user.id'] }, result);
  const t0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
  assert.deepEqual(charts, [
    {
      kind: 'lines',
      label: 'P95(duration_ms)',
      calculation: { op: 'P95', column: 'duration_ms' },
      times: [t0, t0 + 60],
      lines: [
        { label: 'ann', group: { 'user.id': 'ann' }, values: [null, 90] },
        { label: 'bob', group: { 'user.id': 'bob' }, values: [30, 10] },
      ],
    },
    {
      kind: 'lines',
      label: 'COUNT',
      calculation: { op: 'COUNT' },
      times: [t0, t0 + 60],
      lines: [
        { label: 'ann', group: { 'user.id': 'ann' }, values: [0, 1] },
        { label: 'bob', group: { 'user.id': 'bob' }, values: [2, 5] },
      ],
    },
  ]);
});

test('caps the number of lines drawn', () => {
  const charts = buildCharts({ calculations: [{ op: 'COUNT' }], breakdowns: ['user.id'] }, result, 1);
  assert.equal(charts[0]!.kind === 'lines' && charts[0]!.lines.length, 1);
});

test('without breakdowns the single line is named after the calculation; no calculation means COUNT', () => {
  const charts = buildCharts({ calculations: [], breakdowns: [] }, { id: 'x', complete: true, data: { series: [{ time: 60, data: { COUNT: 3 } }] } });
  assert.deepEqual(charts, [{ kind: 'lines', label: 'COUNT', calculation: { op: 'COUNT' }, times: [60], lines: [{ label: 'COUNT', group: {}, values: [3] }] }]);
});

test('a HEATMAP calculation becomes merged heatmap columns', () => {
  const charts = buildCharts(
    { calculations: [{ op: 'HEATMAP', column: 'duration_ms' }], breakdowns: [] },
    { id: 'h', complete: true, data: { series: [{ time: 0, data: { 'HEATMAP(duration_ms)': { buckets: [{ lower: 0, upper: 5, count: 2 }] } } }] } },
  );
  assert.deepEqual(charts, [
    { kind: 'heatmap', label: 'HEATMAP(duration_ms)', calculation: { op: 'HEATMAP', column: 'duration_ms' }, columns: [{ time: 0, buckets: [{ lower: 0, upper: 5, count: 2 }] }] },
  ]);
});

test('reads series times and formats cells', () => {
  assert.equal(seriesTimeSeconds('1970-01-01T00:01:00Z'), 60);
  assert.equal(seriesTimeSeconds('soon'), null);
  assert.equal(formatCell(null), '(none)');
  assert.equal(formatCell(1.23456789), '1.23457');
  assert.equal(formatCell(true), 'true');
});

test('with the query grid, empty buckets are filled: 0 for COUNT and SUM, gaps for P95', () => {
  const grid = { startSec: 0, endSec: 300, granularitySec: 60 };
  const sparse: QueryResult = {
    id: 's',
    complete: true,
    data: { series: [{ time: 60, data: { COUNT: 4, 'SUM(size)': 10, 'P95(duration_ms)': 7 } }, { time: 180, data: { COUNT: 2, 'SUM(size)': 5, 'P95(duration_ms)': 9 } }] },
  };
  const charts = buildCharts({ calculations: [{ op: 'COUNT' }, { op: 'SUM', column: 'size' }, { op: 'P95', column: 'duration_ms' }], breakdowns: [] }, sparse, 20, grid);
  const lines = charts.map((c) => (c.kind === 'lines' ? { times: c.times, values: c.lines[0]!.values } : null));
  assert.deepEqual(lines, [
    { times: [0, 60, 120, 180, 240], values: [0, 4, 0, 2, 0] },
    { times: [0, 60, 120, 180, 240], values: [0, 10, 0, 5, 0] },
    { times: [0, 60, 120, 180, 240], values: [null, 7, null, 9, null] },
  ]);
});

test('a 24-hour COUNT with one busy bucket becomes a line over every bucket (the home sparkline)', () => {
  const end = 86_400 * 200;
  const one: QueryResult = { id: 'o', complete: true, data: { series: [{ time: end - 900, data: { COUNT: 12 } }] } };
  const [chart] = buildCharts({ calculations: [{ op: 'COUNT' }], breakdowns: [] }, one, 20, { startSec: end - 86_400, endSec: end, granularitySec: 900 });
  assert.ok(chart?.kind === 'lines');
  assert.equal(chart.times.length, 96);
  assert.equal(chart.lines[0]!.values.filter((v) => v === 0).length, 95);
  assert.equal(chart.lines[0]!.values[95], 12);
});

test('says how many groups the series hold when the server cut them, and nothing otherwise', () => {
  const cut: QueryResult = { ...result, data: { ...result.data, series: result.data?.series?.filter((p) => p.data['user.id'] === 'bob') ?? [], series_truncated: true } };
  assert.equal(
    seriesTruncationNotice({ breakdowns: ['user.id'] }, cut),
    "Charted over time: the top 1 of 2 groups. The series of every group would pass the server's bound on the values one query answers; the table lists them all, and a coarser granularity, fewer calculations or a lower limit charts every group.",
  );
  assert.equal(seriesTruncationNotice({ breakdowns: ['user.id'] }, result), null);
});
