import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { readPrometheusText, sampleValue } from '../support/prometheus-text-reader.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/** A read that keeps DuckDB busy for a while (hundreds of ms) and then answers one row. */
const SLOW_SQL = 'SELECT count(DISTINCT (i * 7919) % 10000019) AS n FROM range(5000000) t(i)';
const SLOTS = QUERY_LIMITS.concurrentQueries.value;
const QUEUE = QUERY_LIMITS.queuedQueries.value;

describe('query admission', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('refuses the read beyond running and queued slots with 503, Retry-After and a JSON reason, and runs the queued ones', async () => {
    // Fill every slot and the whole queue with slow reads through the store's one read path...
    const occupying = Array.from({ length: SLOTS + QUEUE }, () => waggle.store.runSql(SLOW_SQL, [], { timeoutMs: 300_000 }));
    // ...then a query, a trace lookup and an autocomplete over HTTP all meet the same full queue.
    const query = await fetch(`${waggle.baseUrl}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: 'VISUALIZE COUNT' }) });
    const trace = await fetch(`${waggle.baseUrl}/api/traces/0123456789abcdef0123456789abcdef`);
    const results = await Promise.all(occupying);
    assert.equal(query.status, 503);
    assert.equal(query.headers.get('retry-after'), '1');
    assert.deepEqual(await query.json(), { error: `too many queries: ${SLOTS} running and ${QUEUE} waiting (the limit); retry shortly` });
    assert.equal(trace.status, 503);
    assert.equal(trace.headers.get('retry-after'), '1');
    // Every admitted read, queued ones included, completed with its answer.
    assert.equal(results.length, SLOTS + QUEUE);
    for (const result of results) assert.deepEqual(result.columns, ['n']);
    // With the queue drained, queries run again.
    const again = await fetch(`${waggle.baseUrl}/api/traces/0123456789abcdef0123456789abcdef`);
    assert.equal(again.status, 404);
    // /metrics saw the same: every queued read left the queue, the two overflows were refused.
    const samples = readPrometheusText(await (await fetch(`${waggle.baseUrl}/metrics`)).text());
    assert.equal(sampleValue(samples, 'waggle_queries_queued_total'), QUEUE);
    assert.equal(sampleValue(samples, 'waggle_queries_waiting'), 0);
    assert.equal(sampleValue(samples, 'waggle_queries_rejected_total'), 2);
    assert.equal(sampleValue(samples, 'waggle_query_queue_wait_seconds_count'), QUEUE);
  });

  it('counts the time spent queued against the query timeout', async () => {
    const blockers = Array.from({ length: SLOTS }, () => waggle.store.runSql(SLOW_SQL, [], { timeoutMs: 300_000 }));
    const queued = waggle.store.runSql('SELECT 1 AS one', [], { timeoutMs: 20 });
    await assert.rejects(queued, { code: 'query_timeout', message: `the query waited 20 ms for one of ${SLOTS} query slots and was not run` });
    await Promise.all(blockers);
  });
});
