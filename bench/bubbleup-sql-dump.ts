/** Prints BubbleUp's compiled comparison over a store kept by bubbleup-probe (node dist/bench/bubbleup-sql-dump.js DIR [SELECTED_RATE BASELINE_RATE]). */
import { BubbleUpRunner } from '../src/query/bubbleup/bubbleup-runner.js';
import { validateBubbleUpSelection } from '../src/query/bubbleup/bubbleup-request.js';
import { validateQuerySpec } from '../src/query/query-spec-validator.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const DAY = 86_400;
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: process.argv[2]!, memoryLimit: '1GB', lifecycleIntervalMs: 0, log: () => undefined });
const start = Math.floor(Date.now() / 1000 / DAY - 1) * DAY;
const query = validateQuerySpec({ start_time: start, end_time: start + DAY, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }] }, { disableSeries: true });
const { totals, compiled } = await new BubbleUpRunner(store).compile({ kind: 'all' }, query, validateBubbleUpSelection({ filters: [{ column: 'error', op: '=', value: true }] }), undefined, { selectedRate: Number(process.argv[3] ?? 1), baselineRate: Number(process.argv[4] ?? 0.05) });
// Parameters written in, so the statements can be timed and varied by hand (bench/sql-timer.ts).
const inline = (sql: string, params: ReadonlyArray<{ value: unknown }>): string =>
  sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = params[Number(n) - 1]?.value;
    return typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v);
  });
console.log(inline(totals.sql, totals.parameters));
console.log(';;');
console.log(inline(compiled.sql, compiled.parameters));
await store.close();
