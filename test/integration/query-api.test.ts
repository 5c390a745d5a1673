import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runWaggle } from '../support/waggle-process.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { otlpAttributes, otlpSpansJson, postOtlpJson, type TestSpan } from '../support/otlp-json-spans.js';
import { chdbTestDirectory } from '../support/chdb-test-store.js';
import type { WaggleConfig } from '../../src/server/waggle-config.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const NOW_MS = Date.now();

/** A span `offsetMs` before the test started, with its user and route as attributes. */
type SpanSpec = Omit<TestSpan, 'startMs' | 'attributes'> & { offsetMs: number; user?: string; route?: string };

function otlpJson(service: string, spans: SpanSpec[]): string {
  return otlpSpansJson(
    service,
    spans.map((s) => ({ ...s, startMs: NOW_MS - s.offsetMs, attributes: otlpAttributes({ ...(s.user ? { 'user.id': s.user } : {}), ...(s.route ? { 'http.route': s.route } : {}) }) })),
  );
}

async function post(waggle: Waggle, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(waggle.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

// Everything a user does, on each store: the default DuckDB, and ClickHouse embedded through chdb.
const STORES: ReadonlyArray<[string, Partial<WaggleConfig>]> = [
  ['duckdb', {}],
  ['clickhouse', { store: 'clickhouse', clickhouseUrl: `chdb:${chdbTestDirectory()}` }],
];

for (const [name, store] of STORES) {
  describe(`query API over real ingested spans (${name} store)`, () => {
    let waggle: Waggle;
    before(async () => {
      waggle = await startTestWaggle(store);
      const frontend: SpanSpec[] = [];
      const api: SpanSpec[] = [];
      // 6 traces: frontend root → api child. alice is always slow; trace 6 fails.
      for (let t = 1; t <= 6; t++) {
        const user = t % 2 === 0 ? 'alice' : t % 3 === 0 ? 'bob' : "o'hara \"q\"";
        const slow = user === 'alice' ? 10 : 1;
        frontend.push({ trace: t, span: t * 10, name: 'GET /checkout', ms: 100 * slow, offsetMs: 60_000 * t, user, route: '/checkout' });
        api.push({ trace: t, span: t * 10 + 1, parent: t * 10, name: 'charge', ms: 50 * slow, offsetMs: 60_000 * t - 10, user, route: '/charge', error: t === 6 });
      }
      for (const [service, spans] of [['frontend', frontend], ['api', api]] as const) {
        const response = await postOtlpJson(waggle, otlpJson(service, spans));
        assert.equal(response.status, 200);
      }
      await waggle.ingest.flushNow();
    });
    after(async () => {
      await waggle.stop();
    });

    it('creates a query, runs it and polls its result, Honeycomb style', async () => {
      const created = await post(waggle, '/1/queries/__all__', {
        calculations: [{ op: 'COUNT' }, { op: 'MAX', column: 'duration_ms' }],
        breakdowns: ['service.name'],
        orders: [{ column: 'service.name', order: 'ascending' }],
        time_range: 3600,
      });
      assert.equal(created.status, 200);
      assert.equal(typeof created.body['id'], 'string');
      const again = await post(waggle, '/1/queries/__all__', {
        calculations: [{ op: 'COUNT' }, { op: 'MAX', column: 'duration_ms' }],
        breakdowns: ['service.name'],
        orders: [{ column: 'service.name', order: 'ascending' }],
        time_range: 3600,
      });
      assert.equal(again.body['id'], created.body['id']);
      const fetched = await (await fetch(`${waggle.baseUrl}/1/queries/__all__/${created.body['id']}`)).json();
      assert.deepEqual((fetched as { breakdowns: string[] }).breakdowns, ['service.name']);

      const started = await post(waggle, '/1/query_results/__all__', { query_id: created.body['id'], disable_series: true });
      assert.equal(started.status, 201);
      const polled = (await (await fetch(`${waggle.baseUrl}/1/query_results/__all__/${started.body['id']}`)).json()) as {
        complete: boolean;
        data: { results: Array<{ data: Record<string, unknown> }>; series: unknown[] };
        links: { query_url: string };
      };
      assert.equal(polled.complete, true);
      assert.deepEqual(polled.data.results, [
        { data: { 'service.name': 'api', COUNT: 6, 'MAX(duration_ms)': 500 } },
        { data: { 'service.name': 'frontend', COUNT: 6, 'MAX(duration_ms)': 1000 } },
      ]);
      assert.deepEqual(polled.data.series, []);
      assert.equal(polled.links.query_url.startsWith(`http://localhost:${waggle.ports.http}/query?dataset=__all__&q=VISUALIZE%20COUNT`), true, polled.links.query_url);
    });

    it('groups by a derived column (calculated field) compiled for the store', async () => {
      const created = await post(waggle, '/1/derived_columns/api', { alias: 'speed', expression: 'IF(GT($duration_ms, 400), "slow", "ok")' });
      assert.equal(created.status, 201);
      const { status, body } = await post(waggle, '/api/query', { dataset: 'api', q: 'VISUALIZE COUNT, MAX(duration_ms) GROUP BY speed ORDER BY speed LAST 1h' });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual((body['data'] as { results: unknown[] }).results, [
        { data: { speed: 'ok', COUNT: 3, 'MAX(duration_ms)': 50 } },
        { data: { speed: 'slow', COUNT: 3, 'MAX(duration_ms)': 500 } },
      ]);
      assert.equal((await post(waggle, '/1/derived_columns/api', { alias: 'slow_flag', expression: 'GT($duration_ms, 400)' })).status, 201);
      const flagged = await post(waggle, '/api/query', { dataset: 'api', q: 'VISUALIZE COUNT GROUP BY slow_flag ORDER BY slow_flag LAST 1h' });
      assert.equal(flagged.status, 200, JSON.stringify(flagged.body));
      assert.deepEqual((flagged.body['data'] as { results: unknown[] }).results, [{ data: { slow_flag: false, COUNT: 3 } }, { data: { slow_flag: true, COUNT: 3 } }]);
    });

    it('answers "latency by user id" with exact percentiles, slowest user first', async () => {
      const { status, body } = await post(waggle, '/api/query', {
        dataset: 'api',
        q: 'VISUALIZE P95(duration_ms), COUNT GROUP BY user.id ORDER BY P95(duration_ms) DESC LAST 1h',
      });
      assert.equal(status, 200);
      const results = (body['data'] as { results: Array<{ data: Record<string, unknown> }> }).results;
      assert.deepEqual(results, [
        { data: { 'user.id': 'alice', 'P95(duration_ms)': 500, COUNT: 3 } },
        { data: { 'user.id': 'bob', 'P95(duration_ms)': 50, COUNT: 1 } },
        { data: { 'user.id': "o'hara \"q\"", 'P95(duration_ms)': 50, COUNT: 2 } },
      ]);
    });

    it('filters by quoted values without any SQL escaping trouble', async () => {
      const { body } = await post(waggle, '/api/query', { dataset: 'api', q: 'VISUALIZE COUNT WHERE user.id = "o\'hara \\"q\\"" LAST 1h' });
      assert.deepEqual((body['data'] as { results: unknown[] }).results, [{ data: { COUNT: 2 } }]);
      const injection = await post(waggle, '/api/query', { dataset: 'api', q: "VISUALIZE COUNT WHERE user.id = \"'); DROP TABLE waggle_columns; --\" LAST 1h" });
      assert.equal(injection.status, 200);
      assert.deepEqual((injection.body['data'] as { results: unknown[] }).results, [{ data: { COUNT: 0 } }]);
      const columns = await fetch(`${waggle.baseUrl}/1/columns/api`);
      assert.equal(columns.status, 200);
    });

    it('groups by the root span of each trace', async () => {
      const { body } = await post(waggle, '/api/query', { dataset: 'api', q: 'VISUALIZE COUNT GROUP BY root.name, root.service.name LAST 1h' });
      assert.deepEqual((body['data'] as { results: unknown[] }).results, [{ data: { 'root.name': 'GET /checkout', 'root.service.name': 'frontend', COUNT: 6 } }]);
    });

    it('counts errors and finds traces with any failing span', async () => {
      const { body } = await post(waggle, '/api/query', { dataset: 'frontend', q: 'VISUALIZE COUNT WHERE any.error = true LAST 1h' });
      assert.deepEqual((body['data'] as { results: unknown[] }).results, [{ data: { COUNT: 1 } }]);
    });

    it('refuses an invalid spec with 400 naming the field', async () => {
      const { status, body } = await post(waggle, '/1/queries/api', { calculations: [{ op: 'P42', column: 'duration_ms' }] });
      assert.equal(status, 400);
      assert.equal(body['field'], 'calculations[0].op');
      assert.match(String(body['error']), /P42/);
    });

    it('points at the nearest column name for a typo in a text query', async () => {
      const { status, body } = await post(waggle, '/api/query', { dataset: 'api', q: 'VISUALIZE COUNT GROUP BY usr.id' });
      assert.equal(status, 400);
      assert.match(String(body['error']), /no column usr\.id; did you mean user\.id\?/);
      assert.equal(body['position'], 25);
    });

    it('answers 404 for an unknown dataset', async () => {
      const { status, body } = await post(waggle, '/api/query', { dataset: 'nope', q: 'VISUALIZE COUNT' });
      assert.equal(status, 404);
      assert.match(String(body['error']), /dataset 'nope' not found/);
    });

    it('lists columns with their types, and one column by key_name', async () => {
      const columns = (await (await fetch(`${waggle.baseUrl}/1/columns/api`)).json()) as Array<Record<string, unknown>>;
      const byName = Object.fromEntries(columns.map((c) => [c['key_name'], c['type']]));
      assert.equal(byName['user.id'], 'string');
      assert.equal(byName['duration_ms'], 'float');
      assert.equal(byName['error'], 'boolean');
      const one = (await (await fetch(`${waggle.baseUrl}/1/columns/api?key_name=http.route`)).json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(one).sort(), ['created_at', 'description', 'hidden', 'id', 'key_name', 'last_written', 'type', 'updated_at']);
      assert.equal(one['key_name'], 'http.route');
      const datasets = (await (await fetch(`${waggle.baseUrl}/1/datasets`)).json()) as Array<{ name: string }>;
      assert.deepEqual(datasets.map((d) => d.name), ['api', 'frontend']);
    });

    it('completes column values and operators', async () => {
      const q = 'VISUALIZE COUNT WHERE user.id = ';
      const answer = (await (await fetch(`${waggle.baseUrl}/api/autocomplete?dataset=api&q=${encodeURIComponent(q)}&cursor=${q.length}`)).json()) as {
        completions: Array<{ label: string; kind: string }>;
      };
      assert.deepEqual(answer.completions.filter((c) => c.kind === 'value').map((c) => c.label), ['alice', "o'hara \"q\"", 'bob']);
    });

    it('saves a query with a name and finds it again after a restart, then updates and deletes it', async () => {
      const created = await post(waggle, '/1/queries/api', { calculations: [{ op: 'P95', column: 'duration_ms' }, { op: 'COUNT' }], breakdowns: ['user.id'] });
      const saved = await post(waggle, '/1/query_annotations/api', { name: 'Latency by user id', description: 'who waits', query_id: created.body['id'] });
      assert.equal(saved.status, 201);
      const board = await post(waggle, '/1/boards', { name: 'Checkout', panels: [{ type: 'query', query_panel: { query_annotation_id: saved.body['id'] } }] });
      assert.equal(board.status, 201);

      await waggle.stop();
      waggle = await startTestWaggle({ ...store, dataDir: waggle.dataDir });

      const list = (await (await fetch(`${waggle.baseUrl}/1/query_annotations/api`)).json()) as Array<Record<string, unknown>>;
      assert.deepEqual(list.map((a) => [a['name'], a['description'], a['query_id']]), [['Latency by user id', 'who waits', created.body['id']]]);
      const boards = (await (await fetch(`${waggle.baseUrl}/1/boards`)).json()) as Array<{ name: string; panels: unknown[] }>;
      assert.deepEqual(boards.map((b) => [b.name, b.panels]), [['Checkout', [{ type: 'query', query_panel: { query_annotation_id: saved.body['id'] } }]]]);

      const updated = await fetch(`${waggle.baseUrl}/1/query_annotations/api/${saved.body['id']}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Slowest users' }),
      });
      assert.equal(((await updated.json()) as { name: string }).name, 'Slowest users');
      const deleted = await fetch(`${waggle.baseUrl}/1/query_annotations/api/${saved.body['id']}`, { method: 'DELETE' });
      assert.equal(deleted.status, 204);
      const gone = await fetch(`${waggle.baseUrl}/1/query_annotations/api/${saved.body['id']}`);
      assert.equal(gone.status, 404);
      const bad = await post(waggle, '/1/query_annotations/api', { name: 'x', query_id: 'nonexistent' });
      assert.equal(bad.status, 400);
    });

    it('prints an aligned table from waggle query, and the Honeycomb result with --json', async () => {
      const url = waggle.baseUrl;
      const table = await runWaggle(['query', '--url', url, '--dataset', 'api', '--last', '1h', 'VISUALIZE COUNT GROUP BY user.id ORDER BY COUNT DESC']);
      assert.equal(table.code, 0);
      assert.equal(
        table.stdout.split('\n\n')[0] + '\n',
        ['user.id     COUNT', '----------  -----', 'alice           3', "o'hara \"q\"      2", 'bob             1', ''].join('\n'),
      );
      const json = await runWaggle(['query', '--url', url, '--dataset', 'api', '--json', 'VISUALIZE COUNT LAST 1h']);
      assert.equal(json.code, 0);
      const parsed = JSON.parse(json.stdout) as { complete: boolean; data: { results: unknown[] } };
      assert.equal(parsed.complete, true);
      assert.deepEqual(parsed.data.results, [{ data: { COUNT: 6 } }]);
    });

    it('exits non-zero with the message for a bad query or an unreachable server', async () => {
      const bad = await runWaggle(['query', '--url', waggle.baseUrl, 'VISUALIZE NOPE']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^waggle query: /);
      const unreachable = await runWaggle(['query', '--url', 'http://127.0.0.1:9', 'VISUALIZE COUNT']);
      assert.equal(unreachable.code, 1);
      assert.match(unreachable.stderr, /cannot reach Waggle at http:\/\/127\.0\.0\.1:9/);
    });
  });
}
