/**
 * The web UI end to end: the real server with spans sent by the real OTLP exporter, driven by
 * Debian's Chromium through playwright-core. Screenshots go to test-results/ (git-ignored) for
 * a human to look at. Skips when Chromium is not installed (`.ci/run` installs it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import type { Browser, Page } from 'playwright-core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createExporter } from '../support/otel-test-exporters.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, openTestPage, SHOTS } from '../support/e2e-browser.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

interface Sent {
  slowTraceId: string;
  errorTraceId: string;
  orphanTraceId: string;
  hostileTraceId: string;
}

function providers(waggle: Waggle): Record<'frontend' | 'api' | 'db', { tracer: Tracer; flush: () => Promise<void> }> {
  const make = (service: string): { tracer: Tracer; flush: () => Promise<void> } => {
    // Batched: the simple processor would start one export per span and hit the exporter's concurrency limit.
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new BatchSpanProcessor(createExporter('http-proto', waggle.ports), { scheduledDelayMillis: 50 })],
    });
    const tracer = provider.getTracer('waggle-e2e', '1.0.0');
    return { tracer, flush: async () => { await provider.forceFlush(); await provider.shutdown(); } };
  };
  return { frontend: make('frontend'), api: make('api'), db: make('db') };
}

/** 40 requests over the last 40 minutes, five users, u-3 much slower; one error, one orphan, one hostile name. */
async function sendData(waggle: Waggle): Promise<Sent> {
  const p = providers(waggle);
  const now = Date.now();
  const ids: Partial<Sent> = {};
  for (let i = 0; i < 40; i++) {
    const user = `u-${(i % 5) + 1}`;
    const slow = user === 'u-3';
    const start = now - (40 - i) * 60_000;
    const apiMs = slow ? 400 + i * 10 : 20 + (i % 7) * 3;
    const isError = i === 37;
    const client = p.frontend.tracer.startSpan('GET /checkout', { kind: SpanKind.CLIENT, startTime: start, attributes: { 'user.id': user, 'http.route': '/checkout' } });
    const server = p.api.tracer.startSpan(
      'POST /checkout',
      { kind: SpanKind.SERVER, startTime: start + 3, attributes: { 'user.id': user, 'http.route': '/checkout', 'http.response.status_code': isError ? 500 : 200 } },
      trace.setSpan(context.active(), client),
    );
    const query = p.db.tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, startTime: start + 5, attributes: { 'db.system': 'postgresql', 'user.id': user } }, trace.setSpan(context.active(), server));
    if (isError) {
      query.addEvent('exception', { 'exception.type': 'TimeoutError', 'exception.message': 'statement timeout' }, start + 5 + apiMs - 10);
      query.setStatus({ code: SpanStatusCode.ERROR, message: 'statement timeout' });
      server.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
      ids.errorTraceId = client.spanContext().traceId;
    }
    query.end(start + 5 + apiMs - 5);
    server.end(start + 3 + apiMs);
    client.end(start + 6 + apiMs);
    if (slow && i === 37 - 5) ids.slowTraceId = client.spanContext().traceId;
  }
  // A span whose parent never arrives.
  const orphanParent = trace.setSpanContext(context.active(), { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const orphan = p.api.tracer.startSpan('orphaned work', { kind: SpanKind.INTERNAL, startTime: now - 5 * 60_000 }, orphanParent);
  orphan.end(now - 5 * 60_000 + 12);
  ids.orphanTraceId = orphan.spanContext().traceId;
  // Span content is untrusted: it must render as text.
  const hostile = p.api.tracer.startSpan('<img src=x onerror="window.__pwned=1">', {
    startTime: now - 4 * 60_000,
    attributes: { 'evil.link': 'javascript:window.__pwned=1', 'good.link': 'https://example.com/docs' },
  });
  hostile.end(now - 4 * 60_000 + 3);
  ids.hostileTraceId = hostile.spanContext().traceId;
  await Promise.all([p.frontend.flush(), p.api.flush(), p.db.flush()]);
  await waggle.ingest.flushNow();
  return ids as Sent;
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `ui-${name}.png`), fullPage: false });
}

