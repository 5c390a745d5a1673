/** EXPLAIN ANALYZE of a BubbleUp over a store kept by bubbleup-probe (node dist/bench/bubbleup-explain.js DIR). */
import { BubbleUpRunner } from '../src/query/bubbleup/bubbleup-runner.js';
import { validateBubbleUpSelection } from '../src/query/bubbleup/bubbleup-request.js';
import { validateQuerySpec } from '../src/query/query-spec-validator.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const DAY = 86_400;
const dir = process.argv[2]!;
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit: '1GB', lifecycleIntervalMs: 0, log: () => undefined });
const start = Math.floor(Date.now() / 1000 / DAY - 1) * DAY;
const query = validateQuerySpec({ start_time: start, end_time: start + DAY, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] }, { disableSeries: true });
const runner = new BubbleUpRunner(store);
const { compiled } = await runner.compile({ kind: "all" }, query, validateBubbleUpSelection({ filters: [{ column: "error", op: "=", value: true }] }), undefined, { selectedRate: 1, baselineRate: 0.05 });
const rows = await store.runSql(`EXPLAIN ANALYZE ${compiled.sql}`, compiled.parameters, { timeoutMs: 120_000 });
for (const row of rows.rows) console.log(String(row[1]));
await store.close();
