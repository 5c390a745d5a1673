import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completesWhileTyping } from './completion-trigger-model.js';

test('completes after an opening parenthesis, a comma, a space and inside a word', () => {
  assert.equal(completesWhileTyping('VISUALIZE P95(', ''), true);
  assert.equal(completesWhileTyping('VISUALIZE COUNT, ', ''), true);
  assert.equal(completesWhileTyping('VISUALIZE COUNT,', ''), true);
  assert.equal(completesWhileTyping('GROUP BY root.', 'root.'), true);
  assert.equal(completesWhileTyping('VISUALIZE COUNT', 'COUNT'), true);
});

test('stays quiet after a closing parenthesis or an operator symbol', () => {
  assert.equal(completesWhileTyping('VISUALIZE P95(duration_ms)', ''), false);
  assert.equal(completesWhileTyping('WHERE x =', ''), false);
});
