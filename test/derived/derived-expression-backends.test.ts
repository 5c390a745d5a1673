import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventRecord } from '../../src/core/event-record.js';
import { withCalculatedFields } from '../../src/derived/calculated-field-schema.js';
import { SqlParameters } from '../../src/query/compile/sql-parameters.js';
import { dialectOf } from '../../src/query/compile/store-dialects.js';
import type { SpanStore } from '../../src/store/span-store.js';
import { attributeLayer, eventRecord } from '../support/event-record-fixture.js';
import { STORE_BACKENDS } from '../support/store-backends.js';

const T0 = 1_500_549_764_888_000_000n;
/** When the request of the three events was received: stored in whole milliseconds (the ns below them cut off). */
const RECEIVED_NS = 1_500_549_767_001_999_999n;
/** The three events of derived-expression.test.ts, stored: a slow failing checkout, a fast query with unparseable text, one with nothing but a time. */
const EVENTS: EventRecord[] = [
  eventRecord({
    timestampNs: T0,
    durationNs: 750_000_000n,
    name: 'GET /Checkout',
    attributes: [attributeLayer([['app.error', 'boolean', true], ['http.status_code', 'integer', 500], ['started', 'string', '2017-07-20T11:22:44.888Z'], ['ratio', 'float', 0.5], ['odd name', 'string', 'GET /Checkout']])],
  }),
  eventRecord({
    timestampNs: 1_500_549_765_000_000_000n,
    durationNs: 120_000_000n,
    name: 'db.query',
    attributes: [attributeLayer([['app.error', 'boolean', false], ['http.status_code', 'integer', 200], ['started', 'string', 'not a time'], ['ratio', 'float', 0], ['odd name', 'string', 'db.query']])],
  }),
  eventRecord({ timestampNs: 1_500_549_766_000_000_000n, durationNs: null, name: null }),
];

