import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BubbleUpRunner } from '../../src/query/bubbleup/bubbleup-runner.js';
import { ServiceMapRunner } from '../../src/query/service-map/service-map-runner.js';
import { QueryTimeoutError, StoreOutOfMemoryError } from '../../src/core/errors.js';
import type { SpanStore } from '../../src/store/span-store.js';
import { validateBubbleUpSelection } from '../../src/query/bubbleup/bubbleup-request.js';
import { shapeBubbleUpResult } from '../../src/query/bubbleup/bubbleup-result-shaper.js';
import { validateQuerySpec } from '../../src/query/query-spec-validator.js';
import { duckdbDialect } from '../../src/query/compile/duckdb-dialect.js';
import { blockSampleUnit } from '../../src/store/span-store.js';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { otlpSpansJson, postOtlpJson, type OtlpJsonAttribute, type TestSpan } from '../support/otlp-json-spans.js';
import { SERVER_STORES } from '../support/store-backends.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const NOW_MS = Date.now();
const NOW_S = Math.floor(NOW_MS / 1000);

type Attr = OtlpJsonAttribute;

/** A span `offsetMs` before the test started. */
type SpanSpec = Omit<TestSpan, 'startMs'> & { offsetMs: number };

function otlpJson(service: string, spans: readonly SpanSpec[]): string {
  return otlpSpansJson(service, spans.map((s) => ({ ...s, startMs: NOW_MS - s.offsetMs })), { name: 'test', version: '1' });
}

async function send(waggle: Waggle, service: string, spans: readonly SpanSpec[]): Promise<void> {
  const response = await postOtlpJson(waggle, otlpJson(service, spans));
  assert.equal(response.status, 200, await response.text());
}

