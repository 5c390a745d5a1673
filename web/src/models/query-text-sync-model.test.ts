import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncFromBuilder, syncFromText } from './query-text-sync-model.js';

const TEXT = 'VISUALIZE P95(duration_ms), COUNT WHERE service.name = "api" AND http.response.status_code >= 500 GROUP BY user.id ORDER BY P95(duration_ms) DESC LIMIT 10 LAST 2h';
const typeOf = (c: string): 'string' | 'integer' | 'float' | undefined =>
  c === 'http.response.status_code' ? 'integer' : c === 'duration_ms' ? 'float' : 'string';

test('text → builder → text gives the same query back', () => {
  const fromText = syncFromText(TEXT);
  assert.equal(fromText.ok, true);
  if (!fromText.ok) return;
  assert.deepEqual(fromText.builder.filters, [
    { column: 'service.name', op: '=', value: 'api' },
    { column: 'http.response.status_code', op: '>=', value: '500' },
  ]);
  const back = syncFromBuilder(fromText.builder, fromText.spec, typeOf);
  assert.deepEqual(back.spec, fromText.spec);
  const again = syncFromText(back.text);
  assert.ok(again.ok);
  assert.deepEqual(again.ok && again.spec, fromText.spec);
});

test('an edit in the builder shows up in the text', () => {
  const fromText = syncFromText('VISUALIZE COUNT LAST 10m');
  assert.ok(fromText.ok);
  if (!fromText.ok) return;
  fromText.builder.breakdowns.push('http.route');
  fromText.builder.filters.push({ column: 'error', op: '=', value: 'true' });
  const out = syncFromBuilder(fromText.builder, fromText.spec, (c) => (c === 'error' ? 'boolean' : 'string'));
  assert.match(out.text, /WHERE error = true/);
  assert.match(out.text, /GROUP BY http\.route/);
  assert.match(out.text, /LAST 10m/);
});

test('a broken text reports where, and leaves the builder alone', () => {
  const result = syncFromText('VISUALIZE COUNT WHERE');
  assert.equal(result.ok, false);
  assert.equal(!result.ok && typeof result.position, 'number');
});
