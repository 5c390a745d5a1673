import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SAVED_LIMITS } from '../../src/core/limits/saved-limits.js';
import { ExpiringCollectionStore, type ExpiringCollectionOptions } from '../../src/store/saved/expiring-collection-store.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

interface Doc {
  id: string;
  text: string;
}

const DAY_MS = 86_400_000;

function options(clock: { now: number }, overrides: Partial<ExpiringCollectionOptions> = {}): ExpiringCollectionOptions {
  return {
    retentionMs: 7 * DAY_MS,
    maxCount: 1000,
    maxBytes: 1_000_000,
    pinnedIds: () => new Set(),
    writeDelayMs: 10,
    clock: () => clock.now,
    log: () => undefined,
    ...overrides,
  };
}

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-specs-'));

describe('stored query specs', () => {
  it('forgets a spec 7 days after its last use, not after its creation, and keeps pinned ones', () => {
    const clock = { now: 1_000_000 };
    const store = ExpiringCollectionStore.open<Doc>(tempDir(), 'queries', options(clock, { pinnedIds: () => new Set(['pinned']) }));
    store.put({ id: 'used', text: 'a' });
    store.put({ id: 'unused', text: 'b' });
    store.put({ id: 'pinned', text: 'c' });
    clock.now += 6 * DAY_MS;
    assert.deepEqual(store.get('used'), { id: 'used', text: 'a' });
    clock.now += DAY_MS + 1;
    assert.equal(store.get('unused'), undefined);
    assert.deepEqual(store.get('used'), { id: 'used', text: 'a' });
    assert.deepEqual(store.get('pinned'), { id: 'pinned', text: 'c' });
    clock.now += 7 * DAY_MS + 1;
    assert.equal(store.get('used'), undefined);
    assert.deepEqual(store.get('pinned'), { id: 'pinned', text: 'c' });
  });

  it('keeps at most maxCount specs, forgetting the least recently used', () => {
    const clock = { now: 0 };
    const store = ExpiringCollectionStore.open<Doc>(tempDir(), 'queries', options(clock, { maxCount: 3 }));
    for (const id of ['a', 'b', 'c']) store.put({ id, text: id });
    store.get('a');
    store.put({ id: 'd', text: 'd' });
    assert.equal(store.size, 3);
    assert.equal(store.get('b'), undefined);
    assert.deepEqual(['a', 'c', 'd'].map((id) => store.get(id)?.text), ['a', 'c', 'd']);
  });

  it('keeps at most maxBytes of specs', () => {
    const clock = { now: 0 };
    const store = ExpiringCollectionStore.open<Doc>(tempDir(), 'queries', options(clock, { maxBytes: 2500 }));
    for (let i = 0; i < 10; i++) store.put({ id: `q${i}`, text: 'x'.repeat(1000) });
    assert.equal(store.size, 2);
    assert.deepEqual([...Array(10).keys()].filter((i) => store.get(`q${i}`) !== undefined), [8, 9]);
  });

  it('writes specs and their last use to disk and reads them back after a restart', async () => {
    const dir = tempDir();
    const clock = { now: 5 * DAY_MS };
    const store = ExpiringCollectionStore.open<Doc>(dir, 'queries', options(clock));
    store.put({ id: 'old', text: 'o' });
    clock.now += 3 * DAY_MS;
    store.put({ id: 'new', text: 'n' });
    await store.flush();
    clock.now += 5 * DAY_MS;
    const reopened = ExpiringCollectionStore.open<Doc>(dir, 'queries', options(clock));
    assert.equal(reopened.size, 1);
    assert.equal(reopened.get('old'), undefined);
    assert.deepEqual(reopened.get('new'), { id: 'new', text: 'n' });
  });

  it('coalesces many new specs into few writes of the file', async () => {
    const dir = tempDir();
    const store = ExpiringCollectionStore.open<Doc>(dir, 'queries', options({ now: 0 }, { writeDelayMs: 50 }));
    for (let i = 0; i < 500; i++) store.put({ id: `q${i}`, text: 'x' });
    // Nothing is written during the requests themselves...
    assert.equal(fs.existsSync(path.join(dir, 'queries.json')), false);
    await store.flush();
    // ...and then all at once.
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'queries.json'), 'utf8')) as unknown[];
    assert.equal(written.length, 500);
  });
});

