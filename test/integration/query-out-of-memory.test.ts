import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const EVENTS = 100_000;
const OUT_OF_MEMORY_BODY = {
  error:
    "the store ran out of memory running this query (DuckDB's memory limit, WAGGLE_MEMORY_LIMIT, is shared by every query and commit running at the moment, and a query over many millions of spans may need more than all of it); retry shortly, or narrow the query's time range or breakdowns, or give the store more memory (WAGGLE_MAX_MEMORY_BYTES or WAGGLE_MEMORY_LIMIT)",
};

async function post(waggle: Waggle, path: string, body: unknown): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${waggle.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

/**
 * 100 000 events with distinct long trace and user ids are stored under the default memory
 * limit; the same data directory is then opened with a 16 MB limit, where grouping by every
 * trace id needs more than DuckDB may hold (a real "Out of Memory Error" from DuckDB, not a
 * stand-in).
 */
describe('a query that runs the store out of memory answers 503 with Retry-After, and the store keeps answering', () => {
  let waggle: Waggle;
  const nowMs = Date.now();
  before(async () => {
    const loader = await startTestWaggle();
    for (let batch = 0; batch < EVENTS / 5000; batch++) {
      const items = Array.from({ length: 5000 }, (_, i) => ({
        time: new Date(nowMs - 1000 * i).toISOString(),
        data: { 'trace.trace_id': `trace-${batch}-${i}-abcdefghijklmnopqrstuvwxyz`, duration_ms: i, 'user.id': `user-${batch * 5000 + i}-abcdefghijklmnopqrstuvwxyz` },
      }));
      const response = await fetch(`${loader.baseUrl}/1/batch/oom`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
      assert.equal(response.status, 200, await response.text());
    }
    await loader.stop();
    waggle = await startTestWaggle({ dataDir: loader.dataDir, memoryLimit: '16MB' });
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers /1/query_results with 503, Retry-After and a body saying the store is out of memory', async () => {
    const created = await post(waggle, '/1/queries/oom', { time_range: 86_400, calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }], breakdowns: ['trace.trace_id'] });
    assert.equal(created.status, 200);
    assert.deepEqual(await post(waggle, '/1/query_results/oom', { query_id: created.body['id'] }), { status: 503, retryAfter: '1', body: OUT_OF_MEMORY_BODY });
  });

  it('answers a text query on /api/query the same way', async () => {
    assert.deepEqual(await post(waggle, '/api/query', { dataset: 'oom', q: 'VISUALIZE COUNT_DISTINCT(user.id) GROUP BY trace.trace_id LAST 1d' }), {
      status: 503,
      retryAfter: '1',
      body: OUT_OF_MEMORY_BODY,
    });
  });

  it('still answers a query that fits in memory, with every stored event counted', async () => {
    const created = await post(waggle, '/1/queries/oom', { time_range: 86_400, calculations: [{ op: 'COUNT' }] });
    const result = await post(waggle, '/1/query_results/oom', { query_id: created.body['id'] });
    assert.equal(result.status, 201);
    assert.deepEqual((result.body['data'] as { results: unknown[] }).results, [{ data: { COUNT: EVENTS } }]);
  });
});