describe('the web UI', { skip: hasChromium ? false : `Chromium is not installed at ${CHROMIUM}` }, () => {
  let waggle: Waggle;
  let browser: Browser;
  let sent: Sent;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    waggle = await startTestWaggle();
    sent = await sendData(waggle);
    ({ browser, page } = await openTestPage(problems, { width: 1280, height: 860 }));
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  const url = (p: string): string => `${waggle.baseUrl}${p}`;

  it('shows datasets, recent traces and saved queries on the home page', async () => {
    await page.goto(url('/'));
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    await page.getByRole('link', { name: 'frontend' }).first().waitFor();
    await page.getByRole('heading', { name: 'Recent traces' }).waitFor();
    await page.locator('.dataset-card .u-over').first().waitFor();
    await shot(page, 'home');
  });

  it('runs a query permalink on load and shows a chart and a table', async () => {
    const q = 'VISUALIZE P95(duration_ms), COUNT WHERE service.name = "api" AND user.id exists GROUP BY user.id ORDER BY P95(duration_ms) DESC LAST 2h';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: '__all__', q }).toString()}`));
    await page.locator('.line-chart .u-over').first().waitFor();
    const firstRow = page.locator('.results-table tbody tr').first();
    await firstRow.waitFor();
    assert.equal(await page.locator('.results-table tbody tr').count(), 5);
    assert.match(await firstRow.innerText(), /u-3/);
    assert.equal(await page.locator('.chart figcaption').allInnerTexts().then((t) => t.join('|')), 'P95(duration_ms)|COUNT');
    // The builder shows the same query as the text.
    assert.equal(await page.getByLabel('Group by column 1').inputValue(), 'user.id');
    await shot(page, 'query-permalink');

    // Clicking a group adds it as a filter, runs, and updates the URL.
    await page.locator('.results-table tbody tr').first().getByRole('button', { name: 'u-3' }).click();
    await page.waitForURL(/user\.id/);
    assert.match(decodeURIComponent(new URL(page.url()).searchParams.get('q') ?? ''), /user\.id = "u-3"/);
    await page.locator('.results-table tbody tr').first().waitFor();
    assert.equal(await page.locator('.results-table tbody tr').count(), 1);
    // Back returns to the previous query.
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('.results-table tbody tr').length === 5);
  });

  it('draws a heatmap and opens the slowest trace of a chart point', async () => {
    const q = 'VISUALIZE HEATMAP(duration_ms), MAX(duration_ms) WHERE service.name = "api" LAST 1h';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: '__all__', q }).toString()}`));
    await page.locator('.heatmap canvas').waitFor();
    await page.locator('.line-chart .u-over').first().waitFor();
    await shot(page, 'query-heatmap');
    await page.getByRole('tab', { name: 'Traces' }).click();
    await page.locator('.traces-tab .list-table a').first().waitFor();
    await shot(page, 'query-traces-tab');
    await page.locator('.traces-tab .list-table a').first().click();
    await page.waitForURL(/\/trace\/[0-9a-f]{32}/);
    await page.locator('.wf-row').first().waitFor();
  });

  it('opens a trace as a waterfall with the span details, events and network gap', async () => {
    await page.goto(url(`/trace/${sent.errorTraceId}`));
    await page.locator('.wf-row').first().waitFor();
    assert.equal(await page.locator('.wf-row').count(), 3);
    assert.match(await page.locator('.trace-summary').innerText(), /frontend: GET \/checkout/);
    assert.match(await page.locator('.trace-summary').innerText(), /errors\s*2/i);
    await page.locator('.wf-row', { hasText: 'SELECT orders' }).click();
    await page.locator('.span-details').getByText('statement timeout').first().waitFor();
    assert.match(await page.locator('.span-details').innerText(), /TimeoutError/);
    await page.locator('.wf-row', { hasText: 'POST /checkout' }).click();
    assert.match(await page.locator('.span-details').innerText(), /Network/);
    assert.ok((await page.locator('.wf-gap').count()) >= 2);
    await shot(page, 'trace-waterfall');

    // Collapse with the keyboard, search reveals.
    await page.locator('.wf-row', { hasText: 'GET /checkout' }).click();
    await page.locator('.waterfall-scroll').focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('.wf-row').count(), 1);
    await page.getByLabel('Search within trace').fill('postgresql');
    await page.getByLabel('Search within trace').press('Enter');
    assert.equal(await page.locator('.wf-row').count(), 3);
    assert.equal(await page.locator('.wf-row.match').count(), 1);
  });

  it('shows a span whose parent never arrived, and renders hostile content as text', async () => {
    await page.goto(url(`/trace/${sent.orphanTraceId}`));
    await page.locator('.wf-row').first().waitFor();
    assert.match(await page.locator('.wf-row').first().innerText(), /missing parent/);
    await page.goto(url(`/trace/${sent.hostileTraceId}`));
    await page.locator('.wf-row').first().waitFor();
    assert.match(await page.locator('.trace-summary h1').innerText(), /<img src=x onerror=/);
    assert.equal(await page.locator('.trace-summary img, .wf-row img, .span-details img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('.span-details a[href^="javascript"]').count(), 0);
    assert.equal(await page.locator('.span-details a[href="https://example.com/docs"]').count(), 1);
    await shot(page, 'trace-hostile');
  });

  it('saves a query and finds it after a reload', async () => {
    const q = 'VISUALIZE P95(duration_ms), COUNT GROUP BY user.id ORDER BY P95(duration_ms) DESC';
    await page.goto(url(`/query?${new URLSearchParams({ dataset: 'api', q }).toString()}`));
    await page.locator('.results-table tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByLabel('Name').fill('Slow users');
    await page.getByLabel('Description').fill('Who waits longest');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as').waitFor();
    await shot(page, 'query-saved');
    await page.goto(url('/saved'));
    await page.reload();
    const saved = page.getByRole('button', { name: 'Slow users', exact: true });
    await saved.waitFor();
    await shot(page, 'saved-list');
    await saved.click();
    await page.waitForURL(/\/query\?/);
    assert.equal(new URL(page.url()).searchParams.get('dataset'), 'api');
    assert.match(new URL(page.url()).searchParams.get('q') ?? '', /GROUP BY user\.id/);
    await page.locator('.results-table tbody tr').first().waitFor();
  });

  it('creates the starter board with live charts', async () => {
    await page.goto(url('/boards'));
    await page.getByRole('button', { name: 'Create starter board' }).click();
    await page.waitForURL(/\/boards\/.+/);
    await page.locator('.board-panel .u-over').first().waitFor();
    await page.locator('.board-panel').nth(1).locator('.results-table tbody tr').first().waitFor();
    await shot(page, 'board-starter');
  });

  it('sets a dataset retention from the home page, refuses a malformed one, and goes back to the default', async () => {
    await page.goto(url('/'));
    const card = page.locator('.dataset-card', { has: page.getByRole('link', { name: 'db', exact: true }) });
    await card.getByText('keeps events 36500d (server default)').waitFor();
    await card.getByRole('button', { name: 'Change how long db keeps events' }).click();
    const input = card.getByRole('textbox');
    await input.fill('1 week');
    await card.getByRole('button', { name: 'Save' }).click();
    assert.equal(await card.getByRole('alert').textContent(), 'Write a number and a unit: 30d, 12h, 45m or 90s (empty: the server default).');
    await input.fill('7d');
    await shot(page, 'home-retention-form');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('keeps events 7d (own setting)').waitFor();
    await shot(page, 'home-retention-set');
    const stored = (await (await fetch(url('/1/datasets/db'))).json()) as { retention: string | null };
    assert.equal(stored.retention, '7d');
    await card.getByRole('button', { name: 'Change how long db keeps events' }).click();
    await card.getByRole('textbox').fill('');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('keeps events 36500d (server default)').waitFor();
  });

  it('raised no page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
