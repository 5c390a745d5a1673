import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { hex, otlpAttributes, otlpSpansJson, postOtlpJson, type TestSpan } from '../support/otlp-json-spans.js';
import { SERVER_STORES } from '../support/store-backends.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const NOW_MS = Date.now();

/** A span `offsetMs` before the test started, with its user as an attribute. */
type SpanSpec = Omit<TestSpan, 'startMs' | 'attributes'> & { offsetMs: number; user: string };

function otlpJson(service: string, spans: SpanSpec[]): string {
  return otlpSpansJson(service, spans.map((s) => ({ ...s, startMs: NOW_MS - s.offsetMs, attributes: otlpAttributes({ 'user.id': s.user }) })));
}

interface Found {
  trace_id: string;
  root_name: string | null;
  root_service: string | null;
  duration_ms: number;
  span_count: number;
  error: boolean;
  matched_events: number;
  max_matched_duration_ms: number;
}

async function search(waggle: Waggle, dataset: string, body: unknown): Promise<{ status: number; body: { traces?: Found[]; error?: string } }> {
  const response = await fetch(`${waggle.baseUrl}/api/trace-search/${dataset}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { traces?: Found[]; error?: string } };
}

for (const [storeName, storeConfig] of SERVER_STORES) describe(`trace search API (${storeName} store)`, () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle(storeConfig);
    const web: SpanSpec[] = [];
    const api: SpanSpec[] = [];
    // Traces 1..6, one a minute (trace 1 the newest); users alternate; trace 4 fails; one old trace (3 h ago).
    for (let t = 1; t <= 6; t++) {
      const user = t % 2 === 0 ? 'alice' : 'bob';
      web.push({ trace: t, span: t * 10, name: 'GET /checkout', ms: 100 + t, offsetMs: 60_000 * t, user });
      api.push({ trace: t, span: t * 10 + 1, parent: t * 10, name: 'charge', ms: 40 + t, offsetMs: 60_000 * t - 10, user, error: t === 4 });
      api.push({ trace: t, span: t * 10 + 2, parent: t * 10, name: 'charge', ms: 5, offsetMs: 60_000 * t - 60, user });
    }
    web.push({ trace: 99, span: 990, name: 'GET /old', ms: 10, offsetMs: 3 * 3_600_000, user: 'alice' });
    for (const [service, spans] of [['web', web], ['api', api]] as const) {
      const response = await postOtlpJson(waggle, otlpJson(service, spans));
      assert.equal(response.status, 200);
    }
    await waggle.ingest.flushNow();
  });
  after(async () => {
    await waggle.stop();
  });

  it('lists the traces with a span matching the filters, newest first, summarised whole', async () => {
    const found = await search(waggle, '__all__', { query: { filters: [{ column: 'user.id', op: '=', value: 'alice' }], time_range: 3600 } });
    assert.equal(found.status, 200);
    assert.deepEqual(
      found.body.traces!.map((t) => [t.trace_id, t.root_name, t.root_service, t.span_count, t.error, t.matched_events]),
      [
        [hex(2, 32), 'GET /checkout', 'web', 3, false, 3],
        [hex(4, 32), 'GET /checkout', 'web', 3, true, 3],
        [hex(6, 32), 'GET /checkout', 'web', 3, false, 3],
      ],
    );
    assert.equal(found.body.traces![0]!.duration_ms, 102);
    assert.equal(found.body.traces![0]!.max_matched_duration_ms, 102);
  });

  it('searches one dataset: the spans matching are that dataset’s, the summary is the whole trace', async () => {
    const found = await search(waggle, 'api', { query: { filters: [{ column: 'error', op: '=', value: true }], time_range: 3600 } });
    assert.deepEqual(found.body.traces!.map((t) => [t.trace_id, t.root_name, t.span_count, t.matched_events, t.max_matched_duration_ms]), [[hex(4, 32), 'GET /checkout', 3, 1, 44]]);
  });

  it('keeps to the time range and the limit', async () => {
    const old = await search(waggle, '__all__', { query: { filters: [{ column: 'name', op: '=', value: 'GET /old' }], time_range: 3600 } });
    assert.deepEqual(old.body.traces, []);
    const wider = await search(waggle, '__all__', { query: { filters: [{ column: 'name', op: '=', value: 'GET /old' }], time_range: 4 * 3600 } });
    assert.deepEqual(wider.body.traces!.map((t) => t.trace_id), [hex(99, 32)]);
    // The two slowest matching traces (6 and 5), listed newest first.
    const two = await search(waggle, '__all__', { query: { filters: [{ column: 'service.name', op: '=', value: 'web' }], time_range: 3600 }, limit: 2 });
    assert.deepEqual(two.body.traces!.map((t) => t.trace_id), [hex(5, 32), hex(6, 32)]);
  });

  it('refuses a bad query, limit or body with a 400 that says what is wrong', async () => {
    const unknownColumn = await search(waggle, 'api', { query: { filters: [{ column: 'no.such', op: '=', value: 1 }] } });
    assert.equal(unknownColumn.status, 400);
    assert.match(unknownColumn.body.error!, /no\.such/);
    const badOp = await search(waggle, '__all__', { query: { filters: [{ column: 'user.id', op: 'LIKE', value: "x' OR 1=1 --" }] } });
    assert.equal(badOp.status, 400);
    for (const limit of [0, 1001, 2.5, '20']) {
      const bad = await search(waggle, '__all__', { limit });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error!, /^limit must be an integer from 1 to 1000/);
    }
    assert.equal((await search(waggle, '__all__', [1, 2])).status, 400);
    assert.equal((await search(waggle, '__all__', { query: 'user.id = alice' })).status, 400);
    assert.equal((await search(waggle, 'nope', {})).status, 404);
  });

  it('refuses a body over the spec size limit with 413, and more than 100 filters with 400', async () => {
    const huge = await search(waggle, '__all__', { query: { filters: [{ column: 'user.id', op: '=', value: 'x'.repeat(70 * 1024) }] } });
    assert.equal(huge.status, 413);
    assert.equal(typeof huge.body.error, 'string');
    const many = await search(waggle, '__all__', { query: { filters: Array.from({ length: 101 }, (_, i) => ({ column: 'user.id', op: '=', value: `u${i}` })) } });
    assert.equal(many.status, 400);
    // 100 filters are allowed, even though the search adds one of its own.
    const hundred = await search(waggle, '__all__', { query: { filters: Array.from({ length: 100 }, (_, i) => ({ column: 'user.id', op: '!=', value: `u${i}` })), time_range: 3600 } });
    assert.equal(hundred.status, 200);
    assert.equal(hundred.body.traces!.length, 6);
  });

  it('treats a hostile filter value as a value, not as SQL', async () => {
    const found = await search(waggle, '__all__', { query: { filters: [{ column: 'user.id', op: '=', value: "alice' OR '1'='1" }], time_range: 3600 } });
    assert.equal(found.status, 200);
    assert.deepEqual(found.body.traces, []);
  });
});
