import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbParameters } from '../../src/query/compile/duckdb-parameters.js';
import { rawEventsPageRows, rawEventsSpan, shapeRawEvents } from '../../src/query/compile/raw-events-compiler.js';
import type { QuerySchema } from '../../src/query/query-schema.js';
import { compileRawEventsFor, compileRawEventsSpanFor, prepareTextQuery } from '../../src/query/query-engine.js';
import { CONFORMANCE_ROWS, NASTY_USER, T0 } from './conformance-dataset.js';
import { TABLE, insertSpans, openSpanTable, spanTableSchema, tableRelation, type SpanRow } from './span-table-fixture.js';

let connection: DuckDBConnection;
let close: () => void;
before(async () => {
  ({ connection, close } = await openSpanTable());
  await insertSpans(connection, CONFORMANCE_ROWS);
});
after(() => close());

/** The test schema plus a column whose logical name is hostile. */
function hostileSchema(): QuerySchema {
  const base = spanTableSchema();
  const all = [...base.columns(), { name: "'); DROP TABLE spans; --", type: 'string' as const, sql: 'service_name', physicalColumns: ['service_name'] }];
  return { columns: () => all, column: (name) => all.find((c) => c.name === name), roles: base.roles };
}

describe('raw events compiler', () => {
  it('lists the filtered events newest first, with values only as parameters and names never in the SQL', async () => {
    const schema = hostileSchema();
    const spec = prepareTextQuery(`VISUALIZE P95(duration_ms) WHERE user.id != ${JSON.stringify(NASTY_USER)} FROM ${T0} TO ${T0 + 600}`, schema);
    const compiled = compileRawEventsFor('duckdb', spec, schema, { nowNs: 0n, relation: tableRelation, disableSeries: true }, { columns: ["'); DROP TABLE spans; --", 'user.id'], limit: 3, offset: 1, maxBytes: 1_000_000 });
    assert.ok(!compiled.sql.includes('DROP') && !compiled.sql.includes(NASTY_USER));
    const { values, types } = duckdbParameters(compiled.parameters);
    const rows = shapeRawEvents(compiled, (await connection.runAndReadAll(compiled.sql, values, types)).getRowsJS());
    assert.deepEqual(compiled.columns, ['timestamp', "'); DROP TABLE spans; --", 'user.id']);
    assert.equal(rows.length, 3);
    const times = rows.map((r) => String(r['timestamp']));
    assert.deepEqual([...times].sort().reverse(), times);
    assert.ok(rows.every((r) => r['user.id'] !== NASTY_USER));
    const count = (await connection.runAndReadAll(`SELECT count(*) FROM ${TABLE}`)).getRowsJS();
    assert.deepEqual(count, [[8n]]);
  });

  it('ends the page after the event whose estimated JSON crosses maxBytes, and tells the uncut page size', async () => {
    const schema = spanTableSchema();
    const spec = prepareTextQuery(`VISUALIZE COUNT FROM ${T0} TO ${T0 + 600}`, schema);
    const page = async (maxBytes: number, limit = 10): Promise<{ names: unknown[]; pageRows: number }> => {
      const compiled = compileRawEventsFor('duckdb', spec, schema, { nowNs: 0n, relation: tableRelation, disableSeries: true }, { columns: ['name'], limit, offset: 0, maxBytes });
      const { values, types } = duckdbParameters(compiled.parameters);
      const rows = (await connection.runAndReadAll(compiled.sql, values, types)).getRowsJS();
      return { names: shapeRawEvents(compiled, rows).map((r) => r['name']), pageRows: rawEventsPageRows(compiled, rows) };
    };
    // A row is 59 bytes (its keys, quotes and 32 for the timestamp's text) and its name: deploy 65,
    // GET /cart 68, SELECT 65, GET /checkout 72 … (running sums before each: 0, 65, 133, 198).
    assert.deepEqual(await page(1_000_000), { names: ['deploy', 'GET /cart', 'SELECT', 'GET /checkout', 'GET /price', 'SELECT', 'GET /cart'], pageRows: 7 });
    assert.deepEqual(await page(134), { names: ['deploy', 'GET /cart', 'SELECT'], pageRows: 7 });
    assert.deepEqual(await page(133), { names: ['deploy', 'GET /cart'], pageRows: 7 });
    // The first event always comes, however large.
    assert.deepEqual(await page(1), { names: ['deploy'], pageRows: 7 });
    assert.deepEqual(await page(1_000_000, 2), { names: ['deploy', 'GET /cart'], pageRows: 2 });
  });
});

