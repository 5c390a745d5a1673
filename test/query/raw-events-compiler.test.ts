import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbParameters } from '../../src/query/compile/duckdb-parameters.js';
import { rawEventsPageRows, shapeRawEvents } from '../../src/query/compile/raw-events-compiler.js';
import type { QuerySchema } from '../../src/query/query-schema.js';
import { compileRawEventsFor, prepareTextQuery } from '../../src/query/query-engine.js';
import { CONFORMANCE_ROWS, NASTY_USER, T0 } from './conformance-dataset.js';
import { TABLE, insertSpans, openSpanTable, spanTableSchema, tableRelation } from './span-table-fixture.js';

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