/** The cases of derived-expression.test.ts that touch every dialect hook, with the values DuckDB gives. */
const CASES: Array<[string, unknown[], string]> = [
  ['IF(GT($duration_ms, 500), "slow", "ok")', ['slow', 'ok', 'ok'], 'string'],
  ['IF(EQUALS($name, "db.query"), 1, CONTAINS($name, "Checkout"), 2.5, 0)', [2.5, 1, 0], 'float'],
  ['SWITCH($http.status_code, 200, "ok", 500, "error")', ['error', 'ok', null], 'string'],
  ['COALESCE($name, "unnamed")', ['GET /Checkout', 'db.query', 'unnamed'], 'string'],
  ['LT($duration_ms, 500)', [false, true, null], 'boolean'],
  ['EQUALS($app.error, true)', [true, false, null], 'boolean'],
  ['IN($http.status_code, 500, 503)', [true, false, null], 'boolean'],
  ['EXISTS($name)', [true, true, false], 'boolean'],
  ['AND($app.error, GT($duration_ms, 100))', [true, false, null], 'boolean'],
  ['SUM($http.status_code, 1, "2")', [503, 203, null], 'float'],
  ['MUL($http.status_code, 2)', [1000n, 400n, null], 'integer'],
  ['DIV($duration_ms, $ratio)', [1500, null, null], 'float'],
  ['MOD($http.status_code, 3)', [2n, 2n, null], 'integer'],
  ['MOD($http.status_code, 0)', [null, null, null], 'integer'],
  ['MIN($duration_ms, 200)', [200, 120, 200], 'float'],
  ['MAX($http.status_code, 300)', [500n, 300n, 300n], 'integer'],
  ['LOG10($ratio)', [Number(Math.log10(0.5).toPrecision(12)), null, null], 'float'],
  ['BUCKET($duration_ms, 100, 200, 600)', [600, 200, 200], 'float'],
  ['INT($duration_ms)', [750n, 120n, null], 'integer'],
  ['INT("12.7")', [12n, 12n, 12n], 'integer'],
  ['INT("-9007199254740993")', [-9007199254740993n, -9007199254740993n, -9007199254740993n], 'integer'],
  ['INT("1e3")', [1000n, 1000n, 1000n], 'integer'],
  ['INT($app.error)', [1n, 0n, null], 'integer'],
  ['FLOAT($started)', [null, null, null], 'float'],
  ['BOOL("TRUE")', [true, true, true], 'boolean'],
  ['STRING($http.status_code)', ['500', '200', null], 'string'],
  ['CONCAT($name, ":", $http.status_code)', ['GET /Checkout:500', 'db.query:200', ':'], 'string'],
  ['STARTS_WITH($name, "GET")', [true, false, null], 'boolean'],
  ['ENDS_WITH($name, "query")', [false, true, null], 'boolean'],
  ['TO_LOWER($name)', ['get /checkout', 'db.query', null], 'string'],
  ['LENGTH($name)', [13n, 8n, null], 'integer'],
  ['LENGTH("é", "bytes")', [2n, 2n, 2n], 'integer'],
  ['REG_MATCH($name, `^GET /\\w+$`)', [true, false, null], 'boolean'],
  ['REG_VALUE($name, `/(\\w+)`)', ['Checkout', null, null], 'string'],
  ['REG_VALUE($name, `[a-z]+`)', ['heckout', 'db', null], 'string'],
  ['REG_COUNT($name, `[a-z]`)', [7n, 7n, null], 'integer'],
  ['UNIX_TIMESTAMP($started)', [1500549764.888, null, null], 'float'],
  ['FORMAT_TIME("%Y-%m-%d %H:%M", EVENT_TIMESTAMP())', ['2017-07-20 11:22', '2017-07-20 11:22', '2017-07-20 11:22'], 'string'],
  ['EVENT_TIMESTAMP()', [1500549764.888, 1500549765, 1500549766], 'float'],
  ['INGEST_TIMESTAMP()', [1500549767.001, 1500549767.001, 1500549767.001], 'float'],
  ['SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP())', [1500549767.001 - 1500549764.888, 1500549767.001 - 1500549765, 1500549767.001 - 1500549766], 'float'],
  ['$"odd name"', ['GET /Checkout', 'db.query', null], 'string'],
];

for (const backend of STORE_BACKENDS) {
  describe(`calculated field expressions on stored events (${backend.name})`, () => {
    let store: SpanStore;
    before(async () => {
      store = await backend.open();
      store.enqueue(EVENTS.map((e) => ({ ...e })), 1n, RECEIVED_NS);
      await store.flush();
    });
    after(() => store.close());

    /** Compiles `expression` in the store's dialect over its real columns and evaluates it on the three events. */
    async function evaluate(expression: string): Promise<{ values: unknown[]; type: string }> {
      const dialect = dialectOf(store.capabilities);
      const params = new SqlParameters(dialect);
      const schema = withCalculatedFields(await store.querySchema({ kind: 'all' }), [{ name: 'f', expression }], { dialect, params });
      const binding = schema.column('f')!;
      const relation = store.relation({ kind: 'all' }, [...binding.physicalColumns, 'ts_ns'], { startNs: T0 - 1n, endNs: T0 + 10_000_000_000n });
      const rows = await store.runSql(`SELECT ${binding.sql} AS v FROM ${relation} AS r ORDER BY ts_ns`, params.values(), { timeoutMs: 10_000 });
      return { values: rows.rows.map((r) => normalized(r[0])), type: binding.type };
    }

    for (const [expression, expected, type] of CASES) {
      it(`evaluates ${expression} as DuckDB does`, async () => {
        const result = await evaluate(expression);
        assert.equal(result.type, type);
        assert.deepEqual(result.values, expected.map(normalized));
      });
    }
  });
}

/** Floats compared to 12 significant digits (ClickHouse's and DuckDB's log10 differ in the last bit). */
function normalized(value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value;
}