describe('the stored query API', () => {
  let waggle: Awaited<ReturnType<typeof startTestWaggle>>;
  before(async () => {
    waggle = await startTestWaggle();
    const now = Date.now();
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /', kind: 2, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 5}000000` }] }] }] };
    const response = await fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200);
    await waggle.ingest.flushNow();
  });
  after(async () => {
    await waggle.stop();
  });

  it('refuses a spec larger than the limit with 413 naming it', async () => {
    const limit = SAVED_LIMITS.storedQuerySpecBytes.value;
    const spec = { calculations: [{ op: 'COUNT' }], filters: [{ column: 'name', op: '=', value: 'x'.repeat(limit) }], time_range: 3600 };
    const response = await fetch(`${waggle.baseUrl}/1/queries/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    assert.equal(response.status, 413);
    const answer = (await response.json()) as { error: string };
    assert.match(answer.error, new RegExp(`^the query spec is \\d+ bytes as JSON, larger than the limit of ${limit} bytes \\(saved\\.storedQuerySpecBytes\\)$`));
  });

  it('takes a spec just under the limit as sent, and names the size the client sent when refusing one', async () => {
    const limit = SAVED_LIMITS.storedQuerySpecBytes.value;
    const specOf = (valueChars: number): Record<string, unknown> => ({ calculations: [{ op: 'COUNT' }], filters: [{ column: 'name', op: '=', value: 'y'.repeat(valueChars) }], time_range: 3600 });
    const send = (spec: Record<string, unknown>): Promise<Response> => fetch(`${waggle.baseUrl}/1/queries/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    const under = specOf(limit - 200);
    assert.ok(Buffer.byteLength(JSON.stringify(under)) <= limit);
    const accepted = await send(under);
    assert.equal(accepted.status, 200, await accepted.clone().text());
    const { id, ...echoed } = (await accepted.json()) as Record<string, unknown>;
    assert.equal(typeof id, 'string');
    assert.deepEqual(echoed, under);
    const over = specOf(limit);
    const refused = await send(over);
    assert.equal(refused.status, 413);
    assert.deepEqual(await refused.json(), {
      error: `the query spec is ${Buffer.byteLength(JSON.stringify(over))} bytes as JSON, larger than the limit of ${limit} bytes (saved.storedQuerySpecBytes)`,
    });
  });

  describe('when the disk holding saved state is full', () => {
    let mounted = false;
    let savedDir = '';
    before(() => {
      savedDir = path.join(waggle.dataDir, 'saved');
      // A 1 MB tmpfs over saved/, filled up (we run as root in CI; skipped where mount is not allowed).
      try {
        fs.mkdirSync(savedDir, { recursive: true });
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', savedDir], { stdio: 'ignore' });
        mounted = true;
        fs.writeFileSync(path.join(savedDir, 'filler'), Buffer.alloc(1024 * 1024 - 4096));
        try {
          fs.writeFileSync(path.join(savedDir, 'filler2'), Buffer.alloc(64 * 1024));
        } catch {
          // full now
        }
      } catch {
        mounted = false;
      }
    });
    after(() => {
      if (mounted) execFileSync('umount', [savedDir], { stdio: 'ignore' });
    });

    it('answers a board save with 503 and a JSON reason, and keeps no half-saved board', async (t) => {
      if (!mounted) return t.skip('cannot mount a tmpfs here (needs root): full-disk case not run');
      const response = await fetch(`${waggle.baseUrl}/1/boards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Checkout' }) });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.deepEqual(await response.json(), { error: 'cannot save to disk (ENOSPC: the disk is full); nothing was changed, retry once there is space' });
      const boards = await fetch(`${waggle.baseUrl}/1/boards`);
      assert.deepEqual(await boards.json(), []);
    });

    it('still answers a query whose spec cannot be written', async (t) => {
      if (!mounted) return t.skip('cannot mount a tmpfs here (needs root): full-disk case not run');
      const response = await fetch(`${waggle.baseUrl}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'shop', q: 'VISUALIZE COUNT WHERE name = "GET /" LIMIT 7' }) });
      assert.equal(response.status, 200);
      const result = (await response.json()) as { query: { id: string }; data: { results: Array<{ data: Record<string, unknown> }> } };
      assert.deepEqual(result.data.results.map((r) => r.data), [{ COUNT: 1 }]);
      // The spec stays usable in this process even though the disk refused it.
      const stored = await fetch(`${waggle.baseUrl}/1/queries/shop/${result.query.id}`);
      assert.equal(stored.status, 200);
    });
  });
});

