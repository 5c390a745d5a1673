/**
 * Where a trace lookup's time goes on a loaded data directory (a copy: the store writes into it):
 * getTrace over the kept load's sampled trace ids, a first pass (blocks not in DuckDB's buffer
 * pool yet) and a second (the same ids again), and the blocks one segment row group spans.
 *   node dist/bench/trace-read-blocks-probe.js --dir COPY --load LOAD.json [--lookups 200] [--parts N]
 * (--parts: connections a sealed segment's read is split over, DuckDbStoreOptions.traceReadParts)
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { timeTraceLookups, wallQuantileMs } from './trace-lookup-pass.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const dir = arg('--dir', '');
const load = JSON.parse(fs.readFileSync(arg('--load', ''), 'utf8')) as { load: { traceIdSample: string[] } };
const lookups = Number(arg('--lookups', '200'));
const ids = load.load.traceIdSample.slice(0, lookups).map((hex) => BigInt(`0x${hex}`));
const parts = process.argv.includes('--parts') ? Number(arg('--parts', '1')) : undefined;
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, log: () => undefined, ...(parts === undefined ? {} : { traceReadParts: parts }) });

async function pass(label: string): Promise<void> {
  const timed = await timeTraceLookups(store, ids);
  const p = (q: number): string => wallQuantileMs(timed, q);
  console.log(`${label}: p50 ${p(0.5)} ms, p90 ${p(0.9)}, p99 ${p(0.99)}; CPU ${timed.cpuMsPerLookup.toFixed(2)} ms a lookup; ${timed.spans} spans; load ${os.loadavg()[0]!.toFixed(1)}`);
}

const rows = async (sql: string): Promise<unknown[][]> => (await store.runSql(sql, [], { timeoutMs: 60_000 })).rows;
console.log('tables', JSON.stringify((await rows("SELECT table_name, estimated_size, column_count FROM duckdb_tables() WHERE database_name = 'waggle' ORDER BY table_name")).map((r) => r.map(String))));
if (process.argv.includes('--prewarm')) {
  const t = performance.now();
  const tables = await rows("SELECT table_name FROM duckdb_tables() WHERE database_name = 'waggle' AND table_name LIKE 'seg_%'");
  for (const [name] of tables) await rows(`SELECT count(*) FROM pragma_storage_info('${String(name)}')`);
  console.log(`storage_info of ${tables.length} segments in ${(performance.now() - t).toFixed(0)} ms; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}
console.log(`RSS before the passes ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
await pass('first pass');
if (!process.argv.includes('--one-pass')) await pass('second pass');
const segments = await rows("SELECT table_name FROM duckdb_tables() WHERE database_name = 'waggle' AND table_name LIKE 'seg_%' ORDER BY estimated_size DESC LIMIT 1");
const table = String(segments[0]?.[0]);
const blocks = await rows(`SELECT row_group_id, count(DISTINCT block_id), count(*), sum(CASE WHEN persistent THEN 1 ELSE 0 END) FROM pragma_storage_info('${table}') GROUP BY row_group_id ORDER BY row_group_id LIMIT 3`);
console.log(`${table}: per row group (distinct blocks, column segments, persistent)`, JSON.stringify(blocks.map((r) => r.map(String))));
await store.close();
