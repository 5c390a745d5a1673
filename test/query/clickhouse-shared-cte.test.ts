import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileQueryFor, prepareQuerySpec } from '../../src/query/query-engine.js';
import type { ColumnBinding, QuerySchema } from '../../src/query/query-schema.js';

const col = (name: string, type: ColumnBinding['type'], sql: string): ColumnBinding => ({ name, type, sql, physicalColumns: [sql] });
const COLUMNS = [col('service.name', 'string', 'service_name'), col('duration_ms', 'float', 'duration_ns')];
const ts = col('timestamp', 'integer', 'ts_ns');
const SCHEMA: QuerySchema = {
  column: (name) => COLUMNS.find((c) => c.name === name),
  columns: () => COLUMNS,
  roles: { timestampNs: ts, durationNs: col('duration_ns', 'integer', 'duration_ns'), traceId: ts, spanId: ts, parentId: ts, sampleRate: ts, spanKind: ts, ingestTime: ts },
};
const OPTIONS = { nowNs: 1_700_000_600_000_000_000n, relation: () => '(SELECT 1) AS t', relatedRelation: () => '(SELECT 1) AS t', disableSeries: false, weighted: false, relatedMarginNs: 0n };

describe('CTEs a query reads more than once', () => {
  const spec = prepareQuerySpec({ start_time: 1_700_000_000, end_time: 1_700_000_600, calculations: [{ op: 'COUNT' }], breakdowns: ['service.name'] }, SCHEMA);

  it('are computed once on ClickHouse, which would otherwise inline the aggregation into every reader', () => {
    const sql = compileQueryFor('clickhouse', spec, SCHEMA, OPTIONS).sql;
    assert.equal(sql.match(/__agg AS MATERIALIZED \(/g)?.length, 1);
    assert.equal(sql.match(/__top AS MATERIALIZED \(/g)?.length, 1);
  });

  it('are left to DuckDB, which materializes them by itself', () => {
    const sql = compileQueryFor('duckdb', spec, SCHEMA, OPTIONS).sql;
    assert.equal(sql.includes('MATERIALIZED'), false);
    assert.equal(sql.includes('__agg AS (SELECT'), true);
  });
});
