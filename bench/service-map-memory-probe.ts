/**
 * What the service map needs of DuckDB's pool, in process on a kept bench data set (a copy: the
 * store opens it for writing), over the kept load's whole window, with the real compiler and store
 * (BENCHMARKS.md run BB):
 *   node dist/bench/service-map-memory-probe.js DIR LOAD.json MEMORY_LIMIT [PLAN]
 * PLAN rewrites the compiled SQL to try a variant (the answers of every plan but `nopercentiles`
 * are the map's own, to compare with PROBE_OUT):
 *   runner (the server's ServiceMapRunner: a count, then the map over 1 in N traces when the spans
 *   are more than the pool's ANALYSIS_LIMITS.serviceMapSpansPerPoolMiB; PROBE_OUT gets its JSON);
 *   compiled (default); nopercentiles (avg instead of quantile_cont); nodistinct; lean (children
 *   without a parent left out of the join's probe side); leanhash (lean, and the parents' service
 *   as a 64-bit hash, names joined back at the end); window (no hash join: parents and children
 *   unioned, the parent's service taken by a window over trace and key, which DuckDB sorts and spills);
 *   passesK (the join as K UNION ALL branches of one statement, each over a share of the trace ids).
 * Environment: PROBE_OUT=FILE writes the answer's rows, one JSON array a line; PROBE_PRINT=1 prints the SQL;
 * PROBE_RATE=N joins 1 in N traces (the map's trace sample, ANALYSIS_LIMITS.serviceMapSpansPerPoolMiB).
 * Prints the time, the row count or DuckDB's error, and the process's VmHWM (kB).
 */
