import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrollToReveal, virtualWindow } from './virtual-window-model.js';

test('renders the visible rows plus overscan, clamped to the list', () => {
  assert.deepEqual(virtualWindow(0, 100, 20, 10_000, 2), { first: 0, last: 7, offsetTop: 0, totalHeight: 200_000 });
  assert.deepEqual(virtualWindow(1000, 100, 20, 10_000, 2), { first: 48, last: 57, offsetTop: 960, totalHeight: 200_000 });
  assert.deepEqual(virtualWindow(199_990, 100, 20, 10_000, 2), { first: 9_997, last: 10_000, offsetTop: 199_940, totalHeight: 200_000 });
  assert.deepEqual(virtualWindow(0, 100, 20, 0), { first: 0, last: 0, offsetTop: 0, totalHeight: 0 });
});

test('scrolls just enough to reveal a row', () => {
  assert.equal(scrollToReveal(0, 100, 100, 20), 0);
  assert.equal(scrollToReveal(10, 0, 100, 20), 120);
  assert.equal(scrollToReveal(2, 0, 100, 20), null);
});
