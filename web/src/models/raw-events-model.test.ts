import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsWithValues, pageLabel } from './raw-events-model.js';

test('shows only the columns some event of the page has, in order', () => {
  const events = [
    { timestamp: 't1', name: 'a', 'db.rows': null, 'user.id': 'u' },
    { timestamp: 't2', name: 'b', 'db.rows': null },
  ];
  assert.deepEqual(columnsWithValues(['timestamp', 'name', 'db.rows', 'user.id', 'never'], events), ['timestamp', 'name', 'user.id']);
});

test('labels a page by the positions of its events', () => {
  assert.equal(pageLabel(0, 100), 'Events 1–100');
  assert.equal(pageLabel(1000, 5), 'Events 1,001–1,005');
  assert.equal(pageLabel(0, 0), 'No events');
});
