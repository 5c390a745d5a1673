import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidQueryError } from '../../src/core/errors.js';
import { duckdbParameters } from '../../src/query/compile/duckdb-parameters.js';
import type { QuerySchema } from '../../src/query/query-schema.js';
import { compileQueryFor, prepareQuerySpec, prepareTextQuery, querySpecToText, queryUiPath, shapeCompiledResult } from '../../src/query/query-engine.js';
import { CONFORMANCE_ROWS, NASTY_USER, T0 } from './conformance-dataset.js';
import { TABLE, insertSpans, openSpanTable, spanTableSchema, tableRelation } from './span-table-fixture.js';

/** The test schema plus columns whose logical names are hostile. */
function hostileSchema(): QuerySchema {
  const base = spanTableSchema();
  const extra = [
    { name: "'); DROP TABLE spans; --", type: 'string' as const, sql: 'c2', physicalColumns: ['c2'] },
    { name: '__proto__', type: 'string' as const, sql: 'service_name', physicalColumns: ['service_name'] },
  ];
  const all = [...base.columns(), ...extra];
  return { columns: () => all, column: (name) => all.find((c) => c.name === name), roles: base.roles };
}

let connection: DuckDBConnection;
let close: () => void;
before(async () => {
  ({ connection, close } = await openSpanTable());
  await insertSpans(connection, CONFORMANCE_ROWS);
});
after(() => close());

describe('query engine facade', () => {
  it('runs a text query end to end with hostile column names and values', async () => {
    const schema = hostileSchema();
    const spec = prepareTextQuery(`VISUALIZE COUNT WHERE \`'); DROP TABLE spans; --\` = "${NASTY_USER.replace(/"/g, '\\"')}" OR __proto__ = "db" GROUP BY \`__proto__\` FROM ${T0} TO ${T0 + 600}`, schema);
    const compiled = compileQueryFor('duckdb', spec, schema, { nowNs: 0n, relation: tableRelation, disableSeries: true });
    const { values, types } = duckdbParameters(compiled.parameters);
    const rows = (await connection.runAndReadAll(compiled.sql, values, types)).getRowsJS();
    const data = shapeCompiledResult(compiled, rows);
    assert.equal(JSON.stringify(data.results), '[{"data":{"__proto__":"db","COUNT":2}},{"data":{"__proto__":null,"COUNT":1}}]');
    const count = (await connection.runAndReadAll(`SELECT count(*) FROM ${TABLE}`)).getRowsJS();
    assert.deepEqual(count, [[8n]]);
  });

  it('rejects unknown columns of a JSON spec with a suggestion', () => {
    assert.throws(() => prepareQuerySpec({ breakdowns: ['service.nam'] }, spanTableSchema()), (e: unknown) => e instanceof InvalidQueryError && e.field === 'breakdowns[0]' && e.message === 'breakdowns[0]: no column service.nam; did you mean service.name?');
  });

  it('links a query to the UI with its text form', () => {
    const spec = prepareQuerySpec({ calculations: [{ op: 'P99', column: 'duration_ms' }], time_range: 3600 }, spanTableSchema());
    assert.equal(querySpecToText(spec), 'VISUALIZE P99(duration_ms) LAST 1h');
    assert.equal(queryUiPath('my api', spec), '/query?dataset=my%20api&q=VISUALIZE%20P99(duration_ms)%20LAST%201h');
  });

  it('uses now for a relative range and picks about 120 buckets', () => {
    const spec = prepareQuerySpec({ time_range: 7200 }, spanTableSchema());
    const compiled = compileQueryFor('duckdb', spec, spanTableSchema(), { nowNs: 10_000_000_000_000n, relation: tableRelation, disableSeries: false });
    assert.equal(compiled.layout.startNs, 10_000_000_000_000n - 7_200_000_000_000n);
    assert.equal(compiled.layout.endNs, 10_000_000_000_000n);
    assert.equal(compiled.layout.granularitySeconds, 60);
  });
});
