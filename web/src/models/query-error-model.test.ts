import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeQueryError } from './query-error-model.js';

test('drops the offset prefix and underlines the whole offending token', () => {
  const text = 'VISUALIZE COUNT GROUP user.id';
  assert.deepEqual(describeQueryError(text, "at 22: expected BY, found 'user.id'", 22), {
    message: "Expected BY, found 'user.id' (at character 23)",
    range: { from: 22, to: 29 },
  });
});

test('an error at the end of the query underlines its last character', () => {
  assert.deepEqual(describeQueryError('VISUALIZE P95(', 'at 14: expected a column, found the end of the query', 14), {
    message: 'Expected a column, found the end of the query (at character 15)',
    range: { from: 13, to: 14 },
  });
});

test('multi-line queries say line and column; errors without a position have no underline', () => {
  const text = 'VISUALIZE COUNT\nWHERE x ~ 3';
  assert.deepEqual(describeQueryError(text, "at 24: unexpected character '~'", 24), { message: "Unexpected character '~' (line 2, column 9)", range: { from: 24, to: 25 } });
  assert.deepEqual(describeQueryError(text, 'no column nope', null), { message: 'No column nope', range: null });
});

test('a server error about a spec field reads as plain words', () => {
  const text = 'VISUALIZE P95(nope)';
  assert.deepEqual(describeQueryError(text, 'at 14: calculations[0].column: no column nope', 14), { message: 'No column nope (at character 15)', range: { from: 14, to: 18 } });
  assert.equal(describeQueryError('x', 'filters[1].value[2]: 7 is not a boolean', null).message, '7 is not a boolean');
});
