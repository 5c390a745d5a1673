import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { WaggleError } from '../../src/core/errors.js';
import { prepareQuerySpec } from '../../src/query/query-engine.js';
import { QueryRunner } from '../../src/query/query-runner.js';
import type { QuerySchema } from '../../src/query/query-schema.js';
import { CALCULATION_OP_TRAITS } from '../../src/query/calculation-op-traits.js';
import { FILTER_OP_TRAITS } from '../../src/query/filter-op-traits.js';
import { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, type QuerySpec } from '../../src/query/query-spec.js';
import { parseTextQuery } from '../../src/query/text/text-query-parser.js';
import { NASTY_COLUMNS } from '../query/arbitrary-query-spec.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { fuzzParameters } from './fuzz-runs.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const MAX_RANGE = 3_153_600_000;
const MAX_TIMESTAMP = 9_214_646_400;

/** Columns the seeded data has, of every kind, plus relational and derived ones. */
const COLUMNS = [
  'duration_ms',
  'name',
  'service.name',
  'error',
  'timestamp',
  'trace.trace_id',
  'http.status_code',
  'ratio',
  'user.id',
  'flag',
  'big',
  'root.name',
  'parent.duration_ms',
  'any.error',
  'none.user.id',
  'network.latency_ms',
  ...NASTY_COLUMNS,
];

/** Numbers at the edges of what JSON, doubles, int64 and the engine's time arithmetic hold. */
const EDGE_INTEGERS = [0, 1, -1, 59, 60, 1000, 7200, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, 1e15, 1e20, MAX_RANGE, MAX_RANGE + 1, MAX_TIMESTAMP, MAX_TIMESTAMP + 1, 9_223_372_036, 1_700_000_000];
const edgeNumber = fc.oneof(
  fc.constantFrom(...EDGE_INTEGERS, -1e308, 1e308, 5e-324, 0.5, -0.5, 1.5e-10, Number.MAX_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const oddValue = fc.oneof(
  edgeNumber,
  fc.constantFrom('', 'abc', '\u0000', '1e400', '9223372036854775808', 'true', '💥', "'; --", '%', '_', '\\'),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);
const REAL_COLUMNS = COLUMNS.slice(0, 16);
const anyColumn = (real: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_COLUMNS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
/** Filters take every column; calculations no relational ones; breakdowns no any./none. */
const column = anyColumn(REAL_COLUMNS);
const calcColumn = anyColumn(['duration_ms', 'http.status_code', 'ratio', 'big', 'user.id', 'name', 'flag', 'network.latency_ms']);
const breakdownColumn = anyColumn(REAL_COLUMNS.filter((c) => !c.startsWith('any.') && !c.startsWith('none.')));
const validNumber = fc.oneof(fc.constantFrom(...EDGE_INTEGERS), fc.integer({ min: 1, max: 100_000 }));
const filterValue = fc.oneof(edgeNumber, fc.constantFrom('', 'u1', 'op1', '\u0000', '%', '_', '200', 'true', '1e400', '9223372036854775808'), fc.boolean());

/** The time fields, in each of the combinations the spec allows, with values at and beyond the bounds. */
const timeFields = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.record({ time_range: fc.oneof(fc.integer({ min: 1, max: MAX_RANGE }), fc.constantFrom(1, 60, 7200, MAX_RANGE)) }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: MAX_TIMESTAMP - 1 }).chain((start) => fc.record({ start_time: fc.constant(start), end_time: fc.integer({ min: start + 1, max: Math.min(MAX_TIMESTAMP, start + MAX_RANGE) }) })) },
  { weight: 1, arbitrary: fc.record({ start_time: validNumber, end_time: validNumber }) },
  { weight: 1, arbitrary: fc.record({ start_time: validNumber, time_range: validNumber }) },
  { weight: 1, arbitrary: fc.record({ end_time: validNumber, time_range: validNumber }) },
);

const calculation = fc.record({ op: fc.constantFrom(...CALCULATION_OPS), column: calcColumn }).map(({ op, column }) => (CALCULATION_OP_TRAITS[op].takesColumn ? { op, column } : { op }));
const filter = fc.record({ column, op: fc.constantFrom(...FILTER_OPS), one: filterValue, many: fc.array(filterValue, { minLength: 1, maxLength: 3 }) }).map(({ column, op, one, many }) => {
  const arity = FILTER_OP_TRAITS[op].arity;
  return arity === 'none' ? { column, op } : { column, op, value: arity === 'list' ? many : one };
});

