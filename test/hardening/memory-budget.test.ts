import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { otlpSpansJson, postOtlpJson } from '../support/otlp-json-spans.js';
import { readPrometheusText, sampleValue } from '../support/prometheus-text-reader.js';
import { until } from '../support/poll-until.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';

/**
 * WAGGLE_MAX_MEMORY_BYTES below what any Node process with DuckDB holds (1 MiB), so that the real
 * process's RSS is over every share of it for the whole test, without faking the reading.
 */
const BUDGET_BELOW_ANY_PROCESS = 1024 * 1024;

const startMs = Date.now() - 60_000;
const spanBody = (span: number, name: string): string => otlpSpansJson('budget', [{ trace: span, span, name, startMs: startMs + span, ms: 5 }]);

async function metric(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return sampleValue(readPrometheusText(text), name, labels);
}

async function storedNames(waggle: { baseUrl: string }): Promise<unknown[]> {
  const { status, body } = await callJson(waggle, 'POST', '/api/query', { dataset: 'budget', q: 'VISUALIZE COUNT GROUP BY name ORDER BY name LAST 1h' });
  assert.equal(status, 200, JSON.stringify(body));
  return (body['data'] as { results: unknown[] }).results;
}

type TestWaggle = Awaited<ReturnType<typeof startTestWaggle>>;

/**
 * One server at a time: every server in the process runs a budget over the same RSS, and another
 * one's collection would take this one's garbage.
 */
async function withWaggle<T>(overrides: Parameters<typeof startTestWaggle>[0], hooks: Parameters<typeof startTestWaggle>[1], run: (waggle: TestWaggle) => Promise<T>): Promise<T> {
  const waggle = await startTestWaggle(overrides, hooks);
  try {
    return await run(waggle);
  } finally {
    await waggle.stop();
    fs.rmSync(waggle.dataDir, { recursive: true, force: true });
  }
}

