import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeHttpUrl } from './safe-link-model.js';

test('only absolute http and https URLs become links', () => {
  assert.equal(safeHttpUrl('https://example.com/a?b=1'), 'https://example.com/a?b=1');
  assert.equal(safeHttpUrl(' HTTP://Example.com '), 'http://example.com/');
  assert.equal(safeHttpUrl('javascript:alert(1)'), null);
  assert.equal(safeHttpUrl('JaVaScRiPt:alert(1)'), null);
  assert.equal(safeHttpUrl('data:text/html,<script>x</script>'), null);
  assert.equal(safeHttpUrl('//evil.example'), null);
  assert.equal(safeHttpUrl('/relative'), null);
  assert.equal(safeHttpUrl('http://'), null);
  assert.equal(safeHttpUrl(42), null);
});
