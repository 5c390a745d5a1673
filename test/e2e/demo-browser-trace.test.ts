/**
 * End to end: the demo system with a real Chromium. A click in the demo shop must produce one
 * trace in Waggle in which the browser's fetch span is the parent of the API's server span, and
 * the user and session chosen in the browser are on the backend's spans.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { resolveConfig } from '../../src/server/waggle-config.js';
import { startDemo, type RunningDemo } from '../../demo/demo-system.js';

type WideSpan = Record<string, unknown>;

const CHROMIUM = '/usr/bin/chromium';
// Skipped like the other browser tests where Chromium is not installed (.ci/run installs it).
const skip = fs.existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM}`;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const output: string[] = [];
let dataDir = '';
let demo: RunningDemo | undefined;
let browser: Browser | undefined;

before(async () => {
  if (skip !== false) return;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-demo-e2e-'));
  demo = await startDemo({
    waggle: { ...resolveConfig({}, []), host: '127.0.0.1', port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, dataDir, walSync: false, flushIntervalMs: 200 },
    demo: { demoPort: 0, apiPort: 0, authPort: 0, dataPort: 0, host: '127.0.0.1', traffic: false, trafficIntervalMs: 1000, orderFailureRate: 0 },
    log: (line) => output.push(line),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function completedActions(page: Page, count: number): Promise<{ traceId: string; action: string }> {
  await page.waitForSelector(`body[data-actions="${count}"]`, { timeout: 30_000 });
  return page.evaluate(() => ({ traceId: document.body.dataset['lastTraceId'] ?? '', action: document.body.dataset['lastAction'] ?? '' }));
}

async function fetchTrace(traceId: string): Promise<WideSpan[]> {
  const response = await fetch(`${demo!.urls.waggle}/api/traces/${traceId}`, { headers: { 'x-honeycomb-team': demo!.keys.admin } });
  if (response.status === 404) return [];
  assert.equal(response.status, 200);
  return ((await response.json()) as { spans: WideSpan[] }).spans;
}

/** Polls until the trace holds the spans `ready` wants (spans arrive from five processes, seconds apart). */
async function waitForTrace(traceId: string, ready: (spans: WideSpan[]) => boolean): Promise<WideSpan[]> {
  const deadline = Date.now() + 60_000;
  let spans: WideSpan[] = [];
  while (Date.now() < deadline) {
    spans = await fetchTrace(traceId);
    if (ready(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return spans;
}

function describeEvents(spans: WideSpan[], spanId: string): string {
  return spans
    .filter((s) => s['meta.annotation_type'] === 'span_event' && s['trace.parent_id'] === spanId)
    .map((s) => `${String(s['name'])}@${String(s['timestamp'])}`)
    .join(', ');
}

function describeSpans(spans: WideSpan[]): string {
  return spans
    .filter((s) => s['meta.annotation_type'] === undefined)
    .map((s) => `${String(s['service.name'])} ${String(s['span.kind'])} ${String(s['name'])} (${String(s['trace.span_id'])} < ${String(s['trace.parent_id'])})`)
    .join('\n');
}

it('joins a click in the browser and the backend services into one trace, with user and session', { timeout: 180_000, skip }, async () => {
  const page = await browser!.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // What the browser exported, for the failure message: span names per OTLP request, and the answer.
  const exports: string[] = [];
  const exportKeys = new Set<string>();
  page.on('requestfinished', (request) => {
    if (!request.url().endsWith('/v1/traces') || request.method() !== 'POST') return;
    exportKeys.add(request.headers()['x-honeycomb-team'] ?? 'none');
    const names = [...(request.postData() ?? '').matchAll(/"spanId":"([0-9a-f]+)"[^{}]*?"name":"([^"]*)"/g)].map((m) => `${m[2]}(${m[1]})`);
    void request.response().then((response) => exports.push(`${response?.status() ?? 'no answer'}: ${names.join(', ')}`));
  });
  try {
    await page.goto(demo!.urls.demo);
    const first = await completedActions(page, 1);
    assert.equal(first.action, 'load products');
    assert.match(await page.textContent('#status') ?? '', /^10 products$/);

    await page.selectOption('#user', 'u-bob');
    await completedActions(page, 2);
    await page.click('#checkout');
    const { traceId, action } = await completedActions(page, 3);
    assert.equal(action, 'checkout');
    assert.match(traceId, /^[0-9a-f]{32}$/);
    // "Last trace" opens the trace page of the UI, not the JSON API.
    const lastTraceHref = await page.getAttribute('#trace-link a', 'href');
    assert.equal(new URL(lastTraceHref ?? '', demo!.urls.demo).pathname, `/trace/${traceId}`);
    const sessionId = await page.evaluate(() => sessionStorage.getItem('waggle.session.id'));
    assert.match(sessionId ?? '', /^[0-9a-f]{32}$/);

    const wanted: Record<string, (s: WideSpan) => boolean> = {
      'browser click span': (s) => s['service.name'] === 'demo-browser' && s['name'] === 'ui checkout',
      'browser fetch span': (s) => s['service.name'] === 'demo-browser' && s['span.kind'] === 'client',
      'demo-api server span': (s) => s['service.name'] === 'demo-api' && s['span.kind'] === 'server',
      'demo-auth server span': (s) => s['service.name'] === 'demo-auth' && s['span.kind'] === 'server',
      'demo-data server span': (s) => s['service.name'] === 'demo-data' && s['span.kind'] === 'server',
    };
    const spans = await waitForTrace(traceId, (all) => Object.values(wanted).every((test) => all.some(test)));
    const missing = Object.keys(wanted).filter((name) => !spans.some(wanted[name]!));
    if (missing.length > 0) {
      const browserTraces = await (await fetch(`${demo!.urls.waggle}/api/traces?limit=20&service.name=demo-browser`, { headers: { 'x-honeycomb-team': demo!.keys.admin } })).text();
      assert.fail(
        `trace ${traceId} lacks ${missing.join(', ')} after 60 s; it has:\n${describeSpans(spans)}\n--- browser exports:\n${exports.join('\n')}\n--- browser traces: ${browserTraces}\n--- demo output:\n${output.join('\n')}`,
      );
    }
    // The page sends with an ingest-only key: what a page holds, its visitors can read.
    assert.equal(exportKeys.size, 1);
    const pageKey = [...exportKeys][0]!;
    const access = (await (await fetch(`${demo!.urls.waggle}/1/auth`, { headers: { 'x-honeycomb-team': pageKey } })).json()) as { permissions: string[]; type: string };
    assert.deepEqual([access.type, access.permissions], ['ingest', ['send_events']]);
    const click = spans.find(wanted['browser click span']!)!;
    const fetchSpan = spans.find(wanted['browser fetch span']!)!;
    const server = spans.find(wanted['demo-api server span']!)!;
    const dataServer = spans.find(wanted['demo-data server span']!)!;

    assert.equal(fetchSpan['trace.parent_id'], click['trace.span_id']);
    assert.equal(server['trace.parent_id'], fetchSpan['trace.span_id'], 'the browser fetch span is the parent of the API server span');
    assert.equal(server['name'], 'POST /api/checkout');
    assert.equal(server['user.id'], 'u-bob');
    assert.equal(server['session.id'], sessionId, 'session.id travels from the browser in baggage');
    assert.equal(fetchSpan['user.id'], 'u-bob');
    assert.equal(fetchSpan['session.id'], sessionId);
    assert.equal(click['user.id'], 'u-bob');
    assert.equal(dataServer['user.id'], 'u-bob', 'user.id travels from the API to the data service in baggage');

    // network.latency_ms is Waggle's (the store computes it); when present it must be the gap.
    if (server['network.latency_ms'] !== undefined && server['network.latency_ms'] !== null) {
      const expected = Number(fetchSpan['duration_ms']) - Number(server['duration_ms']);
      assert.ok(
        Math.abs(Number(server['network.latency_ms']) - expected) < 0.01,
        `network.latency_ms ${String(server['network.latency_ms'])} vs ${expected}`,
      );
      // A server span longer than its client span cannot fit inside it: Waggle must flag that as
      // clock skew rather than pass it off silently. It happened once in this test on a loaded
      // machine (cause not established; a server event loop late to end its span would do it).
      if (expected < 0) {
        assert.equal(
          server['network.clock_skew'],
          true,
          `fetch ${String(fetchSpan['duration_ms'])} ms < server ${String(server['duration_ms'])} ms without network.clock_skew; fetch events: ${describeEvents(spans, String(fetchSpan['trace.span_id']))}`,
        );
      }
    }
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
  }
});

/** Runs a text query as the demo's admin; the result rows. */
async function demoQuery(dataset: string, q: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${demo!.urls.waggle}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-honeycomb-team': demo!.keys.admin },
    body: JSON.stringify({ dataset, q }),
  });
  if (response.status !== 200) return [];
  return ((await response.json()) as { data: { results: Array<{ data: Record<string, unknown> }> } }).data.results.map((r) => r.data);
}

it('exports structured logs inside the traces and request, latency and memory metrics from every service', { timeout: 120_000, skip }, async () => {
  const services = ['demo-api', 'demo-auth', 'demo-data'];
  const deadline = Date.now() + 60_000;
  let logRows: Array<Record<string, unknown>> = [];
  let metricRows: Array<Record<string, unknown>> = [];
  // Metrics leave every 10 s, logs in batches: poll until every service has both.
  while (Date.now() < deadline) {
    logRows = await demoQuery('__all__', 'VISUALIZE COUNT WHERE meta.signal_type = "log" AND trace.trace_id exists GROUP BY service.name ORDER BY service.name LAST 1h');
    metricRows = await demoQuery(
      '__all__',
      'VISUALIZE SUM(http.server.request.count), MAX(http.server.request.duration_ms.count), MAX(process.memory.usage) WHERE meta.signal_type = "metric" GROUP BY service.name ORDER BY service.name LAST 1h',
    );
    const withLogs = new Set(logRows.map((r) => r['service.name']));
    const withRequests = new Set(metricRows.filter((r) => Number(r['SUM(http.server.request.count)']) > 0 && Number(r['MAX(http.server.request.duration_ms.count)']) > 0).map((r) => r['service.name']));
    const withMemory = new Set(metricRows.filter((r) => Number(r['MAX(process.memory.usage)']) > 0).map((r) => r['service.name']));
    if (services.every((s) => withLogs.has(s) && withRequests.has(s)) && [...services, 'demo-frontend'].every((s) => withMemory.has(s))) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const named = (rows: Array<Record<string, unknown>>): unknown[] => rows.map((r) => r['service.name']);
  for (const service of services) assert.ok(named(logRows).includes(service), `no traced logs from ${service}: ${JSON.stringify(logRows)}`);
  for (const service of [...services, 'demo-frontend']) {
    const row = metricRows.find((r) => r['service.name'] === service);
    assert.ok(row !== undefined && Number(row['MAX(process.memory.usage)']) > 0, `no memory gauge from ${service}: ${JSON.stringify(metricRows)}`);
    if (service !== 'demo-frontend') assert.ok(Number(row['SUM(http.server.request.count)']) > 0, `no request counter from ${service}: ${JSON.stringify(metricRows)}`);
  }
  // No random order failures here (orderFailureRate 0): Bob's checkout is placed, and its log may come a batch later.
  let orders = await demoQuery('demo-api', 'VISUALIZE COUNT WHERE body.message = "order placed" AND trace.span_id exists LAST 1h');
  for (let i = 0; i < 30 && !(Number(orders[0]?.['COUNT']) >= 1); i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    orders = await demoQuery('demo-api', 'VISUALIZE COUNT WHERE body.message = "order placed" AND trace.span_id exists LAST 1h');
  }
  assert.ok(Number(orders[0]?.['COUNT']) >= 1, `no "order placed" log with its span: ${JSON.stringify(orders)}`);
});
