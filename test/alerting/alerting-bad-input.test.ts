import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/** Bodies a careless or hostile client might send to every create route of calculated fields and alerting. */
const BODIES: unknown[] = [
  [],
  'text',
  42,
  null,
  { __proto__: { alias: 'x' } },
  { alias: ['x'], expression: { a: 1 } },
  { alias: 'x', expression: 'IF('.repeat(2000) },
  { alias: 'x', expression: 'x'.repeat(5000) },
  { alias: 'x', expression: `$${'a'.repeat(3000)}` },
  { type: 'webhook', details: { webhook_url: 'file:///etc/passwd' } },
  { type: 'webhook', details: { webhook_url: 'http://user:pw@example.com/' } },
  { type: 'webhook', details: 'http://example.com' },
  { name: 'x', query: 'VISUALIZE COUNT', threshold: { op: '>', value: 1 } },
  { name: 'x', query: { calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] }, threshold: { op: '>', value: 1 } },
  { name: 'x', query: { calculations: [{ op: 'COUNT' }], start_time: 1 }, threshold: { op: '>', value: 1 } },
  { name: 'x', query: { calculations: [{ op: 'COUNT' }] }, threshold: { op: '>', value: '1' } },
  { name: 'x', query: { calculations: [{ op: 'COUNT' }] }, threshold: { op: '>', value: 1 }, recipients: 'all' },
  { name: 'x', query: { calculations: [{ op: 'COUNT' }] }, threshold: { op: '>', value: 1, exceeded_limit: 9 } },
  { name: 'x', sli: { alias: 'duration_ms' }, target_per_million: 990000 },
  { name: 'x', sli: 'alias', target_per_million: 990000 },
  { alert_type: 'exhaustion_time', slo: { id: 'nope' }, exhaustion_minutes: 60 },
  { alert_type: 'budget_rate', slo: { id: 'nope' } },
];
const ROUTES = ['/1/derived_columns/shop', '/1/recipients', '/1/triggers/shop', '/1/slos/shop', '/1/burn_alerts/shop'];

describe('alerting routes refuse bad input with a 4xx JSON error', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle({}, { alerting: { autoRun: false } });
    const sent = await fetch(`${waggle.baseUrl}/1/events/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"duration_ms": 5, "name": "a"}' });
    await sent.arrayBuffer();
  });
  after(async () => waggle.stop());

  for (const route of ROUTES) {
    it(`POST ${route}`, async () => {
      for (const body of BODIES) {
        const response = await fetch(waggle.baseUrl + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const text = await response.text();
        assert.ok(response.status >= 400 && response.status < 500, `${JSON.stringify(body).slice(0, 80)} → ${response.status} ${text}`);
        assert.equal(typeof (JSON.parse(text) as { error?: unknown }).error, 'string');
      }
    });
  }

  it('answers a deeply nested expression with the position where nesting went too deep', async () => {
    const expression = 'NOT('.repeat(100) + 'true' + ')'.repeat(100);
    const response = await fetch(`${waggle.baseUrl}/1/derived_columns/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alias: 'deep', expression }) });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: 'expression: calls are nested more than 32 deep (derived.expressionDepth) (at character 128)', field: 'expression', position: 128 });
  });
});
