import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readPrometheusText, sampleValue } from '../support/prometheus-text-reader.js';
import { dataDirWithKeys } from '../support/auth-keys-fixture.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

describe('auth failures in /metrics', () => {
  let waggle: Waggle;
  let keys: Awaited<ReturnType<typeof dataDirWithKeys>>;
  before(async () => {
    keys = await dataDirWithKeys();
    waggle = await startTestWaggle({ dataDir: keys.dataDir });
  });
  after(async () => waggle.stop());

  it('counts refused keys by reason: missing or unknown (unauthenticated), lacking a permission (forbidden)', async () => {
    const missing = await fetch(`${waggle.baseUrl}/1/auth`);
    assert.equal(missing.status, 401);
    const unknown = await fetch(`${waggle.baseUrl}/1/columns/x`, { headers: { authorization: `Bearer wgk_0000000000000000_${'A'.repeat(43)}` } });
    assert.equal(unknown.status, 401);
    const lacking = await fetch(`${waggle.baseUrl}/1/columns/x`, { headers: { 'x-honeycomb-team': keys.only.send_events } });
    assert.equal(lacking.status, 403);
    const allowed = await fetch(`${waggle.baseUrl}/1/auth`, { headers: { 'x-honeycomb-team': keys.all } });
    assert.equal(allowed.status, 200);
    const samples = readPrometheusText(await (await fetch(`${waggle.baseUrl}/metrics`)).text());
    assert.equal(sampleValue(samples, 'waggle_auth_failures_total', { reason: 'unauthenticated' }), 2);
    assert.equal(sampleValue(samples, 'waggle_auth_failures_total', { reason: 'forbidden' }), 1);
  });
});
