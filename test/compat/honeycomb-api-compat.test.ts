import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';

/**
 * One test per request and response example of Honeycomb's API documentation (the Datasets,
 * Columns, Markers, Auth, Queries and Query Data pages) that Waggle supports, sent to the real
 * server. Where Waggle differs from the documentation on purpose, README's API table says so.
 */

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type Json = Record<string, unknown>;

const SECONDS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const NANOS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

async function call(waggle: Waggle, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', 'x-honeycomb-team': 'any-key' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(waggle.baseUrl + path, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

async function sendEvent(waggle: Waggle, dataset: string, data: Json): Promise<number> {
  const response = await fetch(`${waggle.baseUrl}/1/events/${dataset}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
  await response.arrayBuffer();
  return response.status;
}

function otlpBody(service: string): string {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /', kind: 2, startTimeUnixNano: `${nowNs - 5_000_000n}`, endTimeUnixNano: `${nowNs}` }] }],
      },
    ],
  });
}

/** Honeycomb's Dataset object has exactly these fields. */
// Honeycomb's documented fields, plus Waggle's retention (`retention`, `effective_retention`).
const DATASET_KEYS = ['created_at', 'description', 'effective_retention', 'expand_json_depth', 'last_written_at', 'name', 'regular_columns_count', 'retention', 'settings', 'slug'];
const COLUMN_KEYS = ['created_at', 'description', 'hidden', 'id', 'key_name', 'last_written', 'type', 'updated_at'];

describe('Honeycomb API compatibility', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  describe('Datasets', () => {
    it('creates a dataset: 201 with the documented Dataset object, name kept, slug derived', async () => {
      const { status, body } = await call(waggle, 'POST', '/1/datasets', { name: 'My Dataset!', description: 'A nice description of my dataset', expand_json_depth: 3 });
      assert.equal(status, 201);
      const dataset = body as Json;
      assert.deepEqual(Object.keys(dataset).sort(), DATASET_KEYS);
      assert.match(String(dataset['created_at']), SECONDS_TIME);
      assert.deepEqual({ ...dataset, created_at: 'T' }, {
        name: 'My Dataset!',
        description: 'A nice description of my dataset',
        settings: { delete_protected: false },
        expand_json_depth: 3,
        slug: 'my-dataset-',
        regular_columns_count: null,
        last_written_at: null,
        created_at: 'T',
        retention: null,
        effective_retention: '36500d',
      });
    });

    it('creating a dataset that exists (by name in any case, or by slug) answers 200 with the existing one', async () => {
      const first = await call(waggle, 'POST', '/1/datasets', { name: 'MyDataset!' });
      assert.equal(first.status, 201);
      assert.equal((first.body as Json)['slug'], 'mydataset-');
      for (const name of ['MyDataset!', 'MYDATASET!', 'mydataset-']) {
        const again = await call(waggle, 'POST', '/1/datasets', { name, description: 'ignored' });
        assert.equal(again.status, 200, name);
        assert.deepEqual(again.body, first.body);
      }
    });

    it('refuses a dataset name that cannot name a dataset with 400 naming the problem', async () => {
      const cases: Array<[unknown, string]> = [
        [{}, 'name: required, a string'],
        [{ name: '' }, 'name: dataset name must not be empty'],
        [{ name: '__all__' }, "name: '__all__' is reserved: it means every dataset"],
        [{ name: 'bad\u0000name' }, 'name: dataset name must not contain control characters (found U+0000)'],
        [{ name: 'x'.repeat(256) }, 'name: dataset name is longer than 255 characters'],
        [{ name: 'ok', expand_json_depth: 11 }, 'expand_json_depth: must be an integer from 0 to 10'],
        [{ name: 'ok', description: 'd'.repeat(1025) }, 'description: at most 1024 characters'],
      ];
      for (const [body, error] of cases) assert.deepEqual(await call(waggle, 'POST', '/1/datasets', body), { status: 400, body: { error } });
    });

    it('lists datasets with the documented fields', async () => {
      const { status, body } = await call(waggle, 'GET', '/1/datasets');
      assert.equal(status, 200);
      const list = body as Json[];
      assert.ok(list.length >= 2);
      for (const dataset of list) assert.deepEqual(Object.keys(dataset).sort(), DATASET_KEYS);
      assert.ok(list.some((d) => d['slug'] === 'my-dataset-' && d['name'] === 'My Dataset!'));
    });

    it('gets a dataset by slug, and 404 with an error for an unknown one', async () => {
      const { status, body } = await call(waggle, 'GET', '/1/datasets/my-dataset-');
      assert.equal(status, 200);
      assert.equal((body as Json)['name'], 'My Dataset!');
      assert.deepEqual(await call(waggle, 'GET', '/1/datasets/no-such-dataset'), { status: 404, body: { error: "dataset 'no-such-dataset' not found" } });
    });

    it('updates a dataset as documented, and a field left out goes back to its default', async () => {
      const update = { expand_json_depth: 3, description: 'my updated description', settings: { delete_protected: false } };
      const { status, body } = await call(waggle, 'PUT', '/1/datasets/my-dataset-', update);
      assert.equal(status, 200);
      assert.deepEqual({ ...(body as Json), created_at: 'T' }, {
        name: 'My Dataset!',
        slug: 'my-dataset-',
        description: 'my updated description',
        settings: { delete_protected: false },
        expand_json_depth: 3,
        created_at: 'T',
        last_written_at: null,
        regular_columns_count: null,
        retention: null,
        effective_retention: '36500d',
      });
      const reset = await call(waggle, 'PUT', '/1/datasets/my-dataset-', { settings: { delete_protected: true } });
      assert.deepEqual([(reset.body as Json)['description'], (reset.body as Json)['expand_json_depth'], (reset.body as Json)['settings']], ['', 0, { delete_protected: true }]);
      assert.deepEqual((await call(waggle, 'GET', '/1/datasets/my-dataset-')).body, reset.body);
      assert.equal((await call(waggle, 'PUT', '/1/datasets/nope', update)).status, 404);
    });
  });

  describe('Events and dataset names', () => {
    it('events sent to a name, to another casing of it and to its slug land in one dataset named as first sent', async () => {
      assert.equal(await sendEvent(waggle, 'Shop%20Front', { n: 1 }), 200);
      assert.equal(await sendEvent(waggle, 'shop%20front', { n: 2 }), 200);
      assert.equal(await sendEvent(waggle, 'shop-front', { n: 3 }), 200);
      await waggle.ingest.flushNow();
      const { status, body } = await call(waggle, 'GET', '/1/datasets/shop-front');
      assert.equal(status, 200);
      const dataset = body as Json;
      assert.deepEqual([dataset['name'], dataset['slug'], dataset['regular_columns_count']], ['Shop Front', 'shop-front', 1]);
      assert.match(String(dataset['last_written_at']), SECONDS_TIME);
      const query = await call(waggle, 'POST', '/1/queries/Shop%20Front', { calculations: [{ op: 'SUM', column: 'n' }], time_range: 3600 });
      const result = await call(waggle, 'POST', '/1/query_results/shop-front', { query_id: (query.body as Json)['id'], disable_series: true });
      assert.equal(result.status, 201);
      assert.deepEqual((result.body as { data: { results: unknown[] } }).data.results, [{ data: { 'SUM(n)': 6 } }]);
    });

    it('refuses events for a dataset name that cannot name one with 400 naming the problem', async () => {
      for (const [path, error] of [
        ['%00', 'dataset name must not contain control characters (found U+0000)'],
        ['__all__', "'__all__' is reserved: it means every dataset"],
        ['%20%20', 'dataset name must not be empty'],
      ] as const) {
        assert.deepEqual(await call(waggle, 'POST', `/1/events/${path}`, { a: 1 }), { status: 400, body: { error } }, path);
        const batch = await call(waggle, 'POST', `/1/batch/${path}`, [{ data: { a: 1 } }]);
        assert.equal(batch.status, 400, path);
      }
    });

    it('OTLP: service.name keeps its case; x-honeycomb-dataset that cannot name a dataset is 400; such a service.name goes to unknown_service', async () => {
      let response = await fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpBody('Checkout Service') });
      assert.equal(response.status, 200);
      response = await fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-honeycomb-dataset': '__all__' }, body: otlpBody('x') });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { code: 3, message: "x-honeycomb-dataset: '__all__' is reserved: it means every dataset" });
      response = await fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpBody('__all__') });
      assert.equal(response.status, 200);
      await waggle.ingest.flushNow();
      const checkout = await call(waggle, 'GET', '/1/datasets/checkout-service');
      assert.deepEqual([(checkout.body as Json)['name'], (checkout.body as Json)['slug']], ['Checkout Service', 'checkout-service']);
      const unknown = await call(waggle, 'POST', '/api/query', { dataset: 'unknown_service', q: 'VISUALIZE COUNT GROUP BY service.name LAST 1h' });
      assert.deepEqual((unknown.body as { data: { results: unknown[] } }).data.results, [{ data: { 'service.name': '__all__', COUNT: 1 } }]);
    });
  });

  describe('Columns', () => {
    let columnId = '';

    it('creates a column: 201 with the documented Column object', async () => {
      const { status, body } = await call(waggle, 'POST', '/1/columns/shop-front', { key_name: 'my_column', type: 'integer', description: 'An integer column' });
      assert.equal(status, 201);
      const column = body as Json;
      assert.deepEqual(Object.keys(column).sort(), COLUMN_KEYS);
      columnId = String(column['id']);
      assert.deepEqual({ ...column, id: 'I', created_at: 'T', updated_at: 'T', last_written: 'T' }, {
        id: 'I',
        key_name: 'my_column',
        hidden: false,
        description: 'An integer column',
        type: 'integer',
        last_written: 'T',
        created_at: 'T',
        updated_at: 'T',
      });
    });

    it('refuses a column whose key exists with 409, and a bad one with 400', async () => {
      assert.deepEqual(await call(waggle, 'POST', '/1/columns/shop-front', { key_name: 'n' }), { status: 409, body: { error: "a column 'n' exists in dataset shop-front" } });
      assert.deepEqual(await call(waggle, 'POST', '/1/columns/shop-front', { key_name: '' }), { status: 400, body: { error: 'key_name: required, the column name' } });
      assert.deepEqual(await call(waggle, 'POST', '/1/columns/shop-front', { key_name: 'k', type: 'date' }), { status: 400, body: { error: 'type: must be one of string, integer, float, boolean' } });
      assert.equal((await call(waggle, 'POST', '/1/columns/no-such', { key_name: 'k' })).status, 404);
    });

    it('lists columns, gets one by key_name and by id', async () => {
      const list = (await call(waggle, 'GET', '/1/columns/shop-front')).body as Json[];
      for (const column of list) assert.deepEqual(Object.keys(column).sort(), COLUMN_KEYS);
      assert.ok(list.some((c) => c['key_name'] === 'my_column' && c['id'] === columnId));
      const n = list.find((c) => c['key_name'] === 'n')!;
      assert.match(String(n['last_written']), NANOS_TIME);
      assert.deepEqual((await call(waggle, 'GET', '/1/columns/shop-front?key_name=n')).body, n);
      assert.deepEqual((await call(waggle, 'GET', `/1/columns/shop-front/${columnId}`)).body, list.find((c) => c['id'] === columnId));
      assert.equal((await call(waggle, 'GET', '/1/columns/shop-front/nope')).status, 404);
    });

    it('updates a column (description, hidden, a declared column type); a written column keeps its type', async () => {
      const { status, body } = await call(waggle, 'PUT', `/1/columns/shop-front/${columnId}`, { id: columnId, key_name: 'my_column', hidden: true, description: '', type: 'string' });
      assert.equal(status, 200);
      assert.deepEqual([(body as Json)['hidden'], (body as Json)['description'], (body as Json)['type']], [true, '', 'string']);
      const n = ((await call(waggle, 'GET', '/1/columns/shop-front?key_name=n')).body as Json)['id'];
      const described = await call(waggle, 'PUT', `/1/columns/shop-front/${String(n)}`, { description: 'a number' });
      assert.deepEqual([described.status, (described.body as Json)['description'], (described.body as Json)['type']], [200, 'a number', 'integer']);
      assert.deepEqual(await call(waggle, 'PUT', `/1/columns/shop-front/${String(n)}`, { type: 'string' }), {
        status: 400,
        body: { error: 'type: this column holds integer values; its type cannot be changed' },
      });
    });

    it('deletes a column: 204, and it is gone from the list', async () => {
      const { status, body } = await call(waggle, 'DELETE', `/1/columns/shop-front/${columnId}`);
      assert.deepEqual([status, body], [204, null]);
      const list = (await call(waggle, 'GET', '/1/columns/shop-front')).body as Json[];
      assert.ok(!list.some((c) => c['key_name'] === 'my_column'));
      assert.equal((await call(waggle, 'DELETE', `/1/columns/shop-front/${columnId}`)).status, 404);
      assert.equal((await call(waggle, 'DELETE', '/1/columns/shop-front/duration_ms')).status, 409);
    });
  });

  describe('Markers', () => {
    let markerId = '';

    it('creates a marker: 201 with the documented Marker object', async () => {
      const { status, body } = await call(waggle, 'POST', '/1/markers/shop-front', { start_time: 1471040808, message: 'backend deploy #123', type: 'deploy' });
      assert.equal(status, 201);
      const marker = body as Json;
      markerId = String(marker['id']);
      assert.match(markerId, /^[0-9a-f]{8}$/);
      assert.match(String(marker['created_at']), SECONDS_TIME);
      assert.deepEqual(marker, { id: markerId, start_time: 1471040808, message: 'backend deploy #123', type: 'deploy', created_at: marker['created_at'], updated_at: marker['created_at'] });
    });

    it('a marker without start_time is placed at the time of the request', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { status, body } = await call(waggle, 'POST', '/1/markers/Shop%20Front', { message: 'now' });
      assert.equal(status, 201);
      const start = Number((body as Json)['start_time']);
      assert.ok(start >= before && start <= Math.floor(Date.now() / 1000));
    });

    it('lists markers of the dataset', async () => {
      const { status, body } = await call(waggle, 'GET', '/1/markers/shop-front');
      assert.equal(status, 200);
      assert.deepEqual((body as Json[]).map((m) => m['message']), ['backend deploy #123', 'now']);
      assert.deepEqual((await call(waggle, 'GET', '/1/markers/__all__')).body, []);
    });

    it('updates a marker; a field left out is erased', async () => {
      const { status, body } = await call(waggle, 'PUT', `/1/markers/shop-front/${markerId}`, { start_time: 1471040808, end_time: 1471041000, url: 'http://link-to-build.here' });
      assert.equal(status, 200);
      assert.deepEqual({ ...(body as Json), created_at: 'T', updated_at: 'T' }, { id: markerId, start_time: 1471040808, end_time: 1471041000, url: 'http://link-to-build.here', created_at: 'T', updated_at: 'T' });
    });

    it('deletes a marker, answering with the deleted marker; 404 after', async () => {
      const { status, body } = await call(waggle, 'DELETE', `/1/markers/shop-front/${markerId}`);
      assert.equal(status, 200);
      assert.equal((body as Json)['id'], markerId);
      assert.equal((await call(waggle, 'DELETE', `/1/markers/shop-front/${markerId}`)).status, 404);
    });

    it('refuses markers on an unknown dataset (404) and bad fields (400)', async () => {
      assert.equal((await call(waggle, 'POST', '/1/markers/no-such', { message: 'm' })).status, 404);
      assert.deepEqual(await call(waggle, 'POST', '/1/markers/shop-front', { start_time: 'yesterday' }), { status: 400, body: { error: 'start_time: must be an integer from 0 to 253402300799' } });
      assert.deepEqual(await call(waggle, 'POST', '/1/markers/shop-front', { start_time: 10, end_time: 5 }), { status: 400, body: { error: 'end_time: must not be before start_time' } });
    });
  });

  describe('Auth', () => {
    it('GET /1/auth with auth off describes a configuration key with every permission, team and environment', async () => {
      assert.deepEqual(await call(waggle, 'GET', '/1/auth'), {
        status: 200,
        body: {
          id: 'waggle-no-key',
          type: 'configuration',
          name: 'auth off (WAGGLE_AUTH)',
          permissions: ['send_events', 'create_datasets', 'run_queries', 'manage_queries_and_columns', 'manage_boards', 'manage_markers', 'manage_triggers', 'manage_slos', 'manage_recipients', 'manage_keys'],
          api_key_access: {
            events: true,
            markers: true,
            triggers: true,
            boards: true,
            queries: true,
            columns: true,
            createDatasets: true,
            create_datasets: true,
            slos: true,
            recipients: true,
            privateBoards: true,
          },
          environment: { name: 'Default', slug: 'default' },
          team: { name: 'Waggle', slug: 'waggle' },
        },
      });
    });
  });

  describe('Queries and Query Data', () => {
    it('creates a query and echoes the spec as sent, with its id', async () => {
      const spec = { calculations: [{ op: 'COUNT' }], orders: [{ op: 'COUNT', order: 'descending' }], time_range: 7200 };
      const { status, body } = await call(waggle, 'POST', '/1/queries/shop-front', spec);
      assert.equal(status, 200);
      assert.deepEqual(body, { id: (body as Json)['id'], ...spec });
      assert.deepEqual((await call(waggle, 'GET', `/1/queries/Shop%20Front/${String((body as Json)['id'])}`)).body, body);
    });

    it('creates a query result: 201; limit is ignored while series are on, as documented', async () => {
      const query = await call(waggle, 'POST', '/1/queries/shop-front', { calculations: [{ op: 'COUNT' }], time_range: 7200 });
      const { status, body } = await call(waggle, 'POST', '/1/query_results/shop-front', { query_id: (query.body as Json)['id'], disable_series: false, limit: 10000 });
      assert.equal(status, 201);
      const result = body as { complete: boolean; data: { results: unknown[] }; links: Json };
      assert.equal(result.complete, true);
      assert.deepEqual(result.data.results, [{ data: { COUNT: 3 } }]);
      assert.equal(typeof result.links['query_url'], 'string');
    });

    it('refuses a spec naming a column of another dataset; __all__ sees every dataset', async () => {
      const spec = { calculations: [{ op: 'MAX', column: 'n' }], time_range: 7200 };
      assert.deepEqual(await call(waggle, 'POST', '/1/queries/checkout-service', spec), {
        status: 400,
        body: { error: "calculations[0].column: no column 'n' in dataset 'checkout-service'", field: 'calculations[0].column' },
      });
      assert.equal((await call(waggle, 'POST', '/1/queries/__all__', spec)).status, 200);
      assert.equal((await call(waggle, 'POST', '/1/queries/shop-front', spec)).status, 200);
    });
  });
});
