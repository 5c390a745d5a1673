import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvalidQueryError } from '../../src/core/errors.js';
import type { EventRecord, SpanKindName } from '../../src/core/event-record.js';
import { QueryRunner } from '../../src/query/query-runner.js';
import { prepareTextQuery } from '../../src/query/query-engine.js';
import type { QueryResultData } from '../../src/query/compile/query-result-shaper.js';
import type { DatasetSelector, SpanStore } from '../../src/store/span-store.js';
import { STORE_BACKENDS, type StoreBackend } from '../support/store-backends.js';
import { eventRecord } from '../support/event-record-fixture.js';

const T0 = 1_700_000_000;
const S = 1_000_000_000n;
const MS = 1_000_000n;
const TRACE = 0xabcdef0123456789abcdef0123456789n;

function span(spanId: bigint, parentId: bigint | null, kind: SpanKindName, service: string, startNs: bigint, durationNs: bigint, route?: string): EventRecord {
  return eventRecord({
    // One dataset per service, as OTLP spans are stored: the browser's spans are not in the api's dataset.
    dataset: service,
    timestampNs: startNs,
    durationNs,
    traceId: TRACE,
    spanId,
    parentId,
    name: `${kind} ${service}`,
    serviceName: service,
    kind,
    attributes: route === undefined ? [] : [{ keys: ['http.route'], kinds: ['string'], values: [route] }],
  });
}

const BASE = BigInt(T0) * S;
/** The browser's page load (root) and its fetch (client) spans; the second fetch's server clock runs 5 ms early. */
const BROWSER = [
  span(1n, null, 'internal', 'web', BASE + 9n * S, 2n * S),
  span(2n, 1n, 'client', 'web', BASE + 10n * S, 120n * MS),
  span(3n, 1n, 'client', 'web', BASE + 20n * S, 50n * MS),
  span(4n, 1n, 'client', 'web', BASE + 30n * S, 50n * MS),
];
const SERVERS = [
  // Request leg 30 ms, response leg 10 ms.
  span(20n, 2n, 'server', 'api', BASE + 10n * S + 30n * MS, 80n * MS, '/cart'),
  // Starts 5 ms before its client span: skewed clocks.
  span(30n, 3n, 'server', 'api', BASE + 20n * S - 5n * MS, 30n * MS, '/checkout'),
  // Ends 5 ms after its client span: skewed clocks too.
  span(40n, 4n, 'server', 'api', BASE + 30n * S + 10n * MS, 45n * MS, '/search'),
  // Not a server span under a client span: no network timing.
  span(21n, 20n, 'internal', 'api', BASE + 10n * S + 40n * MS, 10n * MS),
];

const openStores: SpanStore[] = [];
after(async () => {
  for (const store of openStores) await store.close();
});

/** A real store fed in two separate commits, in the given order. */
async function storeWith(backend: StoreBackend, first: readonly EventRecord[], second: readonly EventRecord[]): Promise<SpanStore> {
  // Copies: stores swap each event's dataset name for its key as they queue it.
  const store = await backend.open();
  first = first.map((e) => ({ ...e }));
  second = second.map((e) => ({ ...e }));
  openStores.push(store);
  store.enqueue(first, 1n);
  await store.flush();
  store.enqueue(second, 2n);
  await store.flush();
  return store;
}

async function query(store: SpanStore, text: string, selector: DatasetSelector = { kind: 'all' }): Promise<QueryResultData['results']> {
  const spec = prepareTextQuery(text, await store.querySchema(selector), { disableSeries: true });
  const data = await new QueryRunner(store).run(selector, spec, { disableSeries: true, timeoutMs: 10_000 });
  return data.results;
}

const PER_SPAN = `VISUALIZE COUNT GROUP BY name, http.route, network.latency_ms, network.request_ms, network.response_ms, network.clock_skew ORDER BY name, http.route FROM ${T0} TO ${T0 + 60}`;
const EXPECTED_PER_SPAN = [
  { name: 'client web', 'http.route': null, 'network.latency_ms': null, 'network.request_ms': null, 'network.response_ms': null, 'network.clock_skew': null, COUNT: 3 },
  { name: 'internal api', 'http.route': null, 'network.latency_ms': null, 'network.request_ms': null, 'network.response_ms': null, 'network.clock_skew': null, COUNT: 1 },
  { name: 'internal web', 'http.route': null, 'network.latency_ms': null, 'network.request_ms': null, 'network.response_ms': null, 'network.clock_skew': null, COUNT: 1 },
  { name: 'server api', 'http.route': '/cart', 'network.latency_ms': 40, 'network.request_ms': 30, 'network.response_ms': 10, 'network.clock_skew': false, COUNT: 1 },
  { name: 'server api', 'http.route': '/checkout', 'network.latency_ms': 20, 'network.request_ms': null, 'network.response_ms': null, 'network.clock_skew': true, COUNT: 1 },
  { name: 'server api', 'http.route': '/search', 'network.latency_ms': 5, 'network.request_ms': null, 'network.response_ms': null, 'network.clock_skew': true, COUNT: 1 },
];