/**
 * Spec-shaped JSON a client could POST: a coherent spec (orders and havings name its calculations
 * and breakdowns) with values at and beyond the bounds, and sometimes one field replaced by
 * anything at all, so that most specs reach the engine and the rest probe the validator.
 */
const rawSpec = fc
  .record({
    calculations: fc.uniqueArray(calculation, { maxLength: 3, selector: (c) => `${c.op}(${c.column ?? ''})` }),
    filters: fc.array(filter, { maxLength: 3 }),
    filter_combination: fc.constantFrom('AND', 'OR'),
    breakdowns: fc.uniqueArray(breakdownColumn, { maxLength: 3 }),
    limit: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 1000 }) }, { weight: 1, arbitrary: fc.constantFrom(1000, 10_000) }),
    granularity: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: validNumber }),
    time: timeFields,
    orderPicks: fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { maxLength: 2 }),
    havingPicks: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...HAVING_OPS), edgeNumber), { maxLength: 2 }),
    spoil: fc.oneof(
      { weight: 4, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('calculations', 'filters', 'breakdowns', 'orders', 'havings', 'limit', 'granularity', 'time_range', 'start_time', 'end_time', 'filter_combination'), oddValue) },
    ),
  })
  .map((r) => {
    const scalarCalcs = r.calculations.filter((c) => CALCULATION_OP_TRAITS[c.op].scalarResult);
    const orders = r.orderPicks.flatMap(([i, byCalc, desc]): Array<Record<string, unknown>> => {
      const order = desc ? 'descending' : 'ascending';
      if (byCalc && scalarCalcs.length > 0) return [{ ...scalarCalcs[i % scalarCalcs.length]!, order }];
      if (r.breakdowns.length > 0) return [{ column: r.breakdowns[i % r.breakdowns.length]!, order }];
      return [];
    });
    const havings = r.havingPicks.flatMap(([i, op, value]) => {
      const c = scalarCalcs[i % Math.max(1, scalarCalcs.length)];
      return c === undefined ? [] : [{ calculate_op: c.op, ...(c.column === undefined ? {} : { column: c.column }), op, value }];
    });
    const spec: Record<string, unknown> = {
      calculations: r.calculations,
      filters: r.filters,
      filter_combination: r.filter_combination,
      breakdowns: r.breakdowns,
      orders,
      havings,
      limit: r.limit,
      ...r.time,
      ...(r.granularity === null ? {} : { granularity: r.granularity }),
    };
    if (r.spoil !== null) spec[r.spoil[0]] = r.spoil[1];
    return spec;
  });

/** Text made of the language's own tokens (and some others), so that many inputs parse. */
const TOKENS = [
  'VISUALIZE', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'LIMIT', 'LAST', 'FROM', 'TO', 'GRANULARITY', 'AND', 'OR', 'ASC', 'DESC',
  'COUNT', 'P99(duration_ms)', 'HEATMAP(duration_ms)', 'AVG(ratio)', 'SUM(big)', 'COUNT_DISTINCT(user.id)', 'RATE_SUM(http.status_code)', 'CONCURRENCY',
  'duration_ms', 'user.id', 'http.status_code', 'root.name', 'any.error', '`a b`', '=', '!=', '>', '<=', 'in', 'exists', 'starts-with', 'contains',
  '(', ')', ',', '"x"', '"\\""', 'true', '0', '1', '100', '1000', '99999999999999999999', '1e308', '-5', '1.5',
  '1s', '90s', '2h', '7d', '100000w', '5214w', '1h30m', '0s', '99999999999999999999w', '37d',
  '2024-01-01T00:00:00Z', '2262-04-12T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:00:00.5Z', '1700000000', '9214646400', '9999999999',
];
const textQuery = fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), { maxLength: 14 }).map((tokens) => tokens.join(' '));

