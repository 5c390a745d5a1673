import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';
import { until } from '../support/poll-until.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const GROUPS = 600;
const END_S = Math.floor(Date.now() / 1000) - 60;
const START_S = END_S - 1000;

interface Answer {
  data: { series: Array<{ time: string; data: Record<string, unknown> }>; results: Array<{ data: Record<string, unknown> }>; series_truncated?: boolean };
}

async function run(waggle: Waggle, spec: Record<string, unknown>): Promise<{ status: number; body: Answer }> {
  const created = await callJson(waggle, 'POST', '/1/queries/answers', spec);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return callJson(waggle, 'POST', '/1/query_results/answers', { query_id: created.body.id });
}

describe('query answers bounded in values (issue 9: peak RSS ≤ 1 GiB)', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
    // One event per group g-<n> with n = its rank from the bottom, spread over the range's buckets.
    const events = Array.from({ length: GROUPS }, (_, n) => ({ time: new Date((START_S + 10 + n) * 1000).toISOString(), data: { g: `g-${n}`, n } }));
    const sent = await callJson(waggle, 'POST', '/1/batch/answers', events);
    assert.equal(sent.status, 200);
    await until('the events committed', async () => {
      const { body } = await run(waggle, { start_time: START_S, end_time: END_S, calculations: [{ op: 'COUNT' }] });
      return body.data.results[0]?.data['COUNT'] === GROUPS ? true : null;
    });
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers every result but only the series of the top groups that fit query.seriesValues, with series_truncated', async () => {
    // 1 001 buckets of a second × (1 breakdown + 1 calculation + the time) = 3 003 values a group: 333 groups fit.
    const { status, body } = await run(waggle, { start_time: START_S, end_time: END_S, granularity: 1, breakdowns: ['g'], calculations: [{ op: 'MAX', column: 'n' }], limit: 1000 });
    assert.equal(status, 201);
    const fit = Math.floor(QUERY_LIMITS.seriesValues.value / (1001 * 3));
    assert.equal(fit, 333);
    assert.equal(body.data.results.length, GROUPS);
    assert.deepEqual(body.data.results[0], { data: { g: `g-${GROUPS - 1}`, 'MAX(n)': GROUPS - 1 } });
    assert.equal(body.data.series_truncated, true);
    const seriesGroups = new Set(body.data.series.map((point) => point.data['g']));
    assert.deepEqual([...seriesGroups].sort(), Array.from({ length: fit }, (_, i) => `g-${GROUPS - 1 - i}`).sort());
    assert.equal(body.data.series.length, fit);
  });

  it('answers every group its series, without series_truncated, when they fit', async () => {
    // 101 buckets of 10 s: 303 values a group, 3 300 groups fit.
    const { status, body } = await run(waggle, { start_time: START_S, end_time: END_S, granularity: 10, breakdowns: ['g'], calculations: [{ op: 'MAX', column: 'n' }], limit: 1000 });
    assert.equal(status, 201);
    assert.equal(body.data.results.length, GROUPS);
    assert.equal(body.data.series_truncated, undefined);
    assert.equal(new Set(body.data.series.map((point) => point.data['g'])).size, GROUPS);
  });

  it('refuses a spec whose results would hold more than query.resultValues, naming limit', async () => {
    const calculations = Array.from({ length: 100 }, (_, i) => ({ op: 'HEATMAP', column: `h${i}` }));
    const calculated_fields = calculations.map((c, i) => ({ name: c.column, expression: `SUM($n, ${i})` }));
    const created = await callJson(waggle, 'POST', '/1/queries/answers', { start_time: START_S, end_time: END_S, breakdowns: ['g'], calculations, calculated_fields });
    assert.equal(created.status, 200);
    const refused = await callJson(waggle, 'POST', '/1/query_results/answers', { query_id: created.body.id, disable_series: true, limit: 10_000 });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.field, 'limit');
    assert.match(refused.body.error, /is 50010000 values, more than one answer holds \(query\.resultValues: 1000000\)/);
  });
});
