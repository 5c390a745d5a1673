import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duckdbDialect } from '../../src/query/compile/duckdb-dialect.js';
import { compileQuery } from '../../src/query/compile/query-compiler.js';
import { parseTextQuery } from '../../src/query/text/text-query-parser.js';
import { spanTableSchema, tableRelation } from './span-table-fixture.js';

/** Golden SQL: the exact statement the DuckDB dialect writes for a few queries (review diffs here). */
function compile(text: string, weighted: boolean, disableSeries: boolean): { sql: string; parameters: unknown } {
  const compiled = compileQuery(parseTextQuery(text), spanTableSchema(), duckdbDialect, { nowNs: 0n, relation: tableRelation, disableSeries, weighted });
  return { sql: compiled.sql, parameters: compiled.parameters };
}
describe('DuckDB dialect: golden SQL', () => {
  it("compiles a filtered P99 by service with order, having and limit, results only", () => {
    const { sql, parameters } = compile("VISUALIZE COUNT, P99(duration_ms) WHERE http.status_code >= 500 AND name != \"x'y\" GROUP BY service.name ORDER BY P99(duration_ms) DESC HAVING COUNT > 10 LIMIT 5 FROM 1700000000 TO 1700003600", false, true);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (service_name) AS __c0, (duration_ns) AS __c1, (c3) AS __c2, (name) AS __c3 FROM (SELECT c3, duration_ns, name, service_name, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $3 AND (ts_ns) < $4),",
      "__base AS (SELECT __ev.__c0 AS __g0, __ev.__c1 AS __v0 FROM __ev WHERE (__ev.__c2 >= $1) AND (__ev.__c3 <> $2)),",
      "__groups AS (SELECT __g0, count(*) AS __a0, quantile_cont(__v0, 0.99) / 1e+6 AS __a1, count(*) AS __n FROM __base GROUP BY __g0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__a1, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a1 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results WHERE __a0 > $5) AS __t WHERE __rank <= $6)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0, __top.__a1 FROM __top",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":500n},{"type":"varchar","value":"x'y"},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"double","value":10},{"type":"bigint","value":5n}]);
  });

  it("compiles results and series of a breakdown from one aggregation (GROUPING SETS)", () => {
    const { sql, parameters } = compile("VISUALIZE COUNT, P99(duration_ms) GROUP BY service.name FROM 1700000000 TO 1700003600", false, false);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (((ts_ns) - $1) // $2) AS __b, (service_name) AS __c0, (duration_ns) AS __c1 FROM (SELECT duration_ns, service_name, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $3 AND (ts_ns) < $4),",
      "__base AS (SELECT __ev.__b AS __b, __ev.__c0 AS __g0, __ev.__c1 AS __v0 FROM __ev),",
      "__agg AS (SELECT __g0, __b, GROUPING(__b) AS __whole, count(*) AS __a0, quantile_cont(__v0, 0.99) / 1e+6 AS __a1, count(*) AS __n FROM __base GROUP BY GROUPING SETS ((__g0, __b), (__g0))),",
      "__groups AS (SELECT __g0, __a0, __a1, __n FROM __agg WHERE __whole = 1),",
      "__cells AS (SELECT __g0, __b, __a0, __a1, __n FROM __agg WHERE __whole = 0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__a1, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a0 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $5)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0, __top.__a1 FROM __top",
      "UNION ALL",
      "SELECT 1 AS __kind, __top.__rank AS __rank, $1 + __k.__b * $2 AS __bucket, __k.__g0, __k.__a0 AS __a0, __k.__a1 AS __a1 FROM __cells AS __k JOIN __top ON __k.__g0 IS NOT DISTINCT FROM __top.__g0",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":1699999980000000000n},{"type":"bigint","value":30000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":100n}]);
  });

  it("compiles a root. breakdown with any. and parent. filters, weighted", () => {
    const { sql, parameters } = compile("VISUALIZE COUNT WHERE any.error = true OR parent.service.name in (\"a\", \"b\") GROUP BY root.http.route FROM 1700000000 TO 1700003600", true, true);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (sample_rate) AS __w, (trace_id) AS __trace, (parent_id) AS __parent FROM (SELECT parent_id, sample_rate, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $6 AND (ts_ns) < $7),",
      "__root AS (SELECT (trace_id) AS __trace, arg_min_null((c1), (ts_ns)) AS __c0 FROM (SELECT c1, parent_id, span_id, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $8 AND (ts_ns) < $9 AND (trace_id) IS NOT NULL AND (parent_id) IS NULL AND (span_id) IS NOT NULL GROUP BY (trace_id)),",
      "__parent AS (SELECT (trace_id) AS __trace, (span_id) AS __span, arg_min_null((service_name), (ts_ns)) AS __c0 FROM (SELECT service_name, span_id, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $10 AND (ts_ns) < $11 AND (trace_id) IS NOT NULL AND (span_id) IS NOT NULL GROUP BY (trace_id), (span_id)),",
      "__any0 AS (SELECT DISTINCT (trace_id) AS __trace FROM (SELECT status_code, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $1 AND (ts_ns) < $2 AND (trace_id) IS NOT NULL AND (((status_code = 'error')) = $3)),",
      "__base AS (SELECT __ev.__w AS __w, __root.__c0 AS __g0 FROM __ev LEFT JOIN __root ON __root.__trace = __ev.__trace LEFT JOIN __parent ON __parent.__trace = __ev.__trace AND __parent.__span = __ev.__parent WHERE (__ev.__trace IN (SELECT __trace FROM __any0)) OR (__parent.__c0 IN ($4, $5))),",
      "__groups AS (SELECT __g0, coalesce(sum(__w), 0) AS __a0, count(*) AS __n FROM __base GROUP BY __g0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a0 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $12)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0 FROM __top",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"boolean","value":true},{"type":"varchar","value":"a"},{"type":"varchar","value":"b"},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":100n}]);
  });

  it("compiles HEATMAP, CONCURRENCY and RATE_MAX with the series", () => {
    const { sql, parameters } = compile("VISUALIZE HEATMAP(duration_ms), CONCURRENCY, RATE_MAX(cart.value) FROM 1700000000 TO 1700003600 GRANULARITY 5m", false, false);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (ts_ns) AS __ts, (((ts_ns) - $1) // $2) AS __b, (duration_ns) AS __dur, ((duration_ns / 1e6)) AS __c0, (c4) AS __c1 FROM (SELECT c4, duration_ns, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $3 AND (ts_ns) < $4),",
      "__base AS (SELECT __ev.__b AS __b, __ev.__ts AS __ts, __ev.__dur AS __dur, __ev.__c0 AS __v0, __ev.__c1 AS __v1 FROM __ev),",
      "__hm0 AS (SELECT CAST(min(__v0) AS DOUBLE) AS __lo, CAST(max(__v0) AS DOUBLE) AS __hi FROM __base),",
      "__agg AS (SELECT __b, GROUPING(__b) AS __whole, histogram(CASE WHEN __v0 IS NULL THEN NULL WHEN __hm0.__hi = __hm0.__lo THEN 0 ELSE least(CAST(floor((CAST(__v0 AS DOUBLE) - __hm0.__lo) * 50 / (__hm0.__hi - __hm0.__lo)) AS INTEGER), 49) END) AS __a0, max(__v1) AS __rb2, count(*) AS __n FROM __base CROSS JOIN __hm0 GROUP BY GROUPING SETS ((__b), ())),",
      "__groups AS (SELECT __a0, __rb2, __n FROM __agg WHERE __whole = 1),",
      "__cells AS (SELECT __b, __a0, __rb2, __n, CASE WHEN lag(__b) OVER (ORDER BY __b) = __b - 1 THEN __rb2 - lag(__rb2) OVER (ORDER BY __b) END AS __r2 FROM __agg WHERE __whole = 0),",
      "__cb AS (SELECT __in AS __b, count(*) AS __cc FROM (SELECT unnest(range(__b, ((least(greatest(__ts + __dur - 1, __ts), $5) - $1) // $2) + 1)) AS __in FROM __base WHERE __dur IS NOT NULL) AS __x GROUP BY __in),",
      "__results AS (SELECT __groups.__a0, __cg.__a1, __rg.__a2, __groups.__n FROM __groups LEFT JOIN (SELECT max(__cc) AS __a1 FROM __cb) AS __cg ON TRUE LEFT JOIN (SELECT avg(__r2) AS __a2 FROM __cells) AS __rg ON TRUE),",
      "__top AS (SELECT * FROM (SELECT __results.*, CAST(1 AS BIGINT) AS __rank FROM __results) AS __t WHERE __rank <= $6)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__a0, __top.__a1, __top.__a2, __hm0.__lo AS __hm0_lo, __hm0.__hi AS __hm0_hi FROM __top CROSS JOIN __hm0",
      "UNION ALL",
      "SELECT 1 AS __kind, __top.__rank AS __rank, $1 + __k.__b * $2 AS __bucket, __cells.__a0 AS __a0, __cb.__cc AS __a1, __cells.__r2 AS __a2, __hm0.__lo AS __hm0_lo, __hm0.__hi AS __hm0_hi FROM (SELECT __b FROM __cells UNION SELECT __b FROM __cb) AS __k JOIN __top ON TRUE LEFT JOIN __cells ON TRUE AND __cells.__b = __k.__b LEFT JOIN __cb ON TRUE AND __cb.__b = __k.__b CROSS JOIN __hm0",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":1699999800000000000n},{"type":"bigint","value":300000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":1700003599999999999n},{"type":"bigint","value":100n}]);
  });

  it("compiles network timing columns as a join on client parents, only when used", () => {
    const { sql, parameters } = compile("VISUALIZE AVG(network.latency_ms) WHERE network.clock_skew = false GROUP BY http.route FROM 1700000000 TO 1700003600", false, true);
    assert.equal(sql, [
      "WITH __ev AS NOT MATERIALIZED (SELECT (ts_ns) AS __ts, (duration_ns) AS __dur, (trace_id) AS __trace, CASE WHEN (span_kind) = 'server' AND (duration_ns) IS NOT NULL THEN (parent_id) END AS __server_parent, (c1) AS __c0 FROM (SELECT c1, duration_ns, parent_id, span_kind, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $2 AND (ts_ns) < $3),",
      "__client AS (SELECT (trace_id) AS __trace, (span_id) AS __span, min((ts_ns)) AS __ts, arg_min_null((duration_ns), (ts_ns)) AS __dur FROM (SELECT duration_ns, span_id, span_kind, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $4 AND (ts_ns) < $5 AND (span_kind) = 'client' AND (trace_id) IS NOT NULL AND (duration_ns) IS NOT NULL AND (span_id) IN (SELECT __server_parent FROM __ev) GROUP BY (trace_id), (span_id)),",
      "__base AS (SELECT __ev.__c0 AS __g0, ((__client.__dur - __ev.__dur) / 1e6) AS __v0 FROM __ev LEFT JOIN __client ON __client.__trace = __ev.__trace AND __client.__span = __ev.__server_parent WHERE (CASE WHEN __client.__ts IS NOT NULL THEN (__ev.__ts < __client.__ts OR __ev.__ts + __ev.__dur > __client.__ts + __client.__dur) END = $1)),",
      "__groups AS (SELECT __g0, avg(__v0) AS __a0, count(*) AS __n FROM __base GROUP BY __g0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a0 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $6)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0 FROM __top",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"boolean","value":false},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":100n}]);
  });

  it("compiles COUNT_DISTINCT alone with the series over deduplicated (group, bucket, value) rows", () => {
    const { sql, parameters } = compile("VISUALIZE COUNT_DISTINCT(user.id) GROUP BY service.name FROM 1700000000 TO 1700003600", false, false);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (((ts_ns) - $1) // $2) AS __b, (service_name) AS __c0, (c2) AS __c1 FROM (SELECT c2, service_name, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $3 AND (ts_ns) < $4),",
      "__base AS (SELECT __ev.__b AS __b, __ev.__c0 AS __g0, __ev.__c1 AS __v0 FROM __ev),",
      "__agg AS (SELECT __g0, __b, GROUPING(__b) AS __whole, count(DISTINCT __v0) AS __a0, count(*) AS __n FROM (SELECT DISTINCT __g0, __b, __v0 FROM __base) AS __base GROUP BY GROUPING SETS ((__g0, __b), (__g0))),",
      "__groups AS (SELECT __g0, __a0, __n FROM __agg WHERE __whole = 1),",
      "__cells AS (SELECT __g0, __b, __a0, __n FROM __agg WHERE __whole = 0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a0 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $5)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0 FROM __top",
      "UNION ALL",
      "SELECT 1 AS __kind, __top.__rank AS __rank, $1 + __k.__b * $2 AS __bucket, __k.__g0, __k.__a0 AS __a0 FROM __cells AS __k JOIN __top ON __k.__g0 IS NOT DISTINCT FROM __top.__g0",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":1699999980000000000n},{"type":"bigint","value":30000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":100n}]);
  });

  it("compiles a top 10 by user.id: groups ranked first, then the series of the top groups in a second pass", () => {
    const { sql, parameters } = compile("VISUALIZE COUNT, AVG(duration_ms) GROUP BY user.id ORDER BY COUNT DESC LIMIT 10 FROM 1700000000 TO 1700003600", false, false);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (((ts_ns) - $1) // $2) AS __b, (c2) AS __c0, (duration_ns) AS __c1 FROM (SELECT c2, duration_ns, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $3 AND (ts_ns) < $4),",
      "__base AS NOT MATERIALIZED (SELECT __ev.__b AS __b, __ev.__c0 AS __g0, __ev.__c1 AS __v0 FROM __ev),",
      "__groups AS (SELECT __g0, count(*) AS __a0, avg(__v0) / 1e+6 AS __a1, count(*) AS __n FROM __base GROUP BY __g0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__a1, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a0 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $5),",
      "__cells AS (SELECT __base.__g0 AS __g0, __base.__b AS __b, count(*) AS __a0, avg(__v0) / 1e+6 AS __a1 FROM __base JOIN __top ON __base.__g0 IS NOT DISTINCT FROM __top.__g0 GROUP BY __base.__g0, __base.__b)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0, __top.__a1 FROM __top",
      "UNION ALL",
      "SELECT 1 AS __kind, __top.__rank AS __rank, $1 + __k.__b * $2 AS __bucket, __k.__g0, __k.__a0 AS __a0, __k.__a1 AS __a1 FROM __cells AS __k JOIN __top ON __k.__g0 IS NOT DISTINCT FROM __top.__g0",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":1699999980000000000n},{"type":"bigint","value":30000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":10n}]);
  });
});
