/**
 * BubbleUp and the service map end to end, in Debian's Chromium through playwright-core: a box
 * dragged over a heatmap, the BubbleUp panel, a value clicked into a filter; the heatmap's cell
 * click, log scale and date labels; the service map and its clicks. Screenshots go to
 * test-results/ (git-ignored). Skips when Chromium is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, openTestPage, SHOTS } from '../support/e2e-browser.js';
import { otlpAttributes, otlpSpansJson, postOtlpJson, type TestSpan } from '../support/otlp-json-spans.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const NOW_MS = Date.now();

/** A span with its user as an attribute. */
type SpanSpec = Omit<TestSpan, 'attributes'> & { user: string };

function otlpJson(service: string, spans: readonly SpanSpec[]): string {
  return otlpSpansJson(service, spans.map((s) => ({ ...s, attributes: otlpAttributes({ 'user.id': s.user }) })));
}

/** 60 traces over the last 30 minutes: frontend → api → db; ada's api calls take ~1 s, everyone else's ~20 ms; some db calls fail. */
async function sendData(waggle: Waggle): Promise<void> {
  const byService: Record<'frontend' | 'api' | 'db', SpanSpec[]> = { frontend: [], api: [], db: [] };
  for (let t = 1; t <= 60; t++) {
    const user = t % 4 === 0 ? 'ada' : `user-${t % 3}`;
    const slow = user === 'ada';
    const start = NOW_MS - (30 * 60_000 * (61 - t)) / 60;
    const apiMs = slow ? 900 + t : 15 + (t % 10);
    byService.frontend.push({ trace: t, span: t * 10, name: 'GET /checkout', ms: apiMs + 10, startMs: start, user });
    byService.api.push({ trace: t, span: t * 10 + 1, parent: t * 10, name: 'POST /checkout', ms: apiMs, startMs: start + 2, user });
    byService.db.push({ trace: t, span: t * 10 + 2, parent: t * 10 + 1, name: 'SELECT orders', ms: 5, startMs: start + 3, user, error: t % 10 === 0 });
  }
  for (const [service, spans] of Object.entries(byService)) {
    const response = await postOtlpJson(waggle, otlpJson(service, spans));
    assert.equal(response.status, 200);
  }
  await waggle.ingest.flushNow();
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `ui-${name}.png`), fullPage: true });
}

function queryText(page: Page): string {
  return new URL(page.url()).searchParams.get('q') ?? '';
}

