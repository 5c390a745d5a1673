import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSort, sortRows, tableColumns } from './results-table-model.js';

test('shows breakdowns then scalar calculations, COUNT when none is given', () => {
  assert.deepEqual(tableColumns({ breakdowns: ['user.id'], calculations: [{ op: 'P95', column: 'duration_ms' }, { op: 'HEATMAP', column: 'duration_ms' }] }), [
    { key: 'user.id', role: 'breakdown' },
    { key: 'P95(duration_ms)', role: 'calculation' },
  ]);
  assert.deepEqual(tableColumns({ breakdowns: [], calculations: [] }), [{ key: 'COUNT', role: 'calculation' }]);
});

test('sorts numbers numerically both ways with missing values last', () => {
  const rows = [{ v: 10 }, { v: null }, { v: 9 }, { v: 100 }, {}];
  assert.deepEqual(sortRows(rows, 'v', 'ascending').map((r) => r['v']), [9, 10, 100, null, undefined]);
  assert.deepEqual(sortRows(rows, 'v', 'descending').map((r) => r['v']), [100, 10, 9, null, undefined]);
});

test('sorts strings by locale and keeps equal rows in server order', () => {
  const rows = [{ k: 'b', n: 1 }, { k: 'a', n: 2 }, { k: 'b', n: 3 }];
  assert.deepEqual(sortRows(rows, 'k', 'ascending').map((r) => r.n), [2, 1, 3]);
});

test('a header click sorts descending first, then flips', () => {
  assert.deepEqual(nextSort(null, 'COUNT'), { column: 'COUNT', direction: 'descending' });
  assert.deepEqual(nextSort({ column: 'COUNT', direction: 'descending' }, 'COUNT'), { column: 'COUNT', direction: 'ascending' });
  assert.deepEqual(nextSort({ column: 'COUNT', direction: 'ascending' }, 'x'), { column: 'x', direction: 'descending' });
});