async function post(waggle: Waggle, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(waggle.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function get(waggle: Waggle, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(waggle.baseUrl + path);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface Dimension {
  column: string;
  score: number;
  selected: unknown[];
  baseline: unknown[];
}

for (const [storeName, storeConfig] of SERVER_STORES) describe(`BubbleUp and service map APIs over real ingested spans (${storeName} store)`, () => {
  let waggle: Waggle;
  // The db spans, sent again by a test: one list per store's server.
  const db: SpanSpec[] = [];
  before(async () => {
    waggle = await startTestWaggle(storeConfig);
    // checkout: 8 fast spans (u1, u2; status 200; cached) and 2 slow ones (ada; 500; one cached).
    const checkout: SpanSpec[] = [];
    for (let i = 0; i < 10; i++) {
      const slow = i >= 8;
      const attributes: Attr[] = [
        { key: 'user.id', value: { stringValue: slow ? 'ada' : i % 2 === 0 ? 'u1' : 'u2' } },
        { key: 'http.status_code', value: { intValue: slow ? 500 : 200 } },
      ];
      if (!slow || i === 8) attributes.push({ key: 'cached', value: { boolValue: true } });
      checkout.push({ trace: 100 + i, span: 1000 + i, name: 'POST /checkout', ms: slow ? 1000 : 10, offsetMs: 60_000 + i * 1000, attributes });
    }
    await send(waggle, 'checkout', checkout);

    // Service map: frontend → api (6 calls, 1 failed) → db (2 calls, 1 failed); api → api is no edge.
    const frontend: SpanSpec[] = [];
    const api: SpanSpec[] = [];
    for (let t = 1; t <= 6; t++) {
      const offset = 120_000 + t * 1000;
      frontend.push({ trace: t, span: t * 10, name: 'GET /', ms: 100, offsetMs: offset });
      api.push({ trace: t, span: t * 10 + 1, parent: t * 10, name: 'handle', ms: 10 * t, offsetMs: offset - 1, error: t === 6, withEvent: t === 6 });
      api.push({ trace: t, span: t * 10 + 2, parent: t * 10 + 1, name: 'internal', ms: 1, offsetMs: offset - 2 });
      if (t <= 2) db.push({ trace: t, span: t * 10 + 3, parent: t * 10 + 1, name: 'query', ms: t === 1 ? 5 : 15, offsetMs: offset - 3, error: t === 1 });
    }
    await send(waggle, 'frontend', frontend);
    await send(waggle, 'api', api);
    await send(waggle, 'db', db);
    await waggle.ingest.flushNow();
  });
  after(async () => {
    await waggle.stop();
  });

  const query = { time_range: 600, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] };

  const expectedTop: Dimension[] = [
    {
      column: 'duration_ms',
      score: 1,
      selected: [{ value: '901 – 1000', count: 2, fraction: 1, lower: 901, upper: 1000 }],
      baseline: [{ value: '10 – 109', count: 8, fraction: 1, lower: 10, upper: 109 }],
    },
    {
      column: 'http.status_code',
      score: 1,
      selected: [{ value: '479 – 509', count: 2, fraction: 1, lower: 479, upper: 510 }],
      baseline: [{ value: '200 – 230', count: 8, fraction: 1, lower: 200, upper: 231 }],
    },
    {
      column: 'user.id',
      score: 1,
      selected: [{ value: 'ada', count: 2, fraction: 1 }],
      baseline: [
        { value: 'u1', count: 4, fraction: 0.5 },
        { value: 'u2', count: 4, fraction: 0.5 },
      ],
    },
    {
      column: 'cached',
      score: 0.5,
      selected: [
        { value: true, count: 1, fraction: 0.5 },
        { value: 'missing', count: 1, fraction: 0.5, missing: true },
      ],
      baseline: [{ value: true, count: 8, fraction: 1 }],
    },
  ];

  it('compares a heatmap box (time range × duration range) with the rest of the query across every column', async () => {
    const answer = await post(waggle, '/api/bubbleup/checkout', {
      query,
      selection: { start_time: NOW_S - 600, end_time: NOW_S + 60, column: 'duration_ms', min: 500, max: 2000 },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['selected_count'], 2);
    assert.equal(answer.body['baseline_count'], 8);
    const dimensions = answer.body['dimensions'] as Dimension[];
    assert.deepEqual(dimensions.slice(0, 4), expectedTop);
    // Everything else is alike on both sides; ids are not compared (every span has its own).
    assert.deepEqual(
      dimensions.slice(4).map((d) => [d.column, d.score]),
      [
        ['error', 0],
        ['library.name', 0],
        ['library.version', 0],
        ['meta.annotation_type', 0],
        ['name', 0],
        ['service.name', 0],
        ['span.kind', 0],
        ['status_code', 0],
        ['status_message', 0],
      ],
    );
    assert.deepEqual(dimensions.find((d) => d.column === 'name')?.selected, [{ value: 'POST /checkout', count: 2, fraction: 1 }]);
    assert.deepEqual(dimensions.find((d) => d.column === 'error')?.baseline, [{ value: false, count: 8, fraction: 1 }]);
    assert.deepEqual(answer.body['columns_left_out'], []);
  });

  it('compares the events matching extra filters with the rest of the query, with the same answer', async () => {
    const answer = await post(waggle, '/api/bubbleup/checkout', { query, selection: { filters: [{ column: 'user.id', op: '=', value: 'ada' }] } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['selected_count'], 2);
    assert.equal(answer.body['baseline_count'], 8);
    assert.deepEqual((answer.body['dimensions'] as Dimension[]).slice(0, 4), expectedTop);
  });

  it("BubbleUps a stored derived column's failures against its successes (an SLO's SLI = false vs true)", async () => {
    const created = await post(waggle, '/1/derived_columns/checkout', { alias: 'fast_sli', expression: 'LT($duration_ms, 500)' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const answer = await post(waggle, '/api/bubbleup/checkout', {
      query: { ...query, filters: [{ column: 'fast_sli', op: 'exists' }] },
      selection: { filters: [{ column: 'fast_sli', op: '=', value: false }] },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['selected_count'], 2);
    assert.equal(answer.body['baseline_count'], 8);
    assert.deepEqual((answer.body['dimensions'] as Dimension[]).slice(0, 4), expectedTop);
    // A derived column the dataset does not have is refused, naming the field.
    const unknown = await post(waggle, '/api/bubbleup/checkout', { query, selection: { filters: [{ column: 'no_such_sli', op: '=', value: false }] } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['field'], 'selection.filters[0].column');
  });

  it("keeps the query's filters: only its events are split into selection and baseline", async () => {
    const answer = await post(waggle, '/api/bubbleup/__all__', {
      query: { time_range: 600, filters: [{ column: 'service.name', op: '=', value: 'checkout' }, { column: 'user.id', op: '!=', value: 'u2' }] },
      selection: { filters: [{ column: 'cached', op: 'does-not-exist' }] },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['selected_count'], 1);
    assert.equal(answer.body['baseline_count'], 5);
    const user = (answer.body['dimensions'] as Dimension[]).find((d) => d.column === 'user.id');
    assert.deepEqual(user, {
      column: 'user.id',
      score: 0.8,
      selected: [{ value: 'ada', count: 1, fraction: 1 }],
      baseline: [
        { value: 'u1', count: 4, fraction: 0.8 },
        { value: 'ada', count: 1, fraction: 0.2 },
      ],
    });
  });

  it('compares a sample of a side when asked to: its shares from the sample, its counts scaled, the totals exact', async () => {
    const runner = new BubbleUpRunner(waggle.store);
    const selection = validateBubbleUpSelection({ filters: [{ column: 'user.id', op: '=', value: 'ada' }] });
    const spec = validateQuerySpec(query);
    const checkout = waggle.store.findDataset('checkout');
    assert.ok(checkout);
    const { compiled } = await runner.compile(checkout.selector, spec, selection, undefined, { selectedRate: 1, baselineRate: 0.5 });
    const rows = await waggle.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: 10_000 });
    const answer = shapeBubbleUpResult(compiled, rows.rows, { selected: 2, baseline: 8 });
    assert.equal(answer.selected_count, 2);
    assert.equal(answer.baseline_count, 8);
    assert.deepEqual(answer.sample_rates, { selected: 1, baseline: 0.5 });
    const users = answer.dimensions.find((d) => d.column === 'user.id');
    assert.ok(users);
    // The selection is read whole.
    assert.deepEqual(users.selected, [{ value: 'ada', count: 2, fraction: 1 }]);
    // The baseline: about half of its 8 events, each counted twice; shares of the sample sum to 1.
    const sampled = users.baseline.reduce((n, v) => n + v.count, 0);
    assert.ok(users.baseline.every((v) => v.count % 2 === 0 && (v.value === 'u1' || v.value === 'u2')), JSON.stringify(users.baseline));
    if (sampled > 0) assert.ok(Math.abs(users.baseline.reduce((f, v) => f + v.fraction, 0) - 1) < 1e-9);
    assert.ok(sampled <= 16);
  });

  it('compares a block sample when the store samples blocks: each side keeps its own blocks and share of their events, the rates are the given ones', { skip: storeName !== 'duckdb' }, async () => {
    const runner = new BubbleUpRunner(waggle.store);
    const selection = validateBubbleUpSelection({ filters: [{ column: 'user.id', op: '=', value: 'ada' }] });
    const spec = validateQuerySpec(query);
    const checkout = waggle.store.findDataset('checkout');
    assert.ok(checkout);
    const rowsPerBlock = waggle.store.capabilities.rowsPerBlock;
    assert.equal(rowsPerBlock, 2048);
    const compare = async (baseline: { blockRate: number; keepRate: number }): Promise<ReturnType<typeof shapeBubbleUpResult>> => {
      const rate = baseline.blockRate * baseline.keepRate;
      const sampling = { selectedRate: 1, baselineRate: rate, blocks: { rowsPerBlock: rowsPerBlock!, selected: { blockRate: 1, keepRate: 1, rate: 1 }, baseline: { ...baseline, rate } } };
      const { compiled } = await runner.compile(checkout.selector, spec, selection, undefined, sampling);
      const rows = await waggle.store.runSql(compiled.sql, compiled.parameters, { timeoutMs: 10_000 });
      return shapeBubbleUpResult(compiled, rows.rows, { selected: 2, baseline: 8 });
    };
    // No baseline block kept (a rate below every block's unit): the selection alone, whole.
    const none = await compare({ blockRate: 1e-9, keepRate: 1 });
    assert.deepEqual(none.sample_rates, { selected: 1, baseline: 1e-9 });
    const noneUsers = none.dimensions.find((d) => d.column === 'user.id');
    assert.deepEqual(noneUsers?.selected, [{ value: 'ada', count: 2, fraction: 1 }]);
    assert.deepEqual(noneUsers?.baseline, []);
    // Every block, half the events (by the event hash): about half of the 8, each counted twice.
    const half = await compare({ blockRate: 1, keepRate: 0.5 });
    assert.deepEqual(half.sample_rates, { selected: 1, baseline: 0.5 });
    const users = half.dimensions.find((d) => d.column === 'user.id');
    assert.ok(users);
    assert.deepEqual(users.selected, [{ value: 'ada', count: 2, fraction: 1 }]);
    assert.ok(users.baseline.every((v) => v.count % 2 === 0 && (v.value === 'u1' || v.value === 'u2')), JSON.stringify(users.baseline));
    // A block rate just above the unit of the block holding them: that block whole, so every baseline event, each counted 1 ÷ rate times.
    const unit = blockSampleUnit(duckdbDialect.sampleUnit, '__row', '__segment', rowsPerBlock!);
    const units = (await waggle.store.runSql(`SELECT DISTINCT ${unit} FROM ${waggle.store.relation(checkout.selector, ['__row', '__segment', 'ts_ns'], { startNs: 0n, endNs: 2n ** 62n })} AS s`, [], { timeoutMs: 10_000 })).rows.map((r) => Number(r[0]));
    assert.equal(units.length, 1, `the checkout spans lie in one block: ${JSON.stringify(units)}`);
    const blockRate = Math.min(1, units[0]! + 1e-6);
    const oneBlock = await compare({ blockRate, keepRate: 1 });
    assert.deepEqual(oneBlock.dimensions.find((d) => d.column === 'user.id')?.baseline, [
      { value: 'u1', count: Math.round(4 / blockRate), fraction: 0.5 },
      { value: 'u2', count: Math.round(4 / blockRate), fraction: 0.5 },
    ]);
    // Every block and every event: the exact comparison.
    const whole = await compare({ blockRate: 1, keepRate: 1 });
    assert.deepEqual(whole.dimensions.find((d) => d.column === 'user.id')?.baseline, [
      { value: 'u1', count: 4, fraction: 0.5 },
      { value: 'u2', count: 4, fraction: 0.5 },
    ]);
  });

  it('answers zero counts and zero scores when the query has no events', async () => {
    const answer = await post(waggle, '/api/bubbleup/checkout', { query: { ...query, filters: [{ column: 'user.id', op: '=', value: 'nobody' }] }, selection: { filters: [{ column: 'user.id', op: 'exists' }] } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['selected_count'], 0);
    assert.equal(answer.body['baseline_count'], 0);
    assert.ok((answer.body['dimensions'] as Dimension[]).every((d) => d.score === 0 && d.selected.length === 0 && d.baseline.length === 0));
  });

  it('refuses bad BubbleUp requests with 400 JSON naming the field', async () => {
    const box = { start_time: NOW_S - 600, end_time: NOW_S, column: 'duration_ms', min: 0, max: 10 };
    const cases: Array<[unknown, string, string]> = [
      [{ query, selection: { ...box, column: 'no.such.column' } }, 'selection.column', 'selection.column: no column no.such.column'],
      [{ query, selection: { ...box, column: 'user.id' } }, 'selection.column', 'selection.column: must be a number column (a heatmap\'s), user.id is string'],
      [{ query, selection: { ...box, min: 10, max: 1 } }, 'selection.max', 'selection.max: must be at least min (10), got 1'],
      [{ query, selection: { ...box, end_time: NOW_S - 700 } }, 'selection.end_time', 'selection.end_time: must be after start_time'],
      [{ query, selection: { ...box, min: 'zero' } }, 'selection.min', 'selection.min: must be a finite number, got "zero"'],
      [{ query, selection: { ...box, extra: 1 } }, 'selection.extra', 'selection.extra: unknown field'],
      [{ query }, 'selection', 'selection: required: {"start_time", "end_time", "column", "min", "max"} or {"filters": [...]}'],
      [{ query, selection: { filters: [] } }, 'selection.filters', 'selection.filters: must be a non-empty list of filters'],
      [{ query, selection: { filters: [{ column: 'user.id', op: '~', value: 'x' }] } }, 'selection.filters[0].op', ''],
      [{ query, selection: { filters: [{ column: 'nope', op: '=', value: 'x' }] } }, 'selection.filters[0].column', 'selection.filters[0].column: no column nope; did you mean name?'],
      [{ query, selection: { filters: [{ column: 'any.user.id', op: '=', value: 'x' }] } }, 'selection.filters[0].column', ''],
      [{ query, selection: { filters: Array.from({ length: 101 }, () => ({ column: 'user.id', op: '=', value: 'x' })) } }, 'selection.filters', 'selection.filters: at most 100 filters, got 101'],
      [{ query: { ...query, filters: [{ column: 'nope', op: 'exists' }] }, selection: box }, 'query.filters[0].column', 'query.filters[0].column: no column nope; did you mean name?'],
      [{ query: { time_range: 'soon' }, selection: box }, 'query.time_range', ''],
      [{ query, selection: box, other: true }, 'other', 'other: unknown field (expected query and selection)'],
    ];
    for (const [body, field, message] of cases) {
      const answer = await post(waggle, '/api/bubbleup/checkout', body);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 200));
      assert.equal(answer.body['field'], field, JSON.stringify(answer.body));
      if (message !== '') assert.equal(answer.body['error'], message);
    }
    const notObject = await post(waggle, '/api/bubbleup/checkout', '[1, 2]');
    assert.equal(notObject.status, 400);
    assert.match(String(notObject.body['error']), /JSON object/);
    const huge = await post(waggle, '/api/bubbleup/checkout', { query, selection: { filters: [{ column: 'user.id', op: 'in', value: Array.from({ length: 200_000 }, (_, i) => `user-${i}`) }] } });
    assert.equal(huge.status, 413);
    const unknownDataset = await post(waggle, '/api/bubbleup/no-such-dataset', { query, selection: box });
    assert.equal(unknownDataset.status, 404);
  });

  it('maps calls between services: an edge per span whose parent is in another service', async () => {
    const answer = await get(waggle, `/api/service-map?dataset=__all__&start_time=${NOW_S - 600}&end_time=${NOW_S + 60}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, {
      nodes: [
        { service: 'api', span_count: 12, error_count: 1 },
        { service: 'checkout', span_count: 10, error_count: 0 },
        { service: 'frontend', span_count: 6, error_count: 0 },
        { service: 'db', span_count: 2, error_count: 1 },
      ],
      edges: [
        { source: 'frontend', target: 'api', calls: 6, errors: 1, p50_ms: 35, p95_ms: 57.5 },
        { source: 'api', target: 'db', calls: 2, errors: 1, p50_ms: 10, p95_ms: 14.5 },
      ],
      sample_rate: 1,
    });
    const relative = await get(waggle, '/api/service-map?time_range=600');
    assert.deepEqual(relative.body, answer.body);
    const empty = await get(waggle, `/api/service-map?start_time=${NOW_S - 86_400}&end_time=${NOW_S - 86_000}`);
    assert.deepEqual(empty.body, { nodes: [], edges: [], sample_rate: 1 });
  });

  it("maps only the chosen dataset's spans as callees, their callers found in any dataset", async () => {
    const answer = await get(waggle, '/api/service-map?dataset=db&time_range=600');
    assert.deepEqual(answer.body, {
      nodes: [
        { service: 'db', span_count: 2, error_count: 1 },
        { service: 'api', span_count: 0, error_count: 0 },
      ],
      edges: [{ source: 'api', target: 'db', calls: 2, errors: 1, p50_ms: 10, p95_ms: 14.5 }],
      sample_rate: 1,
    });
  });

  it('maps 1 in N traces, by trace id, when the spans to join are more than it may join at once, and scales what it counted', async () => {
    // 30 spans could be callers (checkout 10, frontend 6, api 12, db 2): at most 15 joined → 1 in 2
    // traces, those of even id: 2, 4 and 6 (frontend → api; api 'handle' spans of 20, 40 and 60 ms,
    // the last failed) and 2 (api → db, 15 ms). The nodes are counted over every span.
    const window = { startNs: BigInt(NOW_S - 600) * 1_000_000_000n, endNs: BigInt(NOW_S + 60) * 1_000_000_000n };
    const exact = (await get(waggle, `/api/service-map?dataset=__all__&start_time=${NOW_S - 600}&end_time=${NOW_S + 60}`)).body;
    const sampled = await new ServiceMapRunner(waggle.store, { maxJoinedSpans: 15 }).run({ kind: 'all' }, window, 10_000);
    assert.deepEqual(sampled, {
      nodes: exact['nodes'],
      edges: [
        { source: 'frontend', target: 'api', calls: 6, errors: 2, p50_ms: 40, p95_ms: 58 },
        { source: 'api', target: 'db', calls: 2, errors: 0, p50_ms: 15, p95_ms: 15 },
      ],
      sample_rate: 2,
    });
    // At most 10 joined → 1 in 3: traces 3 and 6 call api (30 and 60 ms, the last failed); no trace
    // of id 3 or 6 has a db span, so that edge is not seen.
    const sparser = await new ServiceMapRunner(waggle.store, { maxJoinedSpans: 10 }).run({ kind: 'all' }, window, 10_000);
    assert.deepEqual(sparser.edges, [{ source: 'frontend', target: 'api', calls: 6, errors: 3, p50_ms: 45, p95_ms: 58.5 }]);
    assert.equal(sparser.sample_rate, 3);
    assert.deepEqual(sparser.nodes, sampled.nodes);
    // Exactly as many as it may join: every trace, the answer the API gives.
    assert.deepEqual(await new ServiceMapRunner(waggle.store, { maxJoinedSpans: 30 }).run({ kind: 'all' }, window, 10_000), exact);
  });

  it('halves the traces it maps each time the store runs out of memory, and says at which rate it answered', async () => {
    // The store, with its map statements failing as DuckDB's do when its memory runs out, below
    // a rate of 4 (what DuckDB's join needs is not only its spans: BENCHMARKS.md run BC).
    const rates: number[] = [];
    const shortOfMemory = (below: number): SpanStore => failingMaps((rate) => (rate < below ? new StoreOutOfMemoryError('Out of Memory Error: failed to pin block of size 256.0 KiB') : null));
    const failingMaps = (failure: (rate: number) => Error | null): SpanStore =>
      new Proxy(waggle.store, {
        get(target, key) {
          if (key === 'runSql') {
            return async (sql: string, params: Parameters<SpanStore['runSql']>[1], options: Parameters<SpanStore['runSql']>[2]) => {
              if (sql.includes('__calls')) {
                const rate = Number(/% (\d+) = 0/.exec(sql)?.[1] ?? 1);
                rates.push(rate);
                const error = failure(rate);
                if (error !== null) throw error;
              }
              return target.runSql(sql, params, options);
            };
          }
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const window = { startNs: BigInt(NOW_S - 600) * 1_000_000_000n, endNs: BigInt(NOW_S + 60) * 1_000_000_000n };
    // 1 in 2 fails, 1 in 4 answers: trace 4 calls api (40 ms); no trace of id 4 or 8 reaches db.
    const map = await new ServiceMapRunner(shortOfMemory(4), { maxJoinedSpans: 15 }).run({ kind: 'all' }, window, 10_000);
    assert.deepEqual(rates, [2, 4]);
    assert.equal(map.sample_rate, 4);
    assert.deepEqual(map.edges, [{ source: 'frontend', target: 'api', calls: 4, errors: 0, p50_ms: 40, p95_ms: 40 }]);
    assert.equal(map.nodes.length, 4);
    // Never enough: halved while there are traces to halve (30 spans: up to 1 in 16), then the error.
    rates.length = 0;
    await assert.rejects(new ServiceMapRunner(shortOfMemory(1000), { maxJoinedSpans: 100 }).run({ kind: 'all' }, window, 10_000), StoreOutOfMemoryError);
    assert.deepEqual(rates, [1, 2, 4, 8, 16]);
    // Out of time: the answer names the map's own time limit, not what was left of it for the last try.
    rates.length = 0;
    const slow = failingMaps((rate) => (rate < 4 ? new StoreOutOfMemoryError('Out of Memory Error') : new QueryTimeoutError('the query took longer than 1234.5 ms and was stopped')));
    await assert.rejects(new ServiceMapRunner(slow, { maxJoinedSpans: 15 }).run({ kind: 'all' }, window, 10_000), {
      name: 'QueryTimeoutError',
      message: 'the service map took longer than 10000 ms and was stopped (its last try joined 1 in 4 traces); narrow its time range',
    });
    assert.deepEqual(rates, [2, 4]);
  });

  it('refuses bad service map parameters with 400 JSON', async () => {
    for (const [query, field] of [
      ['time_range=soon', 'time_range'],
      ['time_range=-5', 'time_range'],
      ['start_time=10&end_time=5', 'end_time'],
      ['time_range=99999999999', 'time_range'],
    ] as const) {
      const answer = await get(waggle, `/api/service-map?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body['field'], field, JSON.stringify(answer.body));
    }
    assert.equal((await get(waggle, '/api/service-map?dataset=nope')).status, 404);
  });

  it('counts a call once when its span is delivered twice', async () => {
    await send(waggle, 'db', db);
    await waggle.ingest.flushNow();
    const answer = await get(waggle, '/api/service-map?dataset=db&time_range=600');
    assert.deepEqual(answer.body, {
      nodes: [
        { service: 'db', span_count: 4, error_count: 2 },
        { service: 'api', span_count: 0, error_count: 0 },
      ],
      edges: [{ source: 'api', target: 'db', calls: 2, errors: 1, p50_ms: 10, p95_ms: 14.5 }],
      sample_rate: 1,
    });
  });
});
