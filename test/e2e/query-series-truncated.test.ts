/**
 * A query whose series the server cut to the top groups (query.seriesValues, data.series_truncated),
 * in the web UI: the query page says how many groups are charted of how many the table lists, and
 * what charts them all. Screenshot in test-results/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';
import { until } from '../support/poll-until.js';
import { CHROMIUM, ensureUiBuilt, hasChromium, openTestPage, SHOTS } from '../support/e2e-browser.js';

const GROUPS = 600;

describe('a query whose series hold only the top groups, in the web UI', { skip: hasChromium ? false : `Chromium is not installed at ${CHROMIUM}` }, () => {
  let waggle: Awaited<ReturnType<typeof startTestWaggle>>;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    waggle = await startTestWaggle();
    // One event per group g-<n>, n seconds after 15 minutes ago: inside the queries' last 1 000 s and 20 minutes.
    const startS = Math.floor(Date.now() / 1000) - 900;
    const events = Array.from({ length: GROUPS }, (_, n) => ({ time: new Date((startS + n) * 1000).toISOString(), data: { g: `g-${n}`, n } }));
    assert.equal((await callJson(waggle, 'POST', '/1/batch/groups', events)).status, 200);
    await until('the events committed', async () => {
      const created = await callJson(waggle, 'POST', '/1/queries/groups', { time_range: 3600, calculations: [{ op: 'COUNT' }] });
      const answer = await callJson(waggle, 'POST', '/1/query_results/groups', { query_id: created.body.id, disable_series: true });
      const count = (answer.body as { data?: { results?: Array<{ data: Record<string, unknown> }> } }).data?.results?.[0]?.data['COUNT'];
      return count === GROUPS ? true : null;
    });
    ({ browser, page } = await openTestPage(problems, { width: 1280, height: 900, timeoutMs: 60_000 }));
  });

  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  it('says how many groups are charted of how many the table lists', async () => {
    // 1 000 or 1 001 buckets of a second (the finest a 1 000 s range takes) × (1 breakdown +
    // 1 calculation + the time) = 3 000 or 3 003 values a group: 333 groups fit either way.
    const fit = Math.floor(QUERY_LIMITS.seriesValues.value / (1001 * 3));
    assert.equal(fit, Math.floor(QUERY_LIMITS.seriesValues.value / (1000 * 3)));
    assert.equal(fit, 333);
    const text = 'VISUALIZE MAX(n) GROUP BY g ORDER BY MAX(n) DESC LIMIT 1000 LAST 1000s GRANULARITY 1s';
    await page.goto(`${waggle.baseUrl}/query?${new URLSearchParams({ dataset: 'groups', q: text }).toString()}`);
    const notice = page.locator('.series-truncated');
    await notice.waitFor();
    assert.equal(
      await notice.textContent(),
      `Charted over time: the top ${fit} of ${GROUPS} groups. The series of every group would pass the server's bound on the values one query answers; the table lists them all, and a coarser granularity, fewer calculations or a lower limit charts every group.`,
    );
    await page.locator('figure.chart').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'query-series-truncated.png') });
    assert.deepEqual(problems, []);
  });

  it('says nothing when every group has its series', async () => {
    await page.goto(`${waggle.baseUrl}/query?${new URLSearchParams({ dataset: 'groups', q: 'VISUALIZE MAX(n) GROUP BY g LIMIT 1000 LAST 20m GRANULARITY 1m' }).toString()}`);
    await page.locator('figure.chart').first().waitFor();
    assert.equal(await page.locator('.series-truncated').count(), 0);
    assert.deepEqual(problems, []);
  });
});
