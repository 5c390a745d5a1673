/**
 * The alerting pages end to end: calculated fields, recipients, triggers (preview, threshold line,
 * history) and SLOs (compliance, budget, burn-down), on the real server and Debian's Chromium.
 * Screenshots go to test-results/ (git-ignored). Skips when Chromium is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, openTestPage, SHOTS } from '../support/e2e-browser.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

async function call(waggle: Waggle, method: string, p: string, body?: unknown): Promise<any> {
  const response = await fetch(waggle.baseUrl + p, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${p}: ${response.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `alerting-${name}.png`), fullPage: true });
}

describe('the alerting pages', { skip: hasChromium ? false : `Chromium is not installed at ${CHROMIUM}` }, () => {
  let waggle: Waggle;
  let browser: Browser;
  let page: Page;
  let receiver: http.Server;
  let triggerId = '';
  let sloId = '';
  const problems: string[] = [];
  const url = (p: string): string => `${waggle.baseUrl}${p}`;

  before(async () => {
    await ensureUiBuilt();
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    waggle = await startTestWaggle({}, { alerting: { autoRun: false, retryBaseMs: 20 } });
    const nowS = Math.floor(Date.now() / 1000);
    // Two hours of checkouts, one a minute: Bob's are fast, Ada's (every fifth) slow and failing.
    const events = Array.from({ length: 120 }, (_, i) => {
      const ada = i % 5 === 0;
      return { data: { name: 'POST /checkout', 'user.id': ada ? 'ada' : 'bob', duration_ms: ada ? 1500 + i : 80 + (i % 9), error: ada }, time: new Date((nowS - (120 - i) * 60) * 1000).toISOString() };
    });
    const sent = await fetch(`${waggle.baseUrl}/1/batch/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    await sent.arrayBuffer();
    for (let i = 0; i < 50; i++) {
      const r = await call(waggle, 'POST', '/api/query', { dataset: 'shop', q: 'VISUALIZE COUNT LAST 3h', disable_series: true });
      if (r.data.results[0]?.data.COUNT === 120) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'speed', expression: 'IF(GT($duration_ms, 500), "slow", "ok")', description: 'slow above 500 ms' });
    await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'sli.checkout_fast', expression: 'IF(STARTS_WITH($name, "POST /checkout"), LT($duration_ms, 1000))', description: 'checkouts under 1 s' });
    const recipient = await call(waggle, 'POST', '/1/recipients', { type: 'webhook', details: { webhook_name: 'pager', webhook_url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, webhook_secret: 'x' } });
    const trigger = await call(waggle, 'POST', '/1/triggers/shop', {
      name: 'Checkout errors',
      query: { calculations: [{ op: 'COUNT' }], filters: [{ column: 'error', op: '=', value: true }], time_range: 3600 },
      threshold: { op: '>', value: 0 },
      frequency: 60,
      recipients: [{ id: recipient.id }],
    });
    triggerId = trigger.id;
    sloId = (await call(waggle, 'POST', '/1/slos/shop', { name: 'Checkouts under 1 s', sli: { alias: 'sli.checkout_fast' }, time_period_days: 1, target_per_million: 990000 })).id;
    await call(waggle, 'POST', '/1/burn_alerts/shop', { alert_type: 'exhaustion_time', exhaustion_minutes: 240, slo: { id: sloId }, recipients: [{ id: recipient.id }] });
    await waggle.alerting.evaluateDue();
    await waggle.alerting.idle();
    ({ browser, page } = await openTestPage(problems, { width: 1280, height: 860 }));
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('lists calculated fields and shows a type error at its position', async () => {
    await page.goto(url('/calculated-fields?dataset=shop'));
    await page.getByRole('cell', { name: 'IF(GT($duration_ms, 500), "slow", "ok")' }).waitFor();
    await page.getByPlaceholder('latency_class').fill('broken');
    await page.locator('textarea').fill('IF(GT($duration_ms, 500), "slow", 1)');
    await page.getByRole('button', { name: 'Create' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /IF mixes a string and an integer.*\(at character 34\)/);
    await shot(page, 'calculated-fields');
  });

  it('groups a query by a calculated field, which the builder offers as a column', async () => {
    await page.goto(url(`/query?${new URLSearchParams({ dataset: 'shop', q: 'VISUALIZE COUNT GROUP BY speed LAST 3h' }).toString()}`));
    await page.getByRole('cell', { name: 'slow', exact: true }).first().waitFor();
    assert.ok(await page.getByRole('cell', { name: 'ok', exact: true }).first().isVisible());
    assert.equal(await page.locator('datalist option[value="speed"]').count() > 0, true);
    await shot(page, 'query-by-calculated-field');
  });

  it('shows a trigger with its preview, threshold line and history', async () => {
    await page.goto(url(`/triggers?dataset=shop&id=${triggerId}`));
    await page.getByText('History of “Checkout errors”').waitFor();
    await page.locator('.trigger-preview .uplot').waitFor();
    assert.ok(await page.getByText('threshold > 0').first().isVisible());
    assert.equal(await page.locator('.trigger-history tbody tr').count(), 1);
    assert.match((await page.locator('.delivery-list').textContent()) ?? '', /TRIGGERED → .*delivered/);
    await shot(page, 'trigger');
  });

  it('lists recipients without their secrets', async () => {
    await page.goto(url('/recipients'));
    await page.getByRole('cell', { name: 'pager' }).waitFor();
    assert.ok(!((await page.content()).includes('"x"')));
    await shot(page, 'recipients');
  });

  it('shows an SLO burning its budget with a burn-down chart', async () => {
    await page.goto(url(`/slos?dataset=shop&id=${sloId}`));
    await page.getByText('Error budget remaining').waitFor();
    await page.locator('.slo-detail .uplot').waitFor();
    // 24 of 120 checkouts are slow: 80 % compliance, a 99 % target allows 1.2 slow ones.
    assert.equal(await page.locator('.slo-figure').first().textContent(), '80.00 %');
    assert.equal(await page.locator('.slo-figure').nth(1).textContent(), '-1900.00 %');
    assert.match((await page.locator('.slo-detail .delivery-list').textContent()) ?? '', /budget exhausted within 240 min\s*TRIGGERED/);
    await shot(page, 'slo');
    assert.deepEqual(problems, []);
  });

  it("BubbleUps an SLO's failing events against its succeeding ones from the SLO page", async () => {
    await page.goto(url(`/slos?dataset=shop&id=${sloId}`));
    await page.getByRole('link', { name: 'BubbleUp the failing events' }).click();
    await page.waitForURL(/\/query\?.*bubbleup=/);
    const counts = page.locator('.bubbleup-counts');
    await counts.waitFor();
    // The last 2 h: Ada's 23 slow checkouts (every fifth) against Bob's fast ones; events without the SLI are in neither.
    assert.match((await counts.textContent()) ?? '', /^23 events selected, 9\d in the baseline\./);
    const users = page.getByRole('region', { name: 'BubbleUp of user.id' });
    assert.match((await users.textContent()) ?? '', /ada/);
    await shot(page, 'slo-bubbleup');
    assert.deepEqual(problems, []);
  });
});