describe('the process memory budget (WAGGLE_MAX_MEMORY_BYTES)', () => {

  it('answers ingest over the budget with 503 and Retry-After, stores nothing of it, and counts it as refused for memory', async () => {
    // A grace longer than the test: with nothing queued, requests are still refused.
    await withWaggle({ maxMemoryBytes: BUDGET_BELOW_ANY_PROCESS }, { memoryRefuseIngestGraceMs: 3_600_000 }, async (waggle) => {
      const answer = await postOtlpJson(waggle, spanBody(1, 'refused'));
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get('retry-after'), '1');
      assert.deepEqual(await answer.json(), { code: 14, message: 'Waggle is near its memory budget (WAGGLE_MAX_MEMORY_BYTES) and writing earlier data; retry shortly' });
      assert.equal(await metric(waggle.baseUrl, 'waggle_ingest_requests_refused_total', { transport: 'otlp_http', reason: 'memory' }), 1);
      assert.equal(await metric(waggle.baseUrl, 'waggle_memory_budget_bytes'), BUDGET_BELOW_ANY_PROCESS);
      assert.equal(waggle.store.pendingEvents(), 0);
      // Nothing of it was stored: its dataset does not even exist.
      assert.deepEqual(await callJson(waggle, 'POST', '/api/query', { dataset: 'budget', q: 'VISUALIZE COUNT LAST 1h' }), {
        status: 404,
        body: { error: "dataset 'budget' not found: no events have been sent to it" },
      });
    });
  });

  it('refuses while acknowledged events are queued, takes requests again once they are committed, and stores exactly what it acknowledged', async () => {
    // No grace: with nothing of ingest's own queued, a request is taken however high RSS is, so
    // that memory ingest does not hold can never stop ingest for good. A long freshness interval:
    // only the refusal's own commit empties the queue.
    await withWaggle({ maxMemoryBytes: BUDGET_BELOW_ANY_PROCESS, flushIntervalMs: 3_600_000 }, { memoryRefuseIngestGraceMs: 0 }, async (waggle) => {
      assert.equal((await postOtlpJson(waggle, spanBody(1, 'first'))).status, 200);
      assert.equal(waggle.store.pendingEvents(), 1);
      const refused = await postOtlpJson(waggle, spanBody(2, 'refused while queued'));
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      await refused.arrayBuffer();
      // The refusal started a commit of what was queued: ingest takes requests again after it.
      await until('the queued span committed', async () => (waggle.store.pendingEvents() === 0 ? true : null), 30_000, 50);
      assert.equal((await postOtlpJson(waggle, spanBody(3, 'second'))).status, 200);
      await waggle.ingest.flushNow();
      assert.deepEqual(await storedNames(waggle), [{ data: { name: 'first', COUNT: 1 } }, { data: { name: 'second', COUNT: 1 } }]);
      assert.equal(await metric(waggle.baseUrl, 'waggle_ingest_requests_refused_total', { transport: 'otlp_http', reason: 'memory' }), 1);
      assert.equal(await metric(waggle.baseUrl, 'waggle_ingest_requests_acknowledged_total', { transport: 'otlp_http' }), 2);
    });
  });

  it('leaves compaction for later while RSS is over its share, and compacts without a budget', async () => {
    const compactedWith = async (maxMemoryBytes: number): Promise<{ compacted: number; deferred: number | undefined }> => {
      return withWaggle({ maxMemoryBytes }, { memoryRefuseIngestGraceMs: 0 }, async (waggle) => {
        assert.equal((await postOtlpJson(waggle, spanBody(1, 'to compact'))).status, 200);
        await waggle.ingest.flushNow();
        const store = waggle.store;
        assert.ok(store instanceof DuckDbSpanStore);
        await store.sealOpenSegment();
        await store.runLifecycle();
        return { compacted: store.lifecycleStats().compactions, deferred: await metric(waggle.baseUrl, 'waggle_compactions_deferred_total') };
      });
    };
    const over = await compactedWith(BUDGET_BELOW_ANY_PROCESS);
    assert.equal(over.compacted, 0);
    // At least this pass's (the server's own timer may have run a pass too).
    assert.ok((over.deferred ?? 0) >= 1, `deferred ${over.deferred}`);
    assert.deepEqual(await compactedWith(0), { compacted: 1, deferred: 0 });
  });

  it('compacts over its share once ingest has been quiet: what RSS holds then is not what compaction competes with', async () => {
    const compacted = await withWaggle({ maxMemoryBytes: BUDGET_BELOW_ANY_PROCESS }, { memoryRefuseIngestGraceMs: 0, memoryCompactionIngestQuietMs: 300 }, async (waggle) => {
      assert.equal((await postOtlpJson(waggle, spanBody(1, 'to compact when quiet'))).status, 200);
      await waggle.ingest.flushNow();
      const store = waggle.store;
      assert.ok(store instanceof DuckDbSpanStore);
      await store.sealOpenSegment();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await store.runLifecycle();
      return store.lifecycleStats().compactions;
    });
    assert.equal(compacted, 1);
  });

  it("asks V8 to collect its garbage once RSS is over its share and the heap has grown, and the heap shrinks", async () => {
    await withWaggle({ maxMemoryBytes: BUDGET_BELOW_ANY_PROCESS }, { memoryRefuseIngestGraceMs: 0 }, async (waggle) => {
      const collectionsBefore = (await metric(waggle.baseUrl, 'waggle_memory_forced_collections_total')) ?? 0;
      // 96 MiB of garbage (more than memory.collectGarbageGrowthBytes) that nothing references:
      // arrays of 131 072 doubles, 1 MiB each on V8's heap.
      let garbage: number[][] | null = Array.from({ length: 96 }, (_, i) => new Array<number>(131_072).fill(i + 0.5));
      const heapWithGarbage = process.memoryUsage().heapUsed;
      garbage = null;
      assert.equal(garbage, null);
      await until('a collection the budget asked for', async () => ((await metric(waggle.baseUrl, 'waggle_memory_forced_collections_total')) ?? 0) > collectionsBefore ? true : null, 30_000, 50);
      assert.ok(process.memoryUsage().heapUsed < heapWithGarbage - 64 * 1024 * 1024, `heap ${process.memoryUsage().heapUsed} after, ${heapWithGarbage} with the garbage`);
    });
  });
});
