import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHistory, recordRun } from './query-history-model.js';

test('a new run goes on top and a repeat moves up', () => {
  const a = { dataset: 'api', text: 'VISUALIZE COUNT', ranAt: 1 };
  const b = { dataset: 'api', text: 'VISUALIZE MAX(duration_ms)', ranAt: 2 };
  const history = recordRun(recordRun([], a), b);
  assert.deepEqual(recordRun(history, { ...a, ranAt: 3 }), [{ ...a, ranAt: 3 }, b]);
  assert.deepEqual(recordRun(history, { ...a, ranAt: 3 }, 1), [{ ...a, ranAt: 3 }]);
});

test('stored history is read defensively', () => {
  assert.deepEqual(parseHistory(null), []);
  assert.deepEqual(parseHistory('{oops'), []);
  assert.deepEqual(parseHistory('{"a":1}'), []);
  assert.deepEqual(parseHistory('[{"dataset":"d","text":"t","ranAt":5},{"dataset":1},null]'), [{ dataset: 'd', text: 't', ranAt: 5 }]);
});
