import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceIdInput } from './trace-id-input-model.js';

test('accepts 32 hex digits, in any case and with spaces around, as the lowercase id', () => {
  assert.deepEqual(parseTraceIdInput('  4BF92F3577B34DA6A3CE929D0E0E4736 '), { ok: true, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
});

test('says what is wrong with anything else', () => {
  assert.deepEqual(parseTraceIdInput(''), { ok: false, message: 'Type a trace id: 32 hexadecimal digits.' });
  assert.deepEqual(parseTraceIdInput('xyz'), { ok: false, message: 'A trace id holds only the digits 0-9 and letters a-f.' });
  assert.deepEqual(parseTraceIdInput('abc123'), { ok: false, message: 'A trace id is 32 hexadecimal digits; this one has 6.' });
  assert.deepEqual(parseTraceIdInput('0'.repeat(32)), { ok: false, message: 'The all-zero trace id is not a valid trace id.' });
  assert.deepEqual(parseTraceIdInput('../../api/keys'), { ok: false, message: 'A trace id holds only the digits 0-9 and letters a-f.' });
});
