import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetentionInput, retentionLabel } from './retention-input-model.js';

test('accepts a number with a unit, and empty for the server default', () => {
  assert.deepEqual(parseRetentionInput('30d'), { ok: true, retention: '30d' });
  assert.deepEqual(parseRetentionInput(' 12H '), { ok: true, retention: '12h' });
  assert.deepEqual(parseRetentionInput('36500d'), { ok: true, retention: '36500d' });
  assert.deepEqual(parseRetentionInput(''), { ok: true, retention: null });
});

test('refuses what the server would refuse, saying how to write it', () => {
  assert.deepEqual(parseRetentionInput('1w'), { ok: false, problem: 'Write a number and a unit: 30d, 12h, 45m or 90s (empty: the server default).' });
  assert.deepEqual(parseRetentionInput('1.5d'), { ok: false, problem: 'Write a number and a unit: 30d, 12h, 45m or 90s (empty: the server default).' });
  assert.deepEqual(parseRetentionInput('0d'), { ok: false, problem: 'A retention must be longer than zero.' });
  assert.deepEqual(parseRetentionInput('36501d'), { ok: false, problem: 'At most 36500d (100 years).' });
});

test('labels a dataset by its own retention or the default', () => {
  assert.equal(retentionLabel('7d', '7d'), 'keeps events 7d (own setting)');
  assert.equal(retentionLabel(null, '60d'), 'keeps events 60d (server default)');
  assert.equal(retentionLabel(undefined, undefined), 'keeps events forever');
});
