/**
 * GET /api/raw-events over a real server and real ingested spans: the events behind a query's
 * filters and time range, newest first, paged, as JSON or CSV; bad input answered 400 with JSON.
 * Also the autocomplete API after a bare relational prefix (`root.`), which answered nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { hex, otlpAttributes, otlpSpansJson, postOtlpJson, type TestSpan } from '../support/otlp-json-spans.js';
import { SERVER_STORES } from '../support/store-backends.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const NOW_MS = Date.now();

/** A span `agoMs` before the test started, its attributes as plain values. */
type Span = Omit<TestSpan, 'startMs' | 'attributes'> & { agoMs: number; attributes: Record<string, string | number> };

function otlpJson(service: string, spans: Span[]): string {
  return otlpSpansJson(service, spans.map((s) => ({ ...s, startMs: NOW_MS - s.agoMs, attributes: otlpAttributes(s.attributes) })));
}

interface Page {
  columns: string[];
  events: Array<Record<string, unknown>>;
  limit: number;
  offset: number;
  has_more: boolean;
  columns_truncated: boolean;
}

async function rawEvents(waggle: Waggle, params: Record<string, string>): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${waggle.baseUrl}/api/raw-events?${new URLSearchParams(params).toString()}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

for (const [storeName, storeConfig] of SERVER_STORES) describe(`raw events API (${storeName} store)`, () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle(storeConfig);
    // Trace t: a root in "shop" (route /r<t>) t minutes ago, and a child in "db" 10 ms later.
    const shop: Span[] = [];
    const db: Span[] = [];
    for (let t = 1; t <= 5; t++) {
      shop.push({ trace: t, span: t * 10, name: `GET /r${t}`, ms: 100 + t, agoMs: t * 60_000, attributes: { 'http.route': `/r${t}`, 'user.id': t === 3 ? '=HYPERLINK("http://evil","x")' : `u-${t}` } });
      db.push({ trace: t, span: t * 10 + 1, parent: t * 10, name: 'SELECT', ms: 5, agoMs: t * 60_000 - 10, attributes: { 'db.rows': t === 2 ? -7 : t, 'db.statement': t === 4 ? 'SELECT "a",\nb' : 'SELECT 1' } });
    }
    for (const [service, spans] of [['shop', shop], ['db', db]] as const) {
      const response = await postOtlpJson(waggle, otlpJson(service, spans));
      assert.equal(response.status, 200);
    }
    await waggle.ingest.flushNow();
  });
  after(async () => {
    await waggle.stop();
  });

  it('lists the events behind a query, newest first, with the asked columns and exact values', async () => {
    const answer = await rawEvents(waggle, { dataset: 'shop', q: 'VISUALIZE P95(duration_ms) WHERE http.route != "/r2" LAST 1h', columns: 'name,duration_ms,user.id,trace.span_id' });
    assert.equal(answer.status, 200);
    const page = JSON.parse(answer.text) as Page;
    assert.deepEqual(page.columns, ['timestamp', 'name', 'duration_ms', 'user.id', 'trace.span_id']);
    assert.deepEqual(
      page.events.map((e) => [e['name'], e['duration_ms'], e['user.id'], e['trace.span_id']]),
      [
        ['GET /r1', 101, 'u-1', hex(10, 16)],
        ['GET /r3', 103, '=HYPERLINK("http://evil","x")', hex(30, 16)],
        ['GET /r4', 104, 'u-4', hex(40, 16)],
        ['GET /r5', 105, 'u-5', hex(50, 16)],
      ],
    );
    assert.equal(page.events[0]!['timestamp'], new Date(NOW_MS - 60_000).toISOString().replace('Z', '000000Z'));
    assert.deepEqual([page.limit, page.offset, page.has_more, page.columns_truncated], [100, 0, false, false]);
  });

  it('pages by limit and offset and says whether more follow', async () => {
    const first = JSON.parse((await rawEvents(waggle, { dataset: 'db', q: 'LAST 1h', columns: 'db.rows', limit: '2' })).text) as Page;
    const second = JSON.parse((await rawEvents(waggle, { dataset: 'db', q: 'LAST 1h', columns: 'db.rows', limit: '2', offset: '4' })).text) as Page;
    assert.deepEqual(first.events.map((e) => e['db.rows']), [1, -7]);
    assert.equal(first.has_more, true);
    assert.deepEqual(second.events.map((e) => e['db.rows']), [5]);
    assert.equal(second.has_more, false);
  });

  it('applies relational filters (root.) across datasets', async () => {
    const page = JSON.parse((await rawEvents(waggle, { dataset: 'db', q: 'WHERE root.http.route = "/r4" LAST 1h', columns: 'db.statement' })).text) as Page;
    assert.deepEqual(page.events.map((e) => e['db.statement']), ['SELECT "a",\nb']);
  });

  it('reads root. and parent. columns of each event', async () => {
    const page = JSON.parse((await rawEvents(waggle, { dataset: 'db', q: 'WHERE db.rows >= 4 LAST 1h', columns: 'db.rows,root.http.route,parent.user.id' })).text) as Page;
    assert.deepEqual(page.events.map((e) => [e['db.rows'], e['root.http.route'], e['parent.user.id']]), [[4, '/r4', 'u-4'], [5, '/r5', 'u-5']]);
  });

  it('by default shows the dataset\'s own columns, core columns first', async () => {
    const page = JSON.parse((await rawEvents(waggle, { dataset: 'db', q: 'LAST 1h', limit: '1' })).text) as Page;
    assert.deepEqual(page.columns.slice(0, 3), ['timestamp', 'duration_ms', 'trace.trace_id']);
    assert.ok(page.columns.includes('db.rows') && page.columns.includes('db.statement'));
    assert.ok(!page.columns.includes('http.route'), 'a column of another dataset is not listed');
    assert.ok(!page.columns.some((c) => c.startsWith('network.')), 'derived columns are not computed unasked');
  });

  it('exports CSV with quotes, commas, line breaks and formula text escaped as spreadsheets expect', async () => {
    const shop = await rawEvents(waggle, { dataset: 'shop', q: 'WHERE http.route = "/r3" LAST 1h', columns: 'name,user.id', format: 'csv' });
    assert.equal(shop.status, 200);
    assert.equal(shop.type, 'text/csv; charset=utf-8');
    const timestamp = new Date(NOW_MS - 180_000).toISOString().replace('Z', '000000Z');
    assert.equal(shop.text, `timestamp,name,user.id\r\n${timestamp},GET /r3,"'=HYPERLINK(""http://evil"",""x"")"\r\n`);
    const db = await rawEvents(waggle, { dataset: 'db', q: 'WHERE db.rows <= 2 OR db.rows = 4 LAST 1h', columns: 'db.rows,db.statement', format: 'csv' });
    const lines = db.text.split('\r\n').map((l) => l.slice(l.indexOf(',') + 1));
    assert.deepEqual(lines, ['db.rows,db.statement', '1,SELECT 1', '-7,SELECT 1', '4,"SELECT ""a"",\nb"', '']);
  });

  it('answers bad input with 400 and a JSON error naming the problem', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ q: 'VISUALIZE P95(', dataset: 'shop' }, /column/],
      [{ q: 'WHERE nope = 1', dataset: 'shop' }, /nope/],
      [{ dataset: 'shop', columns: 'name,nope' }, /nope/],
      [{ dataset: 'shop', limit: '0' }, /limit: a whole number from 1 to 10000/],
      [{ dataset: 'shop', limit: '10001' }, /query\.rawEventsRows/],
      [{ dataset: 'shop', limit: '1e3' }, /limit/],
      [{ dataset: 'shop', offset: '-1' }, /offset/],
      [{ dataset: 'shop', offset: '100001' }, /query\.rawEventsOffset/],
      [{ dataset: 'shop', format: 'xml' }, /format: json or csv/],
      [{ dataset: 'shop', columns: Array.from({ length: 201 }, (_, i) => `c${i}`).join(',') }, /at most 200/],
      [{ dataset: 'shop', q: 'WHERE name = "x" OR', columns: 'name' }, /./],
      [{ dataset: 'shop', columns: '__proto__' }, /__proto__/],
      [{ dataset: 'shop', columns: 'any.name' }, /only allowed in filters/],
    ];
    for (const [params, message] of cases) {
      const answer = await rawEvents(waggle, params);
      assert.equal(answer.status, 400, JSON.stringify(params));
      assert.match(answer.type ?? '', /application\/json/);
      assert.match(String((JSON.parse(answer.text) as { error: string }).error), message, JSON.stringify(params));
    }
    const missing = await rawEvents(waggle, { dataset: 'no-such-dataset' });
    assert.equal(missing.status, 404);
  });

  it('completes columns after a bare root. in the autocomplete API', async () => {
    const q = 'VISUALIZE COUNT GROUP BY root.';
    const response = await fetch(`${waggle.baseUrl}/api/autocomplete?dataset=shop&q=${encodeURIComponent(q)}&cursor=${q.length}`);
    const answer = (await response.json()) as { completions: Array<{ label: string; replaceFrom: number; replaceTo: number }> };
    assert.ok(answer.completions.some((c) => c.label === 'root.http.route' && c.replaceFrom === 25 && c.replaceTo === 30), JSON.stringify(answer.completions.slice(0, 3)));
  });
});
