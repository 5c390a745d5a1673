import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HTTP_LIMITS } from '../../src/core/limits/http-limits.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

describe('an error that echoes what the client sent is cut short', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers a 200 000-character filter value against a number column with a 400 of at most 1 024 characters of message', async () => {
    const value = `${'9'.repeat(10)}x${'y'.repeat(199_989)}`;
    const response = await fetch(`${waggle.baseUrl}/1/queries/__all__`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ calculations: [{ op: 'COUNT' }], filters: [{ column: 'duration_ms', op: '=', value }], time_range: 3600 }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string; field: string };
    assert.equal(body.field, 'filters[0].value');
    const max = HTTP_LIMITS.errorMessageChars.value;
    const whole = `'${value}' is not a number (duration_ms is float)`;
    assert.equal(body.error, `filters[0].value: ${whole}`.slice(0, max) + `... (${`filters[0].value: ${whole}`.length - max} more characters)`);
  });

  it('keeps a short message whole', async () => {
    const response = await fetch(`${waggle.baseUrl}/1/queries/__all__`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ calculations: [{ op: 'COUNT' }], filters: [{ column: 'duration_ms', op: '=', value: 'abc' }], time_range: 3600 }),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: "filters[0].value: 'abc' is not a number (duration_ms is float)", field: 'filters[0].value' });
  });
});
