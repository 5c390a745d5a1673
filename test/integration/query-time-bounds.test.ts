import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const MAX_RANGE = 3_153_600_000; // 100 years
const MAX_TIMESTAMP = 9_214_646_400; // 2262-01-01T00:00:00Z

describe('query times the engine cannot represent are refused with 400, and the largest accepted ones run', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${waggle.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function runSpec(spec: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const created = await post('/1/queries/__all__', spec);
    if (created.status !== 200) return created;
    return post('/1/query_results/__all__', { query_id: created.body['id'] });
  }

  it('refuses a time_range beyond 100 years when the query is stored, not with a 500 when it runs', async () => {
    assert.deepEqual(await post('/1/queries/__all__', { time_range: 1_000_000_000_000 }), {
      status: 400,
      body: { error: 'time_range: must be at most 3153600000 seconds (100 years), got 1000000000000', field: 'time_range' },
    });
  });

  it('refuses start_time and end_time after 2262, and windows reaching past it', async () => {
    assert.deepEqual(await post('/1/queries/__all__', { start_time: 0, end_time: 99_999_999_999 }), {
      status: 400,
      body: { error: 'end_time: must be at most 9214646400 (2262-01-01T00:00:00Z), got 99999999999', field: 'end_time' },
    });
    assert.deepEqual(await post('/1/queries/__all__', { start_time: MAX_TIMESTAMP - 10, time_range: 60 }), {
      status: 400,
      body: { error: 'time_range: start_time + time_range must be at most 9214646400 (2262-01-01T00:00:00Z), got 9214646450', field: 'time_range' },
    });
    assert.deepEqual(await post('/1/queries/__all__', { start_time: 0, end_time: MAX_RANGE + 1 }), {
      status: 400,
      body: { error: 'end_time: must be at most 3153600000 seconds (100 years) after start_time, got 3153600001', field: 'end_time' },
    });
  });

  it('refuses LAST, FROM .. TO and GRANULARITY beyond the bounds in a text query, with the position', async () => {
    assert.deepEqual(await post('/api/query', { q: 'LAST 100000w' }), {
      status: 400,
      body: { error: 'at 5: time_range: must be at most 3153600000 seconds (100 years), got 60480000000', field: 'time_range', position: 5 },
    });
    assert.deepEqual(await post('/api/query', { q: 'VISUALIZE COUNT FROM 0 TO 9999999999' }), {
      status: 400,
      body: { error: 'at 26: end_time: must be at most 9214646400 (2262-01-01T00:00:00Z), got 9999999999', field: 'end_time', position: 26 },
    });
    assert.deepEqual(await post('/api/query', { q: 'LAST 1h GRANULARITY 100000w' }), {
      status: 400,
      body: { error: 'at 20: granularity: must not exceed time_range (3600)', field: 'granularity', position: 20 },
    });
  });

  it('runs the largest accepted windows', async () => {
    for (const spec of [
      { time_range: MAX_RANGE },
      { time_range: MAX_RANGE, granularity: MAX_RANGE / 1000 },
      { start_time: MAX_TIMESTAMP - MAX_RANGE, end_time: MAX_TIMESTAMP },
      { start_time: 0, time_range: MAX_RANGE, granularity: MAX_RANGE },
      { end_time: MAX_RANGE, time_range: MAX_RANGE },
    ]) {
      const result = await runSpec(spec);
      assert.equal(result.status, 201, `${JSON.stringify(spec)}: ${JSON.stringify(result.body)}`);
      assert.deepEqual((result.body['data'] as { results: unknown[] }).results, [{ data: { COUNT: 0 } }]);
    }
    const text = await post('/api/query', { q: 'VISUALIZE COUNT LAST 5214w GRANULARITY 37d' });
    assert.equal(text.status, 200, JSON.stringify(text.body));
  });
});
