import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifyWebhookSignature } from '../../src/alerting/webhook-signature.js';
import { callJson as call, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver; answers `statuses` in turn (then 200) and keeps every request. */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a trigger on failing checkouts delivers a signed webhook and resolves', () => {
  const start = Date.now();
  let clock = start;
  const hooks = { alerting: { now: () => clock, autoRun: false, retryBaseMs: 20 } };
  let waggle: Waggle;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let triggerId = '';

  before(async () => {
    // The receiver fails the first delivery once: the retry must get it through.
    receiver = await startReceiver([503]);
    waggle = await startTestWaggle({}, hooks);
    const nowS = Math.floor(start / 1000);
    const events = [
      { data: { name: 'POST /checkout', 'user.id': 'ada', error: true, duration_ms: 1400 }, time: new Date((nowS - 30) * 1000).toISOString() },
      { data: { name: 'POST /checkout', 'user.id': 'ada', error: true, duration_ms: 1600 }, time: new Date((nowS - 20) * 1000).toISOString() },
      { data: { name: 'POST /checkout', 'user.id': 'bob', error: false, duration_ms: 90 }, time: new Date((nowS - 10) * 1000).toISOString() },
    ];
    const sent = await fetch(`${waggle.baseUrl}/1/batch/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    await sent.arrayBuffer();
    for (let i = 0; i < 50; i++) {
      const r = await call(waggle, 'POST', '/api/query', { dataset: 'shop', q: 'VISUALIZE COUNT', disable_series: true });
      if (r.body?.data?.results?.[0]?.data?.COUNT === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await waggle.stop();
    await receiver.close();
  });

  it('creates a webhook recipient and the trigger in Honeycomb\'s shapes', async () => {
    const recipient = await call(waggle, 'POST', '/1/recipients', { type: 'webhook', details: { webhook_name: 'pager', webhook_url: receiver.url, webhook_secret: 's3cret' } });
    assert.equal(recipient.status, 201);
    assert.deepEqual(recipient.body.details, { webhook_name: 'pager', webhook_url: receiver.url, has_secret: true });
    const trigger = await call(waggle, 'POST', '/1/triggers/shop', {
      name: 'Checkout errors',
      description: 'any failing checkout',
      query: { calculations: [{ op: 'COUNT' }], filters: [{ column: 'error', op: '=', value: true }], breakdowns: ['user.id'], time_range: 120 },
      threshold: { op: '>', value: 0 },
      frequency: 60,
      recipients: [{ id: recipient.body.id }],
    });
    assert.equal(trigger.status, 201, JSON.stringify(trigger.body));
    triggerId = trigger.body.id;
    assert.deepEqual(trigger.body.threshold, { op: '>', value: 0, exceeded_limit: 1 });
    assert.equal(trigger.body.alert_type, 'on_change');
    assert.equal(trigger.body.triggered, false);
    assert.deepEqual(trigger.body.recipients, [{ id: recipient.body.id, type: 'webhook', target: receiver.url }]);
  });

  it('fires on the first evaluation and delivers a signed TRIGGERED webhook after one retry', async () => {
    assert.equal(await waggle.alerting.evaluateDue(), 1);
    await waggle.alerting.idle();
    assert.equal(receiver.received.length, 2);
    const delivered = receiver.received[1]!;
    const payload = JSON.parse(delivered.body);
    assert.equal(payload.status, 'TRIGGERED');
    assert.equal(payload.name, 'Checkout errors');
    assert.equal(payload.operator, 'greater than');
    assert.deepEqual(payload.result_groups_triggered, [{ Group: { 'user.id': 'ada' }, Result: 2 }]);
    assert.ok(verifyWebhookSignature('s3cret', delivered.body, String(delivered.headers['x-waggle-timestamp']), String(delivered.headers['x-waggle-signature'])));
    assert.equal(delivered.headers['x-honeycomb-webhook-token'], 's3cret');
    assert.equal((await call(waggle, 'GET', `/1/triggers/shop/${triggerId}`)).body.triggered, true);
  });

  it('does not run again before its frequency, nor notify twice while it keeps firing, even across a restart', async () => {
    clock += 30_000;
    assert.equal(await waggle.alerting.evaluateDue(), 0);
    await waggle.stop();
    waggle = await startTestWaggle({ dataDir: waggle.dataDir }, hooks);
    clock += 30_000;
    assert.equal(await waggle.alerting.evaluateDue(), 1);
    await waggle.alerting.idle();
    assert.equal(receiver.received.length, 2);
  });

  it('resolves with an OK webhook once the errors leave the time range', async () => {
    clock += 120_000;
    assert.equal(await waggle.alerting.evaluateDue(), 1);
    await waggle.alerting.idle();
    assert.equal(receiver.received.length, 3);
    const payload = JSON.parse(receiver.received[2]!.body);
    assert.equal(payload.status, 'OK');
    assert.deepEqual(payload.result_groups_triggered, []);
  });

  it('keeps the history of evaluations and deliveries', async () => {
    const history = await call(waggle, 'GET', `/api/triggers/shop/${triggerId}/history`);
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.evaluations.map((e: { notified: string | null; exceeded: boolean }) => [e.exceeded, e.notified]), [[false, 'OK'], [true, null], [true, 'TRIGGERED']]);
    assert.deepEqual(history.body.deliveries.map((d: { notification: string; outcome: string; attempts: Array<{ status?: number }> }) => [d.notification, d.outcome, d.attempts.map((a) => a.status)]), [['OK', 'delivered', [200]], ['TRIGGERED', 'delivered', [503, 200]]]);
  });

  it('refuses bad triggers with 400 naming the field', async () => {
    const base = { name: 'x', threshold: { op: '>', value: 1 }, query: { calculations: [{ op: 'COUNT' }] } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, query: { calculations: [{ op: 'COUNT' }, { op: 'MAX', column: 'duration_ms' }] } }, 'query.calculations: a trigger needs exactly one calculation, got 2'],
      [{ ...base, frequency: 30 }, 'frequency: must be an integer from 60 to 86400'],
      [{ ...base, threshold: { op: '=', value: 1 } }, 'threshold.op: one of > >= < <='],
      [{ ...base, recipients: [{ id: 'nope' }] }, 'recipients[0]: no recipient nope: create it with POST /1/recipients first'],
      [{ ...base, query: { calculations: [{ op: 'COUNT' }], filters: [{ column: 'nope', op: 'exists' }] } }, 'filters[0].column: no column nope; did you mean name?'],
    ];
    for (const [body, message] of cases) {
      const r = await call(waggle, 'POST', '/1/triggers/shop', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error, message);
    }
  });

  it('refuses to delete a recipient a trigger uses, then deletes both', async () => {
    const [recipient] = (await call(waggle, 'GET', '/1/recipients')).body;
    assert.equal((await call(waggle, 'DELETE', `/1/recipients/${recipient.id}`)).status, 409);
    assert.equal((await call(waggle, 'DELETE', `/1/triggers/shop/${triggerId}`)).status, 204);
    assert.equal((await call(waggle, 'DELETE', `/1/recipients/${recipient.id}`)).status, 204);
    assert.equal((await call(waggle, 'GET', `/api/triggers/shop/${triggerId}/history`)).status, 404);
  });
});
