import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbParameters } from '../../src/query/compile/duckdb-parameters.js';
import { shapeRawEvents } from '../../src/query/compile/raw-events-compiler.js';
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
    const compiled = compileRawEventsFor('duckdb', spec, schema, { nowNs: 0n, relation: tableRelation, disableSeries: true }, { columns: ["'); DROP TABLE spans; --", 'user.id'], limit: 3, offset: 1 });
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
});