describe('fuzzing the query path against the real engine', () => {
  let waggle: Waggle;
  let runner: QueryRunner;
  let schema: QuerySchema;
  before(async () => {
    waggle = await startTestWaggle();
    const now = Date.now() / 1000;
    const events = Array.from({ length: 40 }, (_, i) => ({
      time: new Date((now - i * 97) * 1000).toISOString(),
      data: {
        name: `op${i % 3}`,
        'service.name': i % 2 === 0 ? 'api' : 'web',
        duration_ms: i * 1.5,
        'trace.trace_id': `t${i % 5}`,
        'trace.span_id': `s${i}`,
        ...(i % 5 === 0 ? {} : { 'trace.parent_id': `s${i - (i % 5)}` }),
        'http.status_code': 200 + (i % 4) * 100,
        ratio: i / 7,
        'user.id': `u${i % 6}`,
        flag: i % 3 === 0,
        big: 2 ** 53 - i,
        error: i % 7 === 0,
      },
    }));
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/1/batch/fuzz`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    assert.equal(response.status, 200);
    await waggle.ingest.flushNow();
    runner = new QueryRunner(waggle.store);
    schema = await waggle.store.querySchema({ kind: 'all' });
  });
  after(async () => {
    await waggle.stop();
  });

  /** Whatever the validator accepts, the engine runs: a refusal is a WaggleError (4xx), never a fault (500). */
  const ran = { count: 0 };
  async function runsOrRefuses(prepare: () => QuerySpec, disableSeries: boolean, input: unknown): Promise<void> {
    let spec: QuerySpec;
    try {
      spec = prepare();
    } catch (error) {
      if (error instanceof WaggleError) return;
      assert.fail(`validation threw ${(error as Error)?.name}: ${(error as Error)?.message} for ${JSON.stringify(input)}`);
    }
    try {
      await runner.run({ kind: 'all' }, spec, { disableSeries, timeoutMs: 20_000 });
      ran.count++;
    } catch (error) {
      if (error instanceof WaggleError && error.code !== 'internal') return;
      assert.fail(`an accepted query failed with ${(error as Error)?.name}: ${(error as Error)?.message}\nspec: ${JSON.stringify(spec)}\ninput: ${JSON.stringify(input)}`);
    }
  }

  it('runs every spec the validator accepts from spec-shaped JSON with odd values', async (t) => {
    ran.count = 0;
    await fc.assert(
      fc.asyncProperty(rawSpec, fc.boolean(), async (raw, disableSeries) => runsOrRefuses(() => prepareQuerySpec(raw, schema, { disableSeries }), disableSeries, raw)),
      fuzzParameters(1000),
    );
    t.diagnostic(`${ran.count} accepted specs ran`);
    assert.ok(ran.count > 0, 'no generated spec reached the engine');
  });

  it('runs every window the validator accepts from time fields and granularity alone', async (t) => {
    ran.count = 0;
    const edge = fc.oneof(fc.constantFrom(...EDGE_INTEGERS), edgeNumber);
    const window = fc.oneof(
      fc.record({ time_range: edge }),
      fc.record({ start_time: edge, end_time: edge }),
      fc.record({ start_time: edge, time_range: edge }),
      fc.record({ end_time: edge, time_range: edge }),
      fc.record({ time_range: edge, granularity: edge }),
      fc.record({ time_range: edge, start_time: edge, end_time: edge, granularity: edge }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(window, fc.boolean(), async (raw, disableSeries) => runsOrRefuses(() => prepareQuerySpec(raw, schema, { disableSeries }), disableSeries, raw)),
      fuzzParameters(600),
    );
    t.diagnostic(`${ran.count} accepted windows ran`);
    assert.ok(ran.count > 0, 'no generated window reached the engine');
  });

  it('parses text queries to a spec or a syntax error, and runs what parses', async (t) => {
    ran.count = 0;
    await fc.assert(
      fc.asyncProperty(textQuery, async (text) => runsOrRefuses(() => parseTextQuery(text, { schema }), false, text)),
      fuzzParameters(1000),
    );
    t.diagnostic(`${ran.count} parsed queries ran`);
    assert.ok(ran.count > 0, 'no generated text query reached the engine');
  });

  it(
    'runs HAVING COUNT > a, COUNT < b without breakdowns (found by this fuzz)',
    async () => {
      const spec = prepareQuerySpec({ calculations: [{ op: 'COUNT' }], havings: [{ calculate_op: 'COUNT', op: '>', value: 0 }, { calculate_op: 'COUNT', op: '<', value: 100 }] }, schema);
      const data = await runner.run({ kind: 'all' }, spec, { disableSeries: true, timeoutMs: 20_000 });
      assert.deepEqual(data.results, [{ data: { COUNT: 40 } }]);
    },
  );
});