import fs from 'node:fs';
import { duckdbDialect } from '../src/query/compile/duckdb-dialect.js';
import { compileServiceMap } from '../src/query/service-map/service-map-sql.js';
import { ServiceMapRunner, serviceMapJoinedSpans } from '../src/query/service-map/service-map-runner.js';
import { duckDbPoolBytes } from '../src/server/duckdb-memory-limit.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const [dir, loadFile, memoryLimit] = process.argv.slice(2) as [string, string, string];
const variant = process.argv[5] ?? 'compiled';
const load = JSON.parse(fs.readFileSync(loadFile, 'utf8')) as { windowStart: number; windowEnd: number };
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit, lifecycleIntervalMs: 0, log: () => undefined });
const startNs = BigInt(load.windowStart) * 1_000_000_000n;
const endNs = BigInt(load.windowEnd) * 1_000_000_000n;
const schema = await store.querySchema({ kind: 'all' });
const compiled = compileServiceMap(schema, duckdbDialect, { startNs, endNs }, {
  relation: (p, w) => store.relation({ kind: 'all' }, p, w),
  parentRelation: (p, w) => store.relation({ kind: 'all' }, p, w),
  parentMarginNs: 3_600_000_000_000n,
  traceSampleRate: Number(process.env['PROBE_RATE'] ?? '1'),
});
if (variant === 'runner') {
  // The server's way: ServiceMapRunner, joining as many spans as this pool is given (1 in N traces beyond).
  const runner = new ServiceMapRunner(store, { maxJoinedSpans: serviceMapJoinedSpans(duckDbPoolBytes({ memoryLimit, maxMemoryBytes: 1024 ** 3 })) });
  const t0 = performance.now();
  try {
    const map = await runner.run({ kind: 'all' }, { startNs, endNs }, 600_000);
    if (process.env.PROBE_OUT) fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(map, null, 1));
    console.log(variant, memoryLimit, `${(performance.now() - t0).toFixed(0)} ms`, `sample_rate ${map.sample_rate}`, `${map.nodes.length} nodes, ${map.edges.length} edges`);
  } catch (e) {
    console.log(variant, memoryLimit, `${(performance.now() - t0).toFixed(0)} ms`, 'FAILED:', String((e as { cause?: unknown }).cause ?? e).split('\n')[0]);
  }
  console.log('VmHWM', fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)?.[1]);
  await store.close();
  process.exit(0);
}
const PLANS = ['compiled', 'nopercentiles', 'nodistinct', 'lean', 'leanhash', 'window'];
if (!PLANS.includes(variant) && !/^passes\d+$/.test(variant)) throw new Error(`PLAN must be one of ${PLANS.join(', ')}`);
let sql = compiled.sql;
/** The compiled map's `__calls` CTE, and the body of its `__p` (parents) CTE: what the plans rewrite. */
const CALLS = /__calls AS \(SELECT DISTINCT [^\n]*\)/;
function parentsBody(text: string): string {
  const body = /__p AS \((SELECT [\s\S]*?)\),\n__nodes/.exec(text)?.[1];
  if (body === undefined || !CALLS.test(text)) throw new Error('the compiled service map is not shaped as this probe expects');
  return body;
}
if (variant === 'nopercentiles') sql = sql.replace(/quantile_cont\(__dur, 0\.\d+\)/g, 'avg(__dur)');
if (variant === 'nodistinct') sql = sql.replace('SELECT DISTINCT __s.__trace', 'SELECT __s.__trace');
if (variant === 'window') {
  parentsBody(sql);
  sql = sql.replace(CALLS, `__u AS (SELECT __trace, __span AS __key, __svc, NULL::BOOLEAN AS __err, NULL::BIGINT AS __dur, NULL::BIGINT AS __ts, true AS __isp, NULL::UBIGINT AS __child FROM __p
    UNION ALL SELECT __trace, __parent, __svc, __err, __dur, __ts, false, __span FROM __s WHERE __parent IS NOT NULL),
  __w AS (SELECT *, max(__svc) FILTER (WHERE __isp) OVER (PARTITION BY __trace, __key) AS __psvc FROM __u),
  __calls AS (SELECT DISTINCT __trace, __child, __ts, __psvc AS __a, __svc AS __b, __err, __dur FROM __w WHERE NOT __isp AND __psvc IS NOT NULL AND __psvc IS DISTINCT FROM __svc)`);
}
const passes = /^passes(\d+)$/.exec(variant);
if (passes) {
  // The join in k branches of one statement, each over a share of the trace ids (by hash), its
  // inputs written out in each branch (a CTE referenced k times would be materialized).
  const k = Number(passes[1]);
  const p = parentsBody(sql);
  const s = /__s AS \((SELECT [\s\S]*?)\),\n__p AS/.exec(sql)?.[1];
  if (s === undefined) throw new Error('the compiled service map is not shaped as this probe expects');
  const branch = (i: number): string =>
    `SELECT DISTINCT __s.__trace, __s.__span, __s.__ts, __p.__svc AS __a, __s.__svc AS __b, __s.__err, __s.__dur FROM (${s} AND hash(trace_id) % ${k} = ${i}) AS __s JOIN (${p} AND hash(trace_id) % ${k} = ${i}) AS __p ON __p.__trace = __s.__trace AND __p.__span = __s.__parent WHERE __p.__svc IS DISTINCT FROM __s.__svc`;
  sql = sql.replace(CALLS, `__calls AS (${Array.from({ length: k }, (_, i) => branch(i)).join('\nUNION ALL ')})`);
}
if (variant === 'lean' || variant === 'leanhash') {
  sql = sql.replace(/(__s AS \(SELECT [\s\S]*? AS __e WHERE )/, '$1(parent_id) IS NOT NULL AND ');
}
if (variant === 'leanhash') {
  sql = sql.replace('(service_name) AS __svc FROM', 'hash(service_name) AS __svc FROM');
  sql = sql.replace('__p.__svc IS DISTINCT FROM __s.__svc', '__p.__svc IS DISTINCT FROM hash(__s.__svc)');
  sql = sql.replace(/__edges AS \(SELECT __a, __b,/, '__edges0 AS (SELECT __a, __b,');
  sql = sql.replace(/(__edges0 AS \(SELECT [^\n]*\))/, '$1,\n__names AS (SELECT DISTINCT __svc AS __name, hash(__svc) AS __h FROM __p0),\n__edges AS (SELECT __name AS __a, __b, __n, __e, __p50, __p95 FROM __edges0 LEFT JOIN __names ON __names.__h = __edges0.__a)');
  // __p0: the parents' names, unhashed (a second read of the parents' relation).
  const p0 = parentsBody(sql).replace('hash(service_name) AS __svc FROM', '(service_name) AS __svc FROM');
  sql = sql.replace('\n__nodes AS', `\n__p0 AS (${p0}),\n__nodes AS`);
}
if (process.env.PROBE_PRINT) console.log(sql);
const t0 = performance.now();
try {
  const rows = await store.runSql(sql, compiled.parameters, { timeoutMs: 600_000 });
  if (process.env.PROBE_OUT) fs.writeFileSync(process.env.PROBE_OUT, rows.rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v))).join('\n'));
  console.log(variant, memoryLimit, `${(performance.now() - t0).toFixed(0)} ms`, rows.rows.length, 'rows');
} catch (e) {
  console.log(variant, memoryLimit, `${(performance.now() - t0).toFixed(0)} ms`, 'FAILED:', String((e as { cause?: unknown }).cause ?? e).split('\n')[0]);
}
console.log('VmHWM', fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)?.[1]);
await store.close();