describe('raw events in two steps (the page\'s span, then its events)', () => {
  // 14 events over 5 nanoseconds, most of them sharing one with others: pages start and end inside runs of ties.
  const NS = BigInt(T0) * 1_000_000_000n + 5_000_000_000n;
  const tied: SpanRow[] = [3, 1, 3, 3, 2, 0, 3, 1, 4, 3, 1, 2, 3, 0].map((step, i) => ({ tsNs: NS + BigInt(step), name: `op-${(i * 7) % 5}`, serviceName: `svc-${(i * 3) % 4}`, attributes: { 'user.id': `u${i % 3}` } }));
  let tiedConnection: DuckDBConnection;
  let closeTied: () => void;
  before(async () => {
    ({ connection: tiedConnection, close: closeTied } = await openSpanTable());
    await insertSpans(tiedConnection, tied);
  });
  after(() => closeTied());

  it('answers every page exactly as one sort of the whole selection does, ties on the timestamp included', async () => {
    const schema = spanTableSchema();
    const spec = prepareTextQuery(`VISUALIZE COUNT FROM ${T0} TO ${T0 + 600}`, schema);
    const options = { nowNs: 0n, relation: tableRelation, disableSeries: true };
    const run = async (sql: string, parameters: Parameters<typeof duckdbParameters>[0]): Promise<unknown[][]> => {
      const { values, types } = duckdbParameters(parameters);
      return (await tiedConnection.runAndReadAll(sql, values, types)).getRowsJS();
    };
    const columns = ['name', 'service.name', 'user.id'];
    const whole = async (limit: number, offset: number): Promise<unknown[]> => {
      const compiled = compileRawEventsFor('duckdb', spec, schema, options, { columns, limit, offset, maxBytes: 1_000_000 });
      const rows = await run(compiled.sql, compiled.parameters);
      return [shapeRawEvents(compiled, rows), rawEventsPageRows(compiled, rows)];
    };
    const twoSteps = async (limit: number, offset: number): Promise<unknown[]> => {
      const located = compileRawEventsSpanFor('duckdb', spec, schema, options, { limit, offset });
      const span = rawEventsSpan(await run(located.sql, located.parameters));
      if (span === null) return [[], 0];
      const compiled = compileRawEventsFor('duckdb', spec, schema, options, { columns, limit, offset, maxBytes: 1_000_000 }, span);
      const rows = await run(compiled.sql, compiled.parameters);
      return [shapeRawEvents(compiled, rows), rawEventsPageRows(compiled, rows)];
    };
    let compared = 0;
    for (const limit of [1, 2, 3, 5, 14, 20]) {
      for (let offset = 0; offset <= 15; offset++) {
        assert.deepEqual(await twoSteps(limit, offset), await whole(limit, offset), `limit ${limit}, offset ${offset}`);
        compared += 1;
      }
    }
    assert.equal(compared, 96);
    // The span of a page inside the ties: the 4th to 6th newest (offset 3, limit 3) are all at +3 ns, after one at +4.
    const located = compileRawEventsSpanFor('duckdb', spec, schema, options, { limit: 3, offset: 3 });
    assert.deepEqual(rawEventsSpan(await run(located.sql, located.parameters)), { newestNs: NS + 3n, oldestNs: NS + 3n, newer: 1 });
    const past = compileRawEventsSpanFor('duckdb', spec, schema, options, { limit: 3, offset: 14 });
    assert.equal(rawEventsSpan(await run(past.sql, past.parameters)), null);
  });
});
