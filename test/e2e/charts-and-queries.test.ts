/**
 * Charts and queries in Chromium, against a real server: drag to zoom re-runs the query with the
 * dragged range, markers on charts, autocomplete after `P95(` and `root.` without Ctrl+Space, a
 * server error that leaves Run usable and is shown once, the builder kept for a malformed query, an
 * unknown dataset not remembered, relative ranges that stay relative, and the Raw events tab with
 * its export. Screenshots go to test-results/ for a human to look at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, openTestPage, SHOTS } from '../support/e2e-browser.js';

const NOW_MS = Date.now();

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

/**
 * "shop": one root span a minute for minutes 1-15 and 41-55 ago (nothing in between), each with a
 * "db" child; routes /a and /b; a deploy marker 30 minutes ago.
 */
async function sendData(waggle: Waggle): Promise<void> {
  const minutes = [...Array.from({ length: 15 }, (_, i) => i + 1), ...Array.from({ length: 15 }, (_, i) => i + 41)];
  const span = (trace: number, id: number, parent: number | undefined, name: string, agoMs: number, ms: number, attributes: Record<string, string>): Record<string, unknown> => ({
    traceId: hex(trace, 32),
    spanId: hex(id, 16),
    parentSpanId: parent === undefined ? '' : hex(parent, 16),
    name,
    kind: parent === undefined ? 2 : 3,
    startTimeUnixNano: `${NOW_MS - agoMs}000000`,
    endTimeUnixNano: `${NOW_MS - agoMs + ms}000000`,
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
  });
  const body = (service: string, spans: Array<Record<string, unknown>>): string =>
    JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] });
  const shop = minutes.map((m, i) => span(i + 1, (i + 1) * 10, undefined, 'GET /checkout', m * 60_000, 40 + i, { 'http.route': i % 2 === 0 ? '/a' : '/b', 'user.id': `u-${i % 3}` }));
  const db = minutes.map((m, i) => span(i + 1, (i + 1) * 10 + 1, (i + 1) * 10, 'SELECT', m * 60_000 - 5, 10, { 'db.system': 'sqlite' }));
  for (const [service, spans] of [['shop', shop], ['db', db]] as const) {
    const response = await fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(service, spans) });
    assert.equal(response.status, 200);
  }
  const marker = await fetch(`${waggle.baseUrl}/1/markers/shop`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ start_time: Math.floor(NOW_MS / 1000) - 1800, message: 'deploy v42', type: 'deploy' }),
  });
  assert.equal(marker.status, 201);
  await waggle.ingest.flushNow();
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `charts-${name}.png`), fullPage: false });
}

/** Replaces the editor's text by typing, as a person would (so completion triggers fire). */
async function typeQuery(page: Page, text: string): Promise<void> {
  const editor = page.getByLabel('Query text');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text, { delay: 15 });
}

