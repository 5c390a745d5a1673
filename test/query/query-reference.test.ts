import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { validateQuerySpec } from '../../src/query/query-spec-validator.js';
import type { QuerySpec } from '../../src/query/query-spec.js';
import { NASTY_STRINGS } from './arbitrary-query-spec.js';
import { RANGE, T0 } from './conformance-dataset.js';
import { runSpec } from './conformance-harness.js';
import { evaluateReference, type RefEvent, type RefRow } from './reference-evaluator.js';
import { SPAN_TABLE_BACKENDS, type SpanTable } from './span-table-backends.js';
import type { SpanRow } from './span-table-fixture.js';

const SERVICES = ['api', 'db', "'); DROP TABLE spans; --", 'é😀', 'a\u0000b'];

const eventArb = fc.record({
  offset: fc.integer({ min: 0, max: 599 }),
  durationMs: fc.option(fc.integer({ min: 0, max: 10_000 })),
  name: fc.option(NASTY_STRINGS),
  service: fc.option(fc.constantFrom(...SERVICES)),
  user: fc.option(fc.oneof(NASTY_STRINGS, fc.constantFrom('u1', 'u2'))),
  status: fc.option(fc.integer({ min: -3, max: 3 })),
  hit: fc.option(fc.boolean()),
});
type GenEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

const STRING_COLUMNS = ['name', 'service.name', 'user.id'];
const NUMERIC_COLUMNS = ['duration_ms', 'http.status_code'];

function toRef(e: GenEvent): RefEvent {
  return { name: e.name, 'service.name': e.service, 'user.id': e.user, 'http.status_code': e.status, 'cache.hit': e.hit, duration_ms: e.durationMs };
}

function toSpan(e: GenEvent): SpanRow {
  return {
    tsNs: BigInt(T0 + e.offset) * 1_000_000_000n,
    durationNs: e.durationMs === null ? null : BigInt(e.durationMs) * 1_000_000n,
    name: e.name,
    serviceName: e.service,
    attributes: { 'user.id': e.user, 'http.status_code': e.status, 'cache.hit': e.hit },
  };
}

const stringValue = fc.oneof(NASTY_STRINGS, fc.constantFrom(...SERVICES, 'u1', ''));
const filterArb = fc.oneof(
  fc.record({ column: fc.constantFrom(...STRING_COLUMNS), op: fc.constantFrom('=', '!=', 'starts-with', 'does-not-start-with', 'ends-with', 'does-not-end-with', 'contains', 'does-not-contain'), value: stringValue }),
  fc.record({ column: fc.constantFrom(...STRING_COLUMNS), op: fc.constantFrom('in', 'not-in'), value: fc.array(stringValue, { minLength: 1, maxLength: 3 }) }),
  fc.record({ column: fc.constantFrom(...NUMERIC_COLUMNS), op: fc.constantFrom('=', '!=', '>', '>=', '<', '<='), value: fc.integer({ min: -4, max: 5000 }) }),
  fc.record({ column: fc.constantFrom(...STRING_COLUMNS, ...NUMERIC_COLUMNS, 'cache.hit'), op: fc.constantFrom('exists', 'does-not-exist') }),
  fc.record({ column: fc.constant('cache.hit'), op: fc.constantFrom('=', '!='), value: fc.boolean() }),
);
const calcArb = fc.oneof(
  fc.constant({ op: 'COUNT' }),
  fc.record({ op: fc.constantFrom('SUM', 'MIN', 'MAX', 'AVG'), column: fc.constantFrom(...NUMERIC_COLUMNS) }),
  fc.record({ op: fc.constant('COUNT_DISTINCT'), column: fc.constantFrom(...STRING_COLUMNS, ...NUMERIC_COLUMNS, 'cache.hit') }),
);
const specArb = fc
  .record({
    calculations: fc.uniqueArray(calcArb, { minLength: 1, maxLength: 3, selector: (c) => JSON.stringify(c) }),
    filters: fc.array(filterArb, { maxLength: 3 }),
    filter_combination: fc.constantFrom('AND', 'OR'),
    breakdowns: fc.uniqueArray(fc.constantFrom('service.name', 'user.id', 'http.status_code', 'cache.hit'), { maxLength: 2 }),
  })
  .map((raw) => validateQuerySpec({ ...raw, ...RANGE, limit: 1000 }));

/** Rows in a canonical order with AVG rounded to survive summation-order differences. */
function canonical(rows: readonly RefRow[], spec: QuerySpec): string[] {
  return rows
    .map((row) => {
      const fixed: Record<string, unknown> = { ...row };
      for (const c of spec.calculations) {
        const label = `${c.op}(${c.column ?? ''})`;
        if (c.op === 'AVG' && typeof fixed[label] === 'number') fixed[label] = Number((fixed[label] as number).toPrecision(12));
      }
      return JSON.stringify(fixed, Object.keys(fixed).sort());
    })
    .sort();
}

for (const backend of SPAN_TABLE_BACKENDS) {
  describe(`query engine against a reference evaluator on ${backend.name}`, () => {
    let table: SpanTable;
    before(async () => {
      table = await backend.open();
    });
    after(() => table.close());

    it('agrees on random specs over random events with nasty strings', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(eventArb, { maxLength: 25 }), specArb, async (events, spec) => {
          await table.clear();
          await table.insert(events.map(toSpan));
          const data = await runSpec(table, spec as unknown as Record<string, unknown>);
          const engine = data.results.map((r) => r.data as RefRow);
          assert.deepEqual(canonical(engine, spec), canonical(evaluateReference(spec, events.map(toRef)), spec));
        }),
        { numRuns: 120 },
      );
    });
  });
}
