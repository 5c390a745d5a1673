/**
 * GET /api/raw-events bounded in bytes (query.rawEventsAnswerBytes): events with long values make
 * a shorter page that says more follow, and paging on from the events returned reads each event
 * exactly once. It was a 140 MB answer and +680 MiB of RSS for 10 000 wide events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { SERVER_STORES } from '../support/store-backends.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const EVENTS = 300;
/** 60 000 characters a value: 300 of them are more than the bound (16 MiB). */
const VALUE_CHARS = 60_000;
const NOW_S = Math.floor(Date.now() / 1000);

interface Page {
  events: Array<Record<string, unknown>>;
  has_more: boolean;
}

for (const [storeName, storeConfig] of SERVER_STORES) describe(`raw events pages bounded in bytes (${storeName} store)`, () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle(storeConfig);
    // Event n at NOW - 600 + n seconds, its value n's digits repeated.
    for (let from = 0; from < EVENTS; from += 50) {
      const batch = Array.from({ length: 50 }, (_, i) => {
        const n = from + i;
        return { time: new Date((NOW_S - 600 + n) * 1000).toISOString(), data: { n, blob: String(n % 10).repeat(VALUE_CHARS) } };
      });
      const response = await fetch(`${waggle.baseUrl}/1/batch/blobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as Array<{ status: number }>).map((r) => r.status), batch.map(() => 202));
    }
    await waggle.ingest.flushNow();
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers a page under the bound that says more follow, and the pages after it read every event once', async () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    let offset = 0;
    for (let pages = 0; pages < 10; pages++) {
      const response = await fetch(`${waggle.baseUrl}/api/raw-events?${new URLSearchParams({ dataset: 'blobs', q: 'LAST 1h', columns: 'n,blob', limit: '10000', offset: String(offset) }).toString()}`);
      const text = await response.text();
      assert.equal(response.status, 200);
      const page = JSON.parse(text) as Page;
      // The page ends with the event that crossed the bound: at most one event's worth over it.
      assert.ok(text.length <= QUERY_LIMITS.rawEventsAnswerBytes.value + VALUE_CHARS + 200, `page of ${text.length} bytes`);
      sizes.push(page.events.length);
      seen.push(...page.events.map((e) => Number(e['n'])));
      offset += page.events.length;
      if (!page.has_more) break;
    }
    // Newest first, each once: 299 down to 0, over pages of 280 and 20 events (16 MiB / ~60 KB).
    assert.deepEqual(seen, Array.from({ length: EVENTS }, (_, i) => EVENTS - 1 - i));
    assert.deepEqual(sizes, [280, 20]);
  });

  it('says so in a header for CSV', async () => {
    const response = await fetch(`${waggle.baseUrl}/api/raw-events?${new URLSearchParams({ dataset: 'blobs', q: 'LAST 1h', columns: 'n', limit: '10000', format: 'csv' }).toString()}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-waggle-has-more'), 'false');
    const wide = await fetch(`${waggle.baseUrl}/api/raw-events?${new URLSearchParams({ dataset: 'blobs', q: 'LAST 1h', columns: 'n,blob', limit: '10000', format: 'csv' }).toString()}`);
    assert.equal(wide.status, 200);
    assert.equal(wide.headers.get('x-waggle-has-more'), 'true');
    assert.equal((await wide.text()).split('\n').filter((line) => line !== '').length, 1 + 280);
  });
});