describe('charts and queries in the browser', { skip: hasChromium ? false : `Chromium is not installed at ${CHROMIUM}` }, () => {
  let waggle: Waggle;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    waggle = await startTestWaggle();
    await sendData(waggle);
    ({ browser, page } = await openTestPage(problems, { width: 1280, height: 900, acceptDownloads: true }));
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  const url = (p: string): string => `${waggle.baseUrl}${p}`;
  const queryUrl = (dataset: string, q: string): string => url(`/query?${new URLSearchParams({ dataset, q }).toString()}`);

  it('draws the home sparklines over the whole day', async () => {
    await page.goto(url('/'));
    await page.locator('.dataset-card .u-over').first().waitFor();
    await shot(page, 'home');
  });

  it('zooms into a dragged time range and re-runs the query with it; shows markers with their message', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE COUNT LAST 1h'));
    const over = page.locator('.line-chart .u-over').first();
    await over.waitFor();
    const marker = page.locator('.chart-marker').first();
    await marker.waitFor();
    // The marker lets the mouse through to the chart (a drag may start on it): hover by position.
    const markerBox = await marker.boundingBox();
    assert.ok(markerBox);
    await page.mouse.move(markerBox.x + 1, markerBox.y + markerBox.height / 2);
    await marker.locator('.chart-marker-label').waitFor({ state: 'visible' });
    assert.equal(await marker.locator('.chart-marker-label').innerText(), 'deploy: deploy v42');
    await shot(page, 'marker-hover');

    const box = await over.boundingBox();
    assert.ok(box);
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, y, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.4, y, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL(/FROM/);
    const q = new URL(page.url()).searchParams.get('q') ?? '';
    const match = /FROM (\S+) TO (\S+)/.exec(q);
    assert.ok(match, q);
    const [from, to] = [Date.parse(match[1]!) / 1000, Date.parse(match[2]!) / 1000];
    const startSec = Math.floor(NOW_MS / 1000) - 3600;
    // 10 % to 40 % of the hour shown, give or take the chart's padding and the seconds between loads.
    assert.ok(Math.abs(from - (startSec + 360)) < 200, `from ${from - startSec} s into the hour`);
    assert.ok(Math.abs(to - from - 1080) < 200, `${to - from} s wide`);
    await page.locator('.line-chart .u-over').first().waitFor();
    // The re-run counted exactly the events of the new range.
    const answer = (await (await fetch(url('/api/query'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'shop', q }) })).json()) as {
      data: { results: Array<{ data: { COUNT: number } }> };
    };
    assert.equal(answer.data.results[0]?.data.COUNT, minutesBetween(from, to));
    await page.getByText('Custom…').waitFor({ state: 'attached' });
    await shot(page, 'zoomed');
  });

  it('opens a board panel zoomed on the query page when a range is dragged on it', async () => {
    const post = async (path: string, body: unknown): Promise<{ id: string }> => {
      const response = await fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(response.ok, `${path}: ${response.status}`);
      return (await response.json()) as { id: string };
    };
    const query = await post('/1/queries/shop', { calculations: [{ op: 'COUNT' }], time_range: 3600 });
    const saved = await post('/1/query_annotations/shop', { name: 'Shop volume', query_id: query.id });
    const board = await post('/1/boards', { name: 'Zoom board', panels: [{ type: 'query', query_panel: { query_annotation_id: saved.id } }] });
    await page.goto(url(`/boards/${board.id}`));
    const over = page.locator('.board-panel .line-chart .u-over').first();
    await over.waitFor();
    const box = await over.boundingBox();
    assert.ok(box);
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.5, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, y, { steps: 10 });
    await shot(page, 'board-drag');
    await page.mouse.up();
    await page.waitForURL(/\/query\?.*FROM/);
    assert.equal(new URL(page.url()).searchParams.get('dataset'), 'shop');
    await page.locator('.line-chart .u-over').first().waitFor();
  });

  it('offers columns after P95( and after root. without Ctrl+Space', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE COUNT LAST 1h'));
    await page.locator('.line-chart .u-over').first().waitFor();
    await typeQuery(page, 'VISUALIZE P95(');
    const list = page.locator('.cm-tooltip-autocomplete');
    await list.getByText('duration_ms', { exact: true }).waitFor();
    await shot(page, 'autocomplete-p95');

    // Picking P95 from the list goes straight on to the columns.
    await typeQuery(page, 'VISUALIZE P9');
    await list.getByText('P95', { exact: true }).click();
    await list.getByText('duration_ms', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Query text').innerText(), 'VISUALIZE P95(');

    await typeQuery(page, 'VISUALIZE COUNT GROUP BY root.');
    await list.getByText('root.http.route', { exact: true }).waitFor();
    await shot(page, 'autocomplete-root');
    await page.keyboard.press('Escape');
  });

  it('shows a server error once, underlines the column, and keeps Run usable', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE P95(nope) LAST 1h'));
    const error = page.locator('.editor-error');
    await error.waitFor();
    assert.match(await error.innerText(), /^No column nope/);
    assert.equal(await page.getByText(/no column nope/i).count(), 1, 'the message appears once');
    assert.equal(await page.locator('.cm-lintRange-error').innerText(), 'nope');
    const run = page.getByRole('button', { name: 'Run query' });
    assert.equal(await run.isEnabled(), true);
    await shot(page, 'server-error');
    await typeQuery(page, 'VISUALIZE P95(duration_ms) LAST 1h');
    await run.click();
    await page.locator('.line-chart .u-over').first().waitFor();
    assert.equal(await error.count(), 0);
  });

  it('keeps the builder for a malformed query and says what is wrong in words', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE COUNT GROUP user.id'));
    await page.locator('.editor-error').waitFor();
    assert.equal(await page.locator('.editor-error').innerText(), "Expected BY, found 'user.id' (at character 23)");
    assert.equal(await page.locator('.cm-lintRange-error').innerText(), 'user.id');
    await page.getByRole('group', { name: 'Query builder' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run query' }).isDisabled(), true);
    await shot(page, 'malformed');
  });

  it('does not remember an unknown dataset', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE COUNT LAST 1h'));
    await page.locator('.line-chart .u-over').first().waitFor();
    await page.goto(queryUrl('no-such-dataset', 'VISUALIZE COUNT LAST 1h'));
    await page.getByRole('alert').first().waitFor();
    await page.goto(url('/query'));
    await page.locator('.line-chart .u-over').first().waitFor();
    assert.equal(await page.locator('.dataset-picker select').inputValue(), 'shop');
    // One remembered before it was deleted (or by an older Waggle) is forgotten once it fails.
    await page.evaluate(() => window.localStorage.setItem('waggle.lastDataset', 'gone'));
    await page.goto(url('/query'));
    // … and the page goes on with all datasets.
    await page.locator('.line-chart .u-over').first().waitFor();
    assert.equal(await page.locator('.dataset-picker select').inputValue(), '__all__');
    assert.equal(await page.evaluate(() => window.localStorage.getItem('waggle.lastDataset')), '__all__');
  });

  it('shows a relative range that is no preset as relative', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE COUNT LAST 30m'));
    await page.locator('.line-chart .u-over').first().waitFor();
    const picker = page.getByLabel('Time range', { exact: true }).locator('select').first();
    assert.equal(await picker.locator('option:checked').innerText(), 'Last 30 minutes');
    assert.equal(await page.getByLabel('From').count(), 0);
  });

  it('lists the raw events behind the query, newest first, and exports them as CSV', async () => {
    await page.goto(queryUrl('shop', 'VISUALIZE COUNT WHERE http.route = "/a" LAST 1h'));
    await page.locator('.line-chart .u-over').first().waitFor();
    await page.getByRole('tab', { name: 'Raw events' }).click();
    const rows = page.locator('.raw-events-table tbody tr');
    await rows.first().waitFor();
    // Routes /a are the even indexes: minutes 1,3,...,15 and 42,44,...,54 ago → 8 + 7.
    assert.equal(await rows.count(), 15);
    const headers = await page.locator('.raw-events-table thead th').allInnerTexts();
    assert.deepEqual(headers.slice(0, 3), ['timestamp', 'duration_ms', 'trace.trace_id']);
    assert.ok(headers.includes('http.route') && headers.includes('user.id'));
    const times = await page.locator('.raw-events-table tbody tr td:first-child').allInnerTexts();
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
    assert.equal(await page.locator('.pager').getByText('Events 1–15').count(), 1);
    await shot(page, 'raw-events');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'waggle-events.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 16);
    assert.match(lines[0]!, /^timestamp,duration_ms,trace\.trace_id,/);
    const [download2] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(fs.readFileSync((await download2.path())!, 'utf8')) as { events: unknown[] };
    assert.equal(json.events.length, 15);
  });

  it('raised no script errors', () => {
    assert.deepEqual(problems, []);
  });
});

/** Root spans of "shop" (one a minute, 1-15 and 41-55 minutes ago) in [from, to). */
function minutesBetween(from: number, to: number): number {
  const minutes = [...Array.from({ length: 15 }, (_, i) => i + 1), ...Array.from({ length: 15 }, (_, i) => i + 41)];
  return minutes.filter((m) => {
    const at = (NOW_MS - m * 60_000) / 1000;
    return at >= from && at < to;
  }).length;
}