describe('BubbleUp and the service map in the browser', { skip: hasChromium ? false : `Chromium is not installed at ${CHROMIUM}` }, () => {
  let waggle: Waggle;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    waggle = await startTestWaggle();
    await sendData(waggle);
    ({ browser, page } = await openTestPage(problems, { width: 1280, height: 900, timeoutMs: 20_000 }));
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  const url = (p: string): string => `${waggle.baseUrl}${p}`;

  /** Drags over the heatmap from (fx0, fy0) to (fx1, fy1), fractions of its plot area. */
  async function dragOnHeatmap(fx0: number, fy0: number, fx1: number, fy1: number): Promise<void> {
    const box = await page.getByTestId('heatmap-canvas').boundingBox();
    assert.ok(box);
    // The plot starts 72 px from the left and 8 px from the top, and leaves 30 px below for the time axis.
    const px = (f: number): number => box.x + 72 + f * (box.width - 80);
    const py = (f: number): number => box.y + 8 + f * (box.height - 30);
    await page.mouse.move(px(fx0), py(fy0));
    await page.mouse.down();
    await page.mouse.move(px((fx0 + fx1) / 2), py((fy0 + fy1) / 2), { steps: 4 });
    await page.mouse.move(px(fx1), py(fy1), { steps: 4 });
    await page.mouse.up();
  }

  it('BubbleUps a box dragged over the slow spans of a heatmap and filters on the value that stands out', async () => {
    const q = 'VISUALIZE HEATMAP(duration_ms) WHERE service.name = "api" LAST 1h';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: '__all__', q }).toString()}`));
    await page.getByTestId('heatmap-canvas').waitFor();
    // The top fifth of the value axis holds only ada's ~1 s calls.
    await dragOnHeatmap(0, 0, 1, 0.2);
    const panel = page.getByRole('region', { name: 'BubbleUp' });
    await panel.waitFor();
    await panel.getByText('events selected').waitFor();
    assert.match(await panel.locator('.bubbleup-counts').innerText(), /^15 events selected, 45 in the baseline/);
    await page.getByTestId('heatmap-selection').waitFor();
    // duration_ms and user.id differ completely; the first columns shown are those.
    const columns = await panel.locator('.bubbleup-card .bubbleup-column').allInnerTexts();
    assert.deepEqual(columns.slice(0, 2).sort(), ['duration_ms', 'user.id']);
    const userCard = panel.getByRole('region', { name: 'BubbleUp of user.id' });
    assert.equal(await userCard.locator('.bubbleup-score').innerText(), '100 pts');
    await shot(page, 'bubbleup-box');
    await userCard.getByRole('button', { name: /^Filter to user\.id ada/ }).click();
    await page.waitForURL(/ada/);
    assert.equal(queryText(page), 'VISUALIZE HEATMAP(duration_ms) WHERE service.name = "api" AND user.id = "ada" LAST 1h');
    await page.getByTestId('heatmap-canvas').waitFor();
  });

  it('groups the query by a BubbleUp column, and BubbleUps the events matching extra filters', async () => {
    const q = 'VISUALIZE COUNT, HEATMAP(duration_ms) WHERE service.name = "db" LAST 1h';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: '__all__', q }).toString()}`));
    await page.getByTestId('heatmap-canvas').waitFor();
    await page.getByRole('button', { name: 'BubbleUp…' }).click();
    await page.getByLabel('Filters of the selection').fill('error = true');
    await page.getByRole('button', { name: 'Compare' }).click();
    const panel = page.getByRole('region', { name: 'BubbleUp' });
    await panel.getByText('events selected').waitFor();
    assert.match(await panel.locator('.bubbleup-counts').innerText(), /^6 events selected, 54 in the baseline/);
    await shot(page, 'bubbleup-filters');
    await panel.getByRole('region', { name: 'BubbleUp of status_code' }).getByRole('button', { name: 'Group by' }).click();
    await page.waitForURL(/GROUP/);
    assert.equal(queryText(page), 'VISUALIZE COUNT, HEATMAP(duration_ms) WHERE service.name = "db" GROUP BY status_code LAST 1h');
  });

  it('refuses a malformed filter selection in words, without a request', async () => {
    await page.getByRole('button', { name: 'BubbleUp…' }).click();
    await page.getByLabel('Filters of the selection').fill('error = = true');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator('.bubbleup-form .field-error').waitFor();
    assert.equal(await page.getByRole('region', { name: 'BubbleUp' }).count(), 0);
  });

  it("opens a trace from a heatmap cell's value range, switches to a log scale and dates long ranges", async () => {
    const q = 'VISUALIZE HEATMAP(duration_ms) WHERE service.name = "api" LAST 1h';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: '__all__', q }).toString()}`));
    await page.getByTestId('heatmap-canvas').waitFor();
    await page.getByRole('button', { name: 'Log' }).click();
    assert.equal(await page.getByRole('button', { name: 'Log' }).getAttribute('aria-pressed'), 'true');
    await shot(page, 'heatmap-log');
    await page.getByRole('button', { name: 'Linear' }).click();
    // The lowest value row holds only the fast calls: its cell opens a fast trace, not the bucket's slowest.
    const box = await page.getByTestId('heatmap-canvas').boundingBox();
    assert.ok(box);
    const requests: string[] = [];
    const listener = (request: { url: () => string; postData: () => string | null }): void => {
      if (request.url().includes('/1/queries/')) requests.push(request.postData() ?? '');
    };
    page.on('request', listener);
    // Find a painted cell on the bottom row by scanning across it.
    const y = box.y + 8 + (box.height - 30) - 2;
    for (let x = box.x + 74; x < box.x + box.width - 8 && !page.url().includes('/trace/'); x += 6) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(150);
    }
    await page.waitForURL(/\/trace\//);
    page.off('request', listener);
    const sent = requests.map((r) => JSON.parse(r) as { filters: Array<{ column: string; op: string }> }).find((s) => s.filters.some((f) => f.column === 'duration_ms'));
    assert.ok(sent, 'the trace search carries the cell value range');
    assert.deepEqual(sent.filters.filter((f) => f.column === 'duration_ms').map((f) => f.op), ['>=', '<=']);

    const long = 'VISUALIZE HEATMAP(duration_ms) WHERE service.name = "api" LAST 3650d';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: '__all__', q: long }).toString()}`));
    await page.getByTestId('heatmap-canvas').waitFor();
    await shot(page, 'heatmap-long-range');
  });

  it('draws the service map and opens the query behind a service and behind a call', async () => {
    await page.goto(url('/'));
    await page.getByRole('link', { name: 'Service map' }).click();
    await page.waitForURL(/\/service-map/);
    await page.getByTestId('service-map').waitFor();
    assert.equal(await page.locator('.service-node').count(), 3);
    assert.equal(await page.locator('.service-edge').count(), 2);
    const edgeLabels = await page.locator('.edge-label').allTextContents();
    assert.deepEqual(edgeLabels.map((t) => t.split(' · ')[0]).sort(), ['60 calls', '60 calls']);
    await shot(page, 'service-map');
    await page.getByRole('link', { name: /^Service db: 60 spans, 10 % errors/ }).click();
    await page.waitForURL(/\/query/);
    assert.equal(queryText(page), 'VISUALIZE COUNT, P95(duration_ms), HEATMAP(duration_ms) WHERE service.name = "db" GROUP BY name ORDER BY COUNT DESC LAST 2h');
    await page.locator('.results-table tbody tr').first().waitFor();
    await page.goBack();
    await page.getByTestId('service-map').waitFor();
    await page.getByRole('link', { name: /^Calls from api to db/ }).click();
    await page.waitForURL(/parent/);
    assert.equal(queryText(page), 'VISUALIZE COUNT, P95(duration_ms), HEATMAP(duration_ms) WHERE service.name = "db" AND parent.service.name = "api" GROUP BY name ORDER BY COUNT DESC LAST 2h');
    await page.locator('.results-table tbody tr').first().waitFor();
    assert.match(await page.locator('.results-table tbody tr').first().innerText(), /SELECT orders\s+60/);
  });

  it('had no script errors', () => {
    assert.deepEqual(problems, []);
  });
});
