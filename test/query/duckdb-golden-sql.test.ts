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
      "WITH __ev AS (SELECT (ts_ns) AS __ts, (service_name) AS __c0, ((duration_ns / 1e6)) AS __c1, (c3) AS __c2, (name) AS __c3 FROM (SELECT c3, duration_ns, name, service_name, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $3 AND (ts_ns) < $4),",
      "__base AS (SELECT __ev.__ts AS __ts, __ev.__c0 AS __g0, __ev.__c1 AS __v0 FROM __ev WHERE (__ev.__c2 >= $1) AND (__ev.__c3 <> $2)),",
      "__groups AS (SELECT __g0, count(*) AS __a0, quantile_cont(__v0, 0.99) AS __a1, count(*) AS __n FROM __base GROUP BY __g0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__a1, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a1 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results WHERE __a0 > $5) AS __t WHERE __rank <= $6)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0, __top.__a1 FROM __top",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":500n},{"type":"varchar","value":"x'y"},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"double","value":10},{"type":"bigint","value":5n}]);
  });

  it("compiles a root. breakdown with any. and parent. filters, weighted", () => {
    const { sql, parameters } = compile("VISUALIZE COUNT WHERE any.error = true OR parent.service.name in (\"a\", \"b\") GROUP BY root.http.route FROM 1700000000 TO 1700003600", true, true);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (ts_ns) AS __ts, (sample_rate) AS __w, (trace_id) AS __trace, (parent_id) AS __parent FROM (SELECT parent_id, sample_rate, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $6 AND (ts_ns) < $7),",
      "__root AS (SELECT __trace, __c0 FROM (SELECT (trace_id) AS __trace, (c1) AS __c0, row_number() OVER (PARTITION BY (trace_id) ORDER BY (ts_ns)) AS __rn FROM (SELECT c1, parent_id, span_id, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $8 AND (ts_ns) < $9 AND (trace_id) IS NOT NULL AND (parent_id) IS NULL AND (span_id) IS NOT NULL) AS __r WHERE __rn = 1),",
      "__parent AS (SELECT __trace, __span, __c0 FROM (SELECT (trace_id) AS __trace, (span_id) AS __span, (service_name) AS __c0, row_number() OVER (PARTITION BY (trace_id), (span_id) ORDER BY (ts_ns)) AS __rn FROM (SELECT service_name, span_id, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $10 AND (ts_ns) < $11 AND (trace_id) IS NOT NULL AND (span_id) IS NOT NULL) AS __r WHERE __rn = 1),",
      "__any0 AS (SELECT DISTINCT (trace_id) AS __trace FROM (SELECT status_code, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $1 AND (ts_ns) < $2 AND (trace_id) IS NOT NULL AND (((status_code = 'error')) = $3)),",
      "__base AS (SELECT __ev.__ts AS __ts, __ev.__w AS __w, __root.__c0 AS __g0 FROM __ev LEFT JOIN __root ON __root.__trace = __ev.__trace LEFT JOIN __parent ON __parent.__trace = __ev.__trace AND __parent.__span = __ev.__parent WHERE (__ev.__trace IN (SELECT __trace FROM __any0)) OR (__parent.__c0 IN ($4, $5))),",
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
      "WITH __ev AS (SELECT (ts_ns) AS __ts, (duration_ns) AS __dur, ((duration_ns / 1e6)) AS __c0, (c4) AS __c1 FROM (SELECT c4, duration_ns, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $1 AND (ts_ns) < $2),",
      "__base AS (SELECT __ev.__ts AS __ts, __ev.__dur AS __dur, __ev.__c0 AS __v0, __ev.__c1 AS __v1 FROM __ev),",
      "__hm0 AS (SELECT CAST(min(__v0) AS DOUBLE) AS __lo, CAST(max(__v0) AS DOUBLE) AS __hi FROM __base),",
      "__groups AS (SELECT histogram(CASE WHEN __v0 IS NULL THEN NULL WHEN __hm0.__hi = __hm0.__lo THEN 0 ELSE least(CAST(floor((CAST(__v0 AS DOUBLE) - __hm0.__lo) * 50 / (__hm0.__hi - __hm0.__lo)) AS INTEGER), 49) END) AS __a0, count(*) AS __n FROM __base CROSS JOIN __hm0),",
      "__cb AS (SELECT __bucket, count(*) AS __cc FROM (SELECT unnest(range((__ts - (((__ts) % $3) + $3) % $3), (least(greatest(__ts + __dur - 1, __ts), $4) - (((least(greatest(__ts + __dur - 1, __ts), $4)) % $5) + $5) % $5) + $6, $6)) AS __bucket FROM __base WHERE __dur IS NOT NULL) AS __x GROUP BY __bucket),",
      "__bb AS (SELECT __base.*, (__base.__ts - (((__base.__ts) % $7) + $7) % $7) AS __bucket FROM __base),",
      "__rb AS (SELECT __bucket, max(__v1) AS __rb2 FROM __bb GROUP BY __bucket),",
      "__rates AS (SELECT __bucket, CASE WHEN lag(__bucket) OVER (ORDER BY __bucket) = __bucket - $8 THEN __rb2 - lag(__rb2) OVER (ORDER BY __bucket) END AS __r2 FROM __rb),",
      "__results AS (SELECT __groups.__a0, __cg.__a1, __rg.__a2, __groups.__n FROM __groups LEFT JOIN (SELECT max(__cc) AS __a1 FROM __cb) AS __cg ON TRUE LEFT JOIN (SELECT avg(__r2) AS __a2 FROM __rates) AS __rg ON TRUE),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a1 DESC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $9),",
      "__sb AS (SELECT __base.*, (__base.__ts - (((__base.__ts) % $10) + $10) % $10) AS __bucket FROM __base JOIN __top ON TRUE),",
      "__series AS (SELECT __bucket, histogram(CASE WHEN __v0 IS NULL THEN NULL WHEN __hm0.__hi = __hm0.__lo THEN 0 ELSE least(CAST(floor((CAST(__v0 AS DOUBLE) - __hm0.__lo) * 50 / (__hm0.__hi - __hm0.__lo)) AS INTEGER), 49) END) AS __a0 FROM __sb CROSS JOIN __hm0 GROUP BY __bucket),",
      "__skeys AS (SELECT __bucket FROM __series UNION SELECT __cb.__bucket FROM __cb JOIN __top ON TRUE),",
      "__sf AS (SELECT __k.__bucket, __series.__a0 AS __a0, __cb.__cc AS __a1, __rates.__r2 AS __a2 FROM __skeys AS __k LEFT JOIN __series ON TRUE AND __series.__bucket = __k.__bucket LEFT JOIN __cb ON TRUE AND __cb.__bucket = __k.__bucket LEFT JOIN __rates ON TRUE AND __rates.__bucket = __k.__bucket)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__a0, __top.__a1, __top.__a2, __hm0.__lo AS __hm0_lo, __hm0.__hi AS __hm0_hi FROM __top CROSS JOIN __hm0",
      "UNION ALL",
      "SELECT 1 AS __kind, __top.__rank AS __rank, __sf.__bucket AS __bucket, __sf.__a0, __sf.__a1, __sf.__a2, __hm0.__lo AS __hm0_lo, __hm0.__hi AS __hm0_hi FROM __sf JOIN __top ON TRUE CROSS JOIN __hm0",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":300000000000n},{"type":"bigint","value":1700003599999999999n},{"type":"bigint","value":300000000000n},{"type":"bigint","value":300000000000n},{"type":"bigint","value":300000000000n},{"type":"bigint","value":300000000000n},{"type":"bigint","value":100n},{"type":"bigint","value":300000000000n}]);
  });

  it("compiles network timing columns as a join on client parents, only when used", () => {
    const { sql, parameters } = compile("VISUALIZE AVG(network.latency_ms) WHERE network.clock_skew = false GROUP BY http.route FROM 1700000000 TO 1700003600", false, true);
    assert.equal(sql, [
      "WITH __ev AS (SELECT (ts_ns) AS __ts, (duration_ns) AS __dur, (trace_id) AS __trace, CASE WHEN (span_kind) = 'server' AND (duration_ns) IS NOT NULL THEN (parent_id) END AS __server_parent, (c1) AS __c0 FROM (SELECT c1, duration_ns, parent_id, span_kind, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $2 AND (ts_ns) < $3),",
      "__client AS (SELECT (trace_id) AS __trace, (span_id) AS __span, min(ts_ns) AS __ts, arg_min(duration_ns, ts_ns) AS __dur FROM (SELECT duration_ns, span_id, span_kind, trace_id, ts_ns FROM spans) AS __e WHERE (ts_ns) >= $4 AND (ts_ns) < $5 AND (span_kind) = 'client' AND (trace_id) IS NOT NULL AND (duration_ns) IS NOT NULL AND (span_id) IN (SELECT __server_parent FROM __ev) GROUP BY (trace_id), (span_id)),",
      "__base AS (SELECT __ev.__ts AS __ts, __ev.__c0 AS __g0, ((__client.__dur - __ev.__dur) / 1e6) AS __v0 FROM __ev LEFT JOIN __client ON __client.__trace = __ev.__trace AND __client.__span = __ev.__server_parent WHERE (CASE WHEN __client.__ts IS NOT NULL THEN (__ev.__ts < __client.__ts OR __ev.__ts + __ev.__dur > __client.__ts + __client.__dur) END = $1)),",
      "__groups AS (SELECT __g0, avg(__v0) AS __a0, count(*) AS __n FROM __base GROUP BY __g0),",
      "__results AS (SELECT __groups.__g0, __groups.__a0, __groups.__n FROM __groups),",
      "__top AS (SELECT * FROM (SELECT __results.*, row_number() OVER (ORDER BY __a0 DESC NULLS LAST, __g0 ASC NULLS LAST) AS __rank FROM __results) AS __t WHERE __rank <= $6)",
      "SELECT 0 AS __kind, __top.__rank AS __rank, CAST(NULL AS BIGINT) AS __bucket, __top.__g0, __top.__a0 FROM __top",
      "ORDER BY __kind, __bucket NULLS FIRST, __rank",
    ].join('\n'));
    assert.deepEqual(parameters, [{"type":"boolean","value":false},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":1700000000000000000n},{"type":"bigint","value":1700003600000000000n},{"type":"bigint","value":100n}]);
  });
});
