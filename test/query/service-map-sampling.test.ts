import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duckdbDialect } from '../../src/query/compile/duckdb-dialect.js';
import { compileServiceMap, compileServiceMapCallerCount, serviceMapTraceSampleRate } from '../../src/query/service-map/service-map-sql.js';
import { serviceMapJoinedSpans } from '../../src/query/service-map/service-map-runner.js';
import { spanTableSchema, tableRelation } from './span-table-fixture.js';

const WINDOW = { startNs: 1_700_000_000_000_000_000n, endNs: 1_700_086_400_000_000_000n };
const RELATIONS = { relation: tableRelation, parentRelation: tableRelation, parentMarginNs: 3_600_000_000_000n };

describe('the service map over 1 in N traces', () => {
  it('counts the spans its join would look for callers among: every one in the window and the hour before it', () => {
    const count = compileServiceMapCallerCount(spanTableSchema(), duckdbDialect, WINDOW, RELATIONS);
    assert.equal(
      count.sql,
      'SELECT count(*) AS __n FROM (SELECT annotation_type, service_name, span_id, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $1 AND (ts_ns) < $2 AND (annotation_type) IS NULL AND (span_id) IS NOT NULL',
    );
    assert.deepEqual(count.parameters, [
      { type: 'bigint', value: 1_699_996_400_000_000_000n },
      { type: 'bigint', value: 1_700_086_400_000_000_000n },
    ]);
  });

  it('filters both sides of the join by the trace id and keeps them before joining, and nothing else', () => {
    const exact = compileServiceMap(spanTableSchema(), duckdbDialect, WINDOW, { ...RELATIONS, traceSampleRate: 1 });
    const sampled = compileServiceMap(spanTableSchema(), duckdbDialect, WINDOW, { ...RELATIONS, traceSampleRate: 3 });
    const filter = ' AND CAST((trace_id) & CAST(4294967295 AS UHUGEINT) AS BIGINT) % 3 = 0';
    assert.equal(sampled.sql.split(filter).length - 1, 2);
    assert.match(sampled.sql, /__s AS MATERIALIZED \([^\n]* AS BIGINT\) % 3 = 0\),\n__p AS MATERIALIZED \([^\n]* AS BIGINT\) % 3 = 0\),\n__nodes AS \(/);
    assert.equal(sampled.sql.split(filter).join('').replaceAll(' AS MATERIALIZED (', ' AS ('), exact.sql);
    assert.deepEqual(sampled.parameters, exact.parameters);
    assert.doesNotMatch(exact.sql, /%|MATERIALIZED/);
  });

  it('refuses a rate that is no whole number from 1', () => {
    for (const rate of [0, -2, Number.NaN]) {
      assert.throws(() => compileServiceMap(spanTableSchema(), duckdbDialect, WINDOW, { ...RELATIONS, traceSampleRate: rate }), /whole number from 1/);
    }
  });

  it('takes the smallest rate that brings the spans joined within the limit', () => {
    assert.equal(serviceMapTraceSampleRate(0, 10), 1);
    assert.equal(serviceMapTraceSampleRate(10, 10), 1);
    assert.equal(serviceMapTraceSampleRate(11, 10), 2);
    assert.equal(serviceMapTraceSampleRate(30, 15), 2);
    assert.equal(serviceMapTraceSampleRate(31, 15), 3);
    assert.equal(serviceMapTraceSampleRate(31_000_000, 5_728_000), 6);
  });

  it('joins 16 000 spans a MiB of DuckDB pool', () => {
    assert.equal(serviceMapJoinedSpans(358 * 1024 * 1024), 5_728_000);
    assert.equal(serviceMapJoinedSpans(1432 * 1024 * 1024), 22_912_000);
    assert.equal(serviceMapJoinedSpans(1), 1);
  });
});
