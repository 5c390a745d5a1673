/**
 * A trace of more events than one lookup answers (QUERY_LIMITS.traceSpans), in the web UI: the trace
 * page draws the earliest of them and says the trace was cut. Screenshot in test-results/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { hex, otlpSpansJson, postOtlpJson, type TestSpan } from '../support/otlp-json-spans.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, openTestPage, SHOTS } from '../support/e2e-browser.js';

const LIMIT = QUERY_LIMITS.traceSpans.value;
const TRACE = 0x7ace;

describe('a trace cut to the lookup bound in the web UI', { skip: hasChromium ? false : `Chromium is not installed at ${CHROMIUM}` }, () => {
  let waggle: Awaited<ReturnType<typeof startTestWaggle>>;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    waggle = await startTestWaggle();
    const startMs = Date.now() - 600_000;
    // A root of LIMIT + 100 ms, then LIMIT children one a millisecond.
    const spans: TestSpan[] = Array.from({ length: LIMIT + 1 }, (_, i) => ({ trace: TRACE, span: i + 1, ...(i === 0 ? {} : { parent: 1 }), name: i === 0 ? 'batch job' : `item ${i}`, startMs: startMs + i, ms: i === 0 ? LIMIT + 100 : 1 }));
    for (let from = 0; from < spans.length; from += 8_000) assert.equal((await postOtlpJson(waggle, otlpSpansJson('batch', spans.slice(from, from + 8_000)))).status, 200);
    await waggle.ingest.flushNow();
    ({ browser, page } = await openTestPage(problems, { width: 1280, height: 900, timeoutMs: 60_000 }));
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  it(`draws the earliest ${LIMIT.toLocaleString('en-US')} events and says the trace has more`, async () => {
    await page.goto(`${waggle.baseUrl}/trace/${hex(TRACE, 32)}`);
    const notice = page.locator('.trace-truncated');
    await notice.waitFor();
    assert.equal(await notice.textContent(), `This trace has more than ${LIMIT.toLocaleString('en-US')} spans, span events and links: the earliest ${LIMIT.toLocaleString('en-US')} are shown.`);
    await page.locator('.wf-row', { hasText: 'batch job' }).first().waitFor();
    // The root and the earliest LIMIT - 1 children: the count says there are more.
    assert.equal(await page.locator('.summary-grid div', { hasText: 'Spans' }).locator('dd').textContent(), `${LIMIT}+`);
    await page.screenshot({ path: path.join(SHOTS, 'trace-truncated.png') });
    assert.deepEqual(problems, []);
  });
});
