import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callJson as call, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/** Runs a spec through Honeycomb's two-step Query Data API and answers the results rows. */
async function results(waggle: Waggle, dataset: string, spec: unknown): Promise<{ status: number; body: any }> {
  const query = await call(waggle, 'POST', `/1/queries/${dataset}`, spec);
  if (query.status !== 200) return query;
  const result = await call(waggle, 'POST', `/1/query_results/${dataset}`, { query_id: query.body.id, disable_series: true });
  return { status: result.status, body: result.body.data.results.map((r: { data: unknown }) => r.data) };
}

describe('calculated fields (derived columns)', () => {
  let waggle: Waggle;
  const nowS = Math.floor(Date.now() / 1000);
  before(async () => {
    waggle = await startTestWaggle();
    const events = [
      { duration_ms: 900, name: 'POST /checkout', error: true, 'user.id': 'ada' },
      { duration_ms: 1200, name: 'POST /checkout', error: false, 'user.id': 'ada' },
      { duration_ms: 80, name: 'POST /checkout', error: false, 'user.id': 'bob' },
      { duration_ms: 40, name: 'GET /cart', error: false, 'user.id': 'bob' },
    ].map((data, i) => ({ data, time: new Date((nowS - 60 + i) * 1000).toISOString() }));
    const sent = await fetch(`${waggle.baseUrl}/1/batch/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    assert.equal(sent.status, 200);
    await sent.arrayBuffer();
    // Acknowledged events are readable within the freshness promise; wait for them.
    for (let i = 0; i < 50; i++) {
      const count = await results(waggle, 'shop', { time_range: 600 });
      if (count.status === 200 && count.body[0]?.COUNT === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await waggle.stop();
  });

  it('creates a derived column and groups a query by it', async () => {
    const created = await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'speed', expression: 'IF(GT($duration_ms, 500), "slow", "ok")', description: 'slow above 500 ms' });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ['alias', 'created_at', 'description', 'expression', 'id', 'updated_at']);
    const grouped = await results(waggle, 'shop', { time_range: 600, breakdowns: ['speed'], calculations: [{ op: 'COUNT' }], orders: [{ column: 'speed', order: 'ascending' }] });
    assert.equal(grouped.status, 201);
    assert.deepEqual(grouped.body, [{ speed: 'ok', COUNT: 2 }, { speed: 'slow', COUNT: 2 }]);
  });

  it('uses a derived column in filters, calculations and by alias', async () => {
    await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'dur_s', expression: 'DIV($duration_ms, 1000)' });
    const found = await call(waggle, 'GET', '/1/derived_columns/shop?alias=dur_s');
    assert.equal(found.status, 200);
    assert.equal(found.body.expression, 'DIV($duration_ms, 1000)');
    assert.equal(found.body.type, 'float');
    const max = await results(waggle, 'shop', { time_range: 600, calculations: [{ op: 'MAX', column: 'dur_s' }], filters: [{ column: 'speed', op: '=', value: 'slow' }] });
    assert.deepEqual(max.body, [{ 'MAX(dur_s)': 1.2 }]);
  });

  it('runs an ad-hoc query with its own calculated_fields', async () => {
    const spec = { time_range: 600, calculated_fields: [{ name: 'is_ada', expression: 'EQUALS($user.id, "ada")' }], breakdowns: ['is_ada'], orders: [{ column: 'is_ada', order: 'ascending' }] };
    const r = await results(waggle, 'shop', spec);
    assert.deepEqual(r.body, [{ is_ada: false, COUNT: 2 }, { is_ada: true, COUNT: 2 }]);
  });

  it('answers a type error with 400 and the position', async () => {
    const bad = await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'broken', expression: 'IF(GT($duration_ms, 500), "slow", 1)' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.position, 34);
    assert.equal(bad.body.field, 'expression');
    const adhoc = await call(waggle, 'POST', '/1/queries/shop', { calculated_fields: [{ name: 'x', expression: 'SUM($nope, 1)' }], breakdowns: ['x'] });
    assert.equal(adhoc.status, 400);
    assert.equal(adhoc.body.position, 4);
    assert.equal(adhoc.body.field, 'calculated_fields[0].expression');
  });

  it('refuses an alias that is already a column, or already a derived column', async () => {
    assert.equal((await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'name', expression: '1' })).status, 409);
    assert.equal((await call(waggle, 'POST', '/1/derived_columns/shop', { alias: 'speed', expression: '1' })).status, 409);
  });

  it('updates and deletes; a deleted field is no longer a column', async () => {
    const { body } = await call(waggle, 'GET', '/1/derived_columns/shop?alias=dur_s');
    const updated = await call(waggle, 'PUT', `/1/derived_columns/shop/${body.id}`, { alias: 'dur_s', expression: 'MUL($duration_ms, 2)' });
    assert.equal(updated.status, 200);
    assert.deepEqual((await results(waggle, 'shop', { time_range: 600, calculations: [{ op: 'MAX', column: 'dur_s' }] })).body, [{ 'MAX(dur_s)': 2400 }]);
    assert.equal((await call(waggle, 'DELETE', `/1/derived_columns/shop/${body.id}`)).status, 204);
    const gone = await call(waggle, 'POST', '/1/queries/shop', { calculations: [{ op: 'MAX', column: 'dur_s' }] });
    assert.equal(gone.status, 400);
  });

  it('makes an environment-wide (__all__) field usable in every dataset and in autocomplete', async () => {
    assert.equal((await call(waggle, 'POST', '/1/derived_columns/__all__', { alias: 'is_checkout', expression: 'STARTS_WITH($name, "POST /checkout")' })).status, 201);
    const r = await results(waggle, 'shop', { time_range: 600, filters: [{ column: 'is_checkout', op: '=', value: true }] });
    assert.deepEqual(r.body, [{ COUNT: 3 }]);
    const complete = await call(waggle, 'GET', '/api/autocomplete?dataset=shop&q=' + encodeURIComponent('VISUALIZE COUNT GROUP BY is_'));
    assert.ok(complete.body.completions.some((c: { label?: string; text?: string }) => (c.label ?? c.text) === 'is_checkout'), JSON.stringify(complete.body));
  });
});
