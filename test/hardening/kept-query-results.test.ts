import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const USERS = 2000;
/** ~1 KB a group: each result of the breakdown below is ~2 MB of JSON, so a few pass query.cachedResultBytes. */
const userId = (n: number): string => `user-${String(n).padStart(5, '0')}-${'x'.repeat(1000)}`;

async function postJson(waggle: Waggle, path: string, body: unknown): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(waggle.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('query results kept for GET /1/query_results/:dataset/:id', () => {
  let waggle: Waggle;
  let queryId: string;
  before(async () => {
    waggle = await startTestWaggle();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const events = Array.from({ length: USERS }, (_, n) => ({ time: new Date((nowSeconds - 60) * 1000).toISOString(), data: { 'user.id': userId(n), duration_ms: n } }));
    const batch = await postJson(waggle, '/1/batch/kept', events);
    assert.equal(batch.status, 200, batch.bytes.toString('utf8'));
    await waggle.ingest.flushNow();
    const created = await postJson(waggle, '/1/queries/kept', { time_range: 3600, calculations: [{ op: 'COUNT' }], breakdowns: ['user.id'] });
    assert.equal(created.status, 200, created.bytes.toString('utf8'));
    queryId = (JSON.parse(created.bytes.toString('utf8')) as { id: string }).id;
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers a result by id with the very bytes its POST answered', async () => {
    const posted = await postJson(waggle, '/1/query_results/kept', { query_id: queryId, disable_series: true, limit: USERS });
    assert.equal(posted.status, 201);
    const result = JSON.parse(posted.bytes.toString('utf8')) as { id: string; data: { results: unknown[] } };
    assert.equal(result.data.results.length, USERS);
    const polled = await fetch(`${waggle.baseUrl}/1/query_results/kept/${result.id}`);
    assert.equal(polled.status, 200);
    assert.equal(polled.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(Buffer.from(await polled.arrayBuffer()), posted.bytes);
  });

  it('forgets the oldest results once their JSON passes query.cachedResultBytes, though fewer than query.keptResults', async () => {
    const answers: Array<{ id: string; bytes: number }> = [];
    // ~2 MB each: 10 of them pass the 16 MiB bound, far from the 1 000 results the count allows.
    for (let i = 0; i < 10; i++) {
      const posted = await postJson(waggle, '/1/query_results/kept', { query_id: queryId, disable_series: true, limit: USERS });
      assert.equal(posted.status, 201);
      answers.push({ id: (JSON.parse(posted.bytes.toString('utf8')) as { id: string }).id, bytes: posted.bytes.length });
    }
    // The newest results whose JSON fits the bound together are kept; every older one is not.
    let kept = 0;
    let bytes = 0;
    for (let i = answers.length - 1; i >= 0 && bytes + answers[i]!.bytes <= QUERY_LIMITS.cachedResultBytes.value; i--) {
      bytes += answers[i]!.bytes;
      kept += 1;
    }
    assert.equal(kept, 8, `each answer is ${answers[0]!.bytes} bytes`);
    const statuses = await Promise.all(answers.map(async ({ id }) => (await fetch(`${waggle.baseUrl}/1/query_results/kept/${id}`)).status));
    assert.deepEqual(statuses, [404, 404, 200, 200, 200, 200, 200, 200, 200, 200]);
    const forgotten = await fetch(`${waggle.baseUrl}/1/query_results/kept/${answers[0]!.id}`);
    assert.deepEqual(await forgotten.json(), {
      error: `no query result ${answers[0]!.id}: results are kept for the last 1000 queries and 16 MiB of answers (query.cachedResults, query.cachedResultBytes); create it again with POST /1/query_results`,
    });
  });
});
