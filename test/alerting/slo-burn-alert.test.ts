import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { callJson as call, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

describe('an SLO "99 % of checkouts under 1 s" burns its budget because Ada is slow', () => {
  const start = Date.now();
  let clock = start;
  let waggle: Waggle;
  let sloId = '';
  const received: string[] = [];
  let receiver: http.Server;
  let hookUrl = '';

  before(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/burn`;
    waggle = await startTestWaggle({}, { alerting: { now: () => clock, autoRun: false, retryBaseMs: 20 } });
    const nowS = Math.floor(start / 1000);
    // 95 fast checkouts by Bob, 5 slow ones by Ada, and a page view that is not a checkout (not eligible).
    const events = [
      // Bob's over the last hour (so the burn-down has buckets before Ada's), Ada's in the last five minutes.
      ...Array.from({ length: 95 }, (_, i) => ({ data: { name: 'POST /checkout', 'user.id': 'bob', duration_ms: 120 }, time: new Date((nowS - 3600 + i * 30) * 1000).toISOString() })),
      ...Array.from({ length: 5 }, (_, i) => ({ data: { name: 'POST /checkout', 'user.id': 'ada', duration_ms: 2500 }, time: new Date((nowS - 300 + i) * 1000).toISOString() })),
      { data: { name: 'GET /', 'user.id': 'ada', duration_ms: 3000 }, time: new Date((nowS - 100) * 1000).toISOString() },
    ];
    const sent = await fetch(`${waggle.baseUrl}/1/batch/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    await sent.arrayBuffer();
    for (let i = 0; i < 50; i++) {
      const r = await call(waggle, 'POST', '/api/query', { dataset: 'shop', q: 'VISUALIZE COUNT', disable_series: true });
      if (r.body?.data?.results?.[0]?.data?.COUNT === 101) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await waggle.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('refuses an SLI that is not a boolean calculated field', async () => {
    await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'speed', expression: 'IF(GT($duration_ms, 500), "slow", "ok")' });
    const notBoolean = await call(waggle, 'POST', '/1/slos/shop', { name: 'x', sli: { alias: 'speed' }, time_period_days: 1, target_per_million: 990000 });
    assert.equal(notBoolean.status, 400);
    assert.equal(notBoolean.body.error, 'sli.alias: speed returns a string; an SLI must return true (good), false (bad) or null (not eligible)');
    const missing = await call(waggle, 'POST', '/1/slos/shop', { name: 'x', sli: { alias: 'nope' }, time_period_days: 1, target_per_million: 990000 });
    assert.equal(missing.status, 400);
  });

  it('shows compliance and a spent budget', async () => {
    const sli = await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'sli.checkout_fast', expression: 'IF(STARTS_WITH($name, "POST /checkout"), LT($duration_ms, 1000))' });
    assert.equal(sli.status, 201);
    const created = await call(waggle, 'POST', '/1/slos/shop', { name: 'Checkouts under 1 s', sli: { alias: 'sli.checkout_fast' }, time_period_days: 1, target_per_million: 990000 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    sloId = created.body.id;
    const detailed = await call(waggle, 'GET', `/1/slos/shop/${sloId}?detailed=true`);
    assert.equal(detailed.body.compliance, 95);
    // 100 eligible checkouts at 99 % allow 1 slow one; 5 were slow: the budget is overspent four times over.
    assert.equal(Math.round(detailed.body.budget_remaining), -400);
    const report = await call(waggle, 'GET', `/api/slos/shop/${sloId}/report`);
    assert.equal(report.body.good_events, 95);
    assert.equal(report.body.bad_events, 5);
    assert.ok(report.body.burn_down.length >= 2, JSON.stringify(report.body.burn_down));
    assert.equal(report.body.burn_down[0].budget_remaining, 100);
    assert.equal(Math.round(report.body.burn_down.at(-1).budget_remaining), -400);
  });

  it('fires an exhaustion-time burn alert and delivers its webhook', async () => {
    const recipient = await call(waggle, 'POST', '/1/recipients', { type: 'webhook', details: { webhook_url: hookUrl } });
    const alert = await call(waggle, 'POST', '/1/burn_alerts/shop', { alert_type: 'exhaustion_time', exhaustion_minutes: 240, slo: { id: sloId }, recipients: [{ id: recipient.body.id }] });
    assert.equal(alert.status, 201, JSON.stringify(alert.body));
    const rate = await call(waggle, 'POST', '/1/burn_alerts/shop', { alert_type: 'budget_rate', budget_rate_window_minutes: 60, budget_rate_decrease_threshold_per_million: 10000, slo: { id: sloId } });
    assert.equal(rate.status, 201, JSON.stringify(rate.body));
    assert.equal(await waggle.alerting.evaluateDue(), 2);
    await waggle.alerting.idle();
    assert.equal(received.length, 1);
    const payload = JSON.parse(received[0]!);
    assert.equal(payload.status, 'TRIGGERED');
    assert.equal(payload.alert_type, 'exhaustion_time');
    assert.equal(payload.minutes_to_exhaustion, 0);
    assert.equal(payload.slo.compliance, 95);
    assert.equal((await call(waggle, 'GET', `/1/burn_alerts/shop/${rate.body.id}`)).body.triggered, true);
    const history = await call(waggle, 'GET', `/api/burn_alerts/shop/${rate.body.id}/history`);
    // 5 bad events in the window of a 1-event budget: 5 000 000 per million.
    assert.equal(Math.round(history.body.evaluations[0].value), 5_000_000);
  });

  it('resolves the budget-rate alert once the window holds no bad events', async () => {
    clock += 2 * 3_600_000;
    assert.equal(await waggle.alerting.evaluateDue(), 2);
    await waggle.alerting.idle();
    const alerts = (await call(waggle, 'GET', `/1/burn_alerts/shop?slo_id=${sloId}`)).body;
    assert.deepEqual(alerts.map((a: { alert_type: string; triggered: boolean }) => [a.alert_type, a.triggered]).sort(), [['budget_rate', false], ['exhaustion_time', false]]);
    assert.equal(received.length, 2);
    assert.equal(JSON.parse(received[1]!).status, 'OK');
  });
});
