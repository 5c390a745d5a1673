/** EXPLAIN ANALYZE of the service map over a store kept by bubbleup-probe (node dist/bench/service-map-explain.js DIR; PROBE_RATE=N: 1 in N traces). */
import { duckdbDialect } from '../src/query/compile/duckdb-dialect.js';
import { compileServiceMap } from '../src/query/service-map/service-map-sql.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const DAY_NS = 86_400_000_000_000n;
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: process.argv[2]!, memoryLimit: '1GB', lifecycleIntervalMs: 0, log: () => undefined });
const startNs = ((BigInt(Date.now()) * 1_000_000n) / DAY_NS - 1n) * DAY_NS;
const schema = await store.querySchema({ kind: 'all' });
const compiled = compileServiceMap(schema, duckdbDialect, { startNs, endNs: startNs + DAY_NS }, {
  relation: (p, w) => store.relation({ kind: 'all' }, p, w),
  parentRelation: (p, w) => store.relation({ kind: 'all' }, p, w),
  parentMarginNs: 3_600_000_000_000n,
  traceSampleRate: Number(process.env['PROBE_RATE'] ?? '1'),
});
const rows = await store.runSql(`EXPLAIN ANALYZE ${compiled.sql}`, compiled.parameters, { timeoutMs: 120_000 });
for (const row of rows.rows) console.log(String(row[1]));
await store.close();