for (const backend of STORE_BACKENDS) {
  describe(`network timing of server spans under client spans on ${backend.name}`, () => {
    for (const [order, first, second] of [
      ['client spans stored first', BROWSER, SERVERS],
      ['server spans stored first', SERVERS, BROWSER],
    ] as const) {
      it(`computes latency, legs and skew per span (${order})`, async () => {
        const store = await storeWith(backend, first, second);
        assert.deepEqual((await query(store, PER_SPAN)).map((r) => r.data), EXPECTED_PER_SPAN);
      });
    }

    it('aggregates, filters and groups by the columns like any other', async () => {
      const store = await storeWith(backend, SERVERS, BROWSER);
      assert.deepEqual((await query(store, `VISUALIZE P95(network.latency_ms), AVG(network.request_ms), COUNT WHERE network.latency_ms exists GROUP BY http.route ORDER BY http.route FROM ${T0} TO ${T0 + 60}`)).map((r) => r.data), [
        { 'http.route': '/cart', 'P95(network.latency_ms)': 40, 'AVG(network.request_ms)': 30, COUNT: 1 },
        { 'http.route': '/checkout', 'P95(network.latency_ms)': 20, 'AVG(network.request_ms)': null, COUNT: 1 },
        { 'http.route': '/search', 'P95(network.latency_ms)': 5, 'AVG(network.request_ms)': null, COUNT: 1 },
      ]);
      assert.deepEqual((await query(store, `VISUALIZE COUNT WHERE network.clock_skew = true FROM ${T0} TO ${T0 + 60}`)).map((r) => r.data), [{ COUNT: 2 }]);
      assert.deepEqual((await query(store, `VISUALIZE COUNT WHERE network.latency_ms > 30 OR network.response_ms < 0 FROM ${T0} TO ${T0 + 60}`)).map((r) => r.data), [{ COUNT: 1 }]);
    });

    it('finds a client span that started before the range, and counts a twice-delivered client span once', async () => {
      const store = await storeWith(backend, [...BROWSER, BROWSER[1]!], SERVERS);
      // The range starts between the first fetch (10.000 s) and its server span (10.030 s).
      const from = `FROM ${T0 + 10} TO ${T0 + 60}`;
      assert.deepEqual((await query(store, `VISUALIZE COUNT, SUM(network.latency_ms) WHERE span.kind = server GROUP BY http.route ORDER BY http.route ${from}`)).map((r) => r.data), [
        { 'http.route': '/cart', COUNT: 1, 'SUM(network.latency_ms)': 40 },
        { 'http.route': '/checkout', COUNT: 1, 'SUM(network.latency_ms)': 20 },
        { 'http.route': '/search', COUNT: 1, 'SUM(network.latency_ms)': 5 },
      ]);
    });

    it("finds the client span in the caller's dataset when the server's dataset is queried", async () => {
      const store = await storeWith(backend, SERVERS, BROWSER);
      assert.deepEqual((await query(store, `VISUALIZE MAX(network.latency_ms), MIN(network.response_ms) GROUP BY http.route ORDER BY http.route FROM ${T0} TO ${T0 + 60}`, { kind: 'one', name: 'api' })).map((r) => r.data), [
        { 'http.route': '/cart', 'MAX(network.latency_ms)': 40, 'MIN(network.response_ms)': 10 },
        { 'http.route': '/checkout', 'MAX(network.latency_ms)': 20, 'MIN(network.response_ms)': null },
        { 'http.route': '/search', 'MAX(network.latency_ms)': 5, 'MIN(network.response_ms)': null },
        { 'http.route': null, 'MAX(network.latency_ms)': null, 'MIN(network.response_ms)': null },
      ]);
    });

    it('lists the columns in the schema and refuses relational prefixes on them', async () => {
      const store = await storeWith(backend, BROWSER, SERVERS);
      const schema = await store.querySchema({ kind: 'one', name: 'api' });
      const network = schema.columns().filter((c) => c.name.startsWith('network.')).map((c) => [c.name, c.type]);
      assert.deepEqual(network, [['network.latency_ms', 'float'], ['network.request_ms', 'float'], ['network.response_ms', 'float'], ['network.clock_skew', 'boolean']]);
      const columns = (await store.listColumns({ kind: 'one', name: 'api' })).filter((c) => c.key_name.startsWith('network.')).map((c) => c.key_name);
      assert.deepEqual(columns, ['network.latency_ms', 'network.request_ms', 'network.response_ms', 'network.clock_skew']);
      assert.throws(
        () => prepareTextQuery('VISUALIZE COUNT GROUP BY root.network.latency_ms', schema),
        (e: unknown) => e instanceof InvalidQueryError && e.message.includes('network.latency_ms is derived from a span and its parent; the root. prefix does not apply to it'),
      );
    });
  });
}
