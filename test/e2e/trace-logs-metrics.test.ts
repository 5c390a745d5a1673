/**
 * Logs and metrics in the web UI, end to end: a trace and its logs sent with the real OTel
 * exporters, metric points over the last half hour, and Debian's Chromium through playwright-core.
 * Screenshots go to test-results/ (git-ignored). Skips when Chromium is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createExporter, createTracerProvider } from '../support/otel-test-exporters.js';
import { createLogExporter, createLoggerProvider } from '../support/otel-signal-exporters.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, SHOTS } from '../support/e2e-browser.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/** A SERVER span with a CLIENT child; two logs on the child, one on the root, one of the trace without a span. */
async function sendTraceWithLogs(waggle: Waggle): Promise<string> {
  const { provider, tracer } = createTracerProvider(createExporter('http-proto', waggle.ports), 'checkout');
  const logs = createLoggerProvider(createLogExporter('http-proto', waggle.ports), 'checkout');
  const logger = logs.getLogger('checkout-logs');
  const start = Date.now() - 60_000;
  const root = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, startTime: start });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT, startTime: start + 100 }, rootCtx);
  const childCtx = trace.setSpan(context.active(), child);
  logger.emit({ timestamp: start + 5, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: { message: 'cart requested', 'user.id': 'ada' }, context: rootCtx });
  logger.emit({ timestamp: start + 150, severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'query slower than 200 ms', context: childCtx });
  logger.emit({ timestamp: start + 380, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: { message: 'retrying cart query', attempt: 2 }, context: childCtx });
  child.end(start + 400);
  root.end(start + 450);
  await provider.forceFlush();
  await provider.shutdown();
  await logs.forceFlush();
  await logs.shutdown();
  const traceId = root.spanContext().traceId;
  // A log of the trace without a span id (a batch job's summary line, say): sent as OTLP/JSON.
  const record = { timeUnixNano: String(BigInt(start + 460) * 1_000_000n), traceId, severityText: 'INFO', severityNumber: 9, body: { stringValue: 'cart request done' } };
  const body = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeLogs: [{ logRecords: [record] }] }] });
  const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(response.status, 200);
  return traceId;
}

/** A cumulative request counter and a memory gauge, one point a minute over the last 30 minutes. */
async function sendMetrics(waggle: Waggle): Promise<void> {
  const now = Date.now();
  const metrics = [];
  const counter = [];
  const gauge = [];
  for (let i = 30; i >= 1; i--) {
    const time = String(BigInt(now - i * 60_000) * 1_000_000n);
    const attributes = [{ key: 'http.route', value: { stringValue: '/cart' } }];
    counter.push({ timeUnixNano: time, asInt: String((30 - i) * 12 + (i % 3)), attributes });
    gauge.push({ timeUnixNano: time, asDouble: 100 + 20 * Math.sin(i / 3), attributes });
  }
  metrics.push({ name: 'http.server.request.count', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: counter } });
  metrics.push({ name: 'process.memory.usage', gauge: { dataPoints: gauge } });
  const body = JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeMetrics: [{ metrics }] }] });
  const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(response.status, 200);
}

describe('logs and metrics in the web UI (Chromium)', { skip: hasChromium ? false : 'no Chromium at /usr/bin/chromium' }, () => {
  let waggle: Waggle;
  let browser: Browser;
  let page: Page;
  let traceId: string;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    waggle = await startTestWaggle();
    traceId = await sendTraceWithLogs(waggle);
    await sendMetrics(waggle);
    await waggle.ingest.flushNow();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  it("shows a trace's logs on their spans' bars, in the span's details and apart when they have no span", async () => {
    await page.goto(`${waggle.baseUrl}/trace/${traceId}`);
    await page.locator('.wf-row').first().waitFor();
    assert.equal(await page.locator('.wf-row').count(), 2);
    assert.equal(await page.locator('.wf-row', { hasText: 'SELECT cart' }).locator('.wf-log-marker').count(), 2);
    assert.equal(await page.locator('.wf-row', { hasText: 'GET /cart' }).locator('.wf-log-marker.severity-info').count(), 1);
    assert.equal(await page.locator('.wf-row', { hasText: 'SELECT cart' }).locator('.wf-log-marker.severity-error').count(), 1);
    const unattached = page.getByRole('region', { name: 'Logs of the trace without a span' });
    assert.match(await unattached.innerText(), /Logs of the trace without a span \(1\)[\s\S]*INFO cart request done/);
    await page.locator('.wf-row', { hasText: 'SELECT cart' }).click();
    const spanLogs = page.locator('.span-panel').getByRole('region', { name: 'Logs' });
    assert.deepEqual(await spanLogs.locator('.log-message').allInnerTexts(), ['query slower than 200 ms', 'retrying cart query']);
    await spanLogs.locator('summary', { hasText: 'retrying cart query' }).click();
    assert.match(await spanLogs.innerText(), /body\.attempt\s*2/);
    await page.screenshot({ path: path.join(SHOTS, 'trace-logs-waterfall.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  it('charts a counter as a rate and a gauge over time on the query page', async () => {
    const q = 'VISUALIZE RATE_MAX(http.server.request.count), MAX(process.memory.usage) WHERE meta.signal_type = "metric" LAST 1h GRANULARITY 1m';
    await page.goto(`${waggle.baseUrl}/query?${new URLSearchParams({ dataset: 'checkout', q }).toString()}`);
    await page.locator('.line-chart .u-over').first().waitFor();
    assert.equal(await page.locator('.chart figcaption').allInnerTexts().then((t) => t.join('|')), 'RATE_MAX(http.server.request.count)|MAX(process.memory.usage)');
    // The counter grows by 12 a minute (plus a wobble of its last digit): its rate is drawn, not an empty chart.
    const rates = await page.evaluate(async (spec) => {
      const response = await fetch('/api/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
      const body = (await response.json()) as { data: { series: Array<{ data: Record<string, unknown> }> } };
      return body.data.series.map((s) => s.data['RATE_MAX(http.server.request.count)']).filter((v) => v !== null && v !== undefined);
    }, { dataset: 'checkout', q });
    assert.ok(rates.length >= 25, `rates: ${JSON.stringify(rates)}`);
    assert.ok(rates.every((r) => typeof r === 'number' && r >= 10 && r <= 14), JSON.stringify(rates));
    await page.screenshot({ path: path.join(SHOTS, 'metrics-query-chart.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
