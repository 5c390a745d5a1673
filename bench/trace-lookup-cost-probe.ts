/**
 * What a trace lookup touches and what it costs, on a loaded data directory (a copy: the store
 * writes into it): for the kept load's sampled trace ids, how many segments, row groups and
 * distinct 256 KiB blocks each lookup's reads span (from pragma_storage_info: the row groups whose
 * ts_ns zone map overlaps the trace's range, and the blocks of their non-constant columns), then
 * getTrace passes timed with the process's CPU, minor page faults (fresh pages the kernel zeroes)
 * and DuckDB's buffer memory.
 *   node dist/bench/trace-lookup-cost-probe.js --dir COPY --load LOAD.json [--lookups 200]
 *     [--passes 2] [--warm N] (N other sampled ids looked up first, unmeasured) [--set name=value ...] (DuckDB settings applied at open) [--no-blocks] [--fill-sql SQL] (run first, unmeasured)
 *     [--row-group-size N] (the ATTACH's ROW_GROUP_SIZE; default the store's)
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';
import { traceIndexRowsSql, traceKey32Of, traceKeyOf } from '../src/store/duckdb/duckdb-physical-layout.js';
import { timeTraceLookups, wallQuantileMs } from './trace-lookup-pass.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const settings: Record<string, string> = {};
process.argv.forEach((value, i) => {
  if (value !== '--set') return;
  const [name, ...rest] = (process.argv[i + 1] ?? '').split('=');
  if (name !== undefined && name !== '') settings[name] = rest.join('=');
});
const dir = arg('--dir', '');
const load = JSON.parse(fs.readFileSync(arg('--load', ''), 'utf8')) as { load: { traceIdSample: string[] } };
const sampled = load.load.traceIdSample.map((hex) => BigInt(`0x${hex}`));
const ids = sampled.slice(0, Number(arg('--lookups', '200')));
// Lookups of other ids first, unmeasured: DuckDB's buffer pool full of other blocks, as in a server that has run a while.
const warmCount = Number(arg('--warm', '0'));
const warm = warmCount > 0 ? sampled.slice(ids.length).slice(-warmCount) : [];
const passes = Number(arg('--passes', '2'));
const parts = process.argv.includes('--parts') ? Number(arg('--parts', '1')) : undefined;
// The ATTACH's ROW_GROUP_SIZE: a set rewritten with smaller row groups must be opened with its own
// size, or DuckDB's next checkpoint merges its row groups back to the store's (run AT).
const rowGroupSize = Number(arg('--row-group-size', String(DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize)));
const store = await DuckDbSpanStore.open({
  ...DEFAULT_DUCKDB_STORE_OPTIONS,
  dataDir: dir,
  lifecycleIntervalMs: 0,
  log: () => undefined,
  faultInjectionSettings: settings,
  rowGroupSize,
  ...(parts === undefined ? {} : { traceReadParts: parts }),
});
const rows = async (sql: string): Promise<unknown[][]> => (await store.runSql(sql, [], { timeoutMs: 120_000 })).rows;
const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

const segmentCount = (await rows("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'waggle' AND table_name LIKE 'seg_%'"))[0]?.[0];
const indexRows = (await rows(`SELECT count(*) FROM (${traceIndexRowsSql()})`))[0]?.[0];
console.log(`settings ${JSON.stringify(settings)}; ${String(segmentCount)} segment tables; ${String(indexRows)} trace-index rows; load ${os.loadavg()[0]!.toFixed(1)}`);

if (!process.argv.includes('--no-blocks')) {
  // Per segment: each row group's ts_ns range and the distinct blocks of its non-constant columns.
  interface RowGroup { min: bigint; max: bigint; blocks: Set<string>; columns: number }
  const bySegment = new Map<number, RowGroup[]>();
  const groupsOf = async (segmentId: number): Promise<RowGroup[]> => {
    const kept = bySegment.get(segmentId);
    if (kept !== undefined) return kept;
    const info = await rows(
      `SELECT row_group_id, column_name, segment_type, compression, block_id, stats FROM pragma_storage_info('seg_${segmentId}') WHERE segment_type <> 'VALIDITY' OR compression <> 'Constant'`,
    );
    const groups: RowGroup[] = [];
    for (const [rowGroup, column, , compression, blockId, stats] of info) {
      const id = Number(rowGroup);
      const group = (groups[id] ??= { min: 2n ** 62n, max: 0n, blocks: new Set(), columns: 0 });
      if (column === 'ts_ns') {
        const match = /Min: (-?\d+), Max: (-?\d+)/.exec(String(stats));
        if (match !== null) {
          if (BigInt(match[1]!) < group.min) group.min = BigInt(match[1]!);
          if (BigInt(match[2]!) > group.max) group.max = BigInt(match[2]!);
        }
      }
      if (compression !== 'Constant' && Number(blockId) >= 0) {
        group.blocks.add(String(blockId));
        group.columns += 1;
      }
    }
    bySegment.set(segmentId, groups);
    return groups;
  };
  const segmentsPer: number[] = [];
  const rowGroupsPer: number[] = [];
  const blocksPer: number[] = [];
  const columnSegmentsPer: number[] = [];
  const indexMs: number[] = [];
  const sample = ids.slice(0, Math.min(ids.length, 60));
  for (const id of sample) {
    const sql = traceIndexRowsSql(true).replaceAll('$1', `'${id}'`).replaceAll('$2', `'${traceKeyOf(id)}'`).replaceAll('$3', `'${traceKey32Of(id)}'`);
    const t = performance.now();
    const located = await rows(`SELECT segment_id, min(min_ts_ns), max(max_ts_ns) FROM (${sql}) GROUP BY segment_id`);
    indexMs.push(performance.now() - t);
    segmentsPer.push(located.length);
    let groupsTouched = 0;
    let columnSegments = 0;
    const blocks = new Set<string>();
    for (const [segmentId, min, max] of located) {
      for (const group of await groupsOf(Number(segmentId))) {
        if (group === undefined || group.max < BigInt(String(min)) || group.min > BigInt(String(max))) continue;
        groupsTouched += 1;
        columnSegments += group.columns;
        for (const block of group.blocks) blocks.add(block);
      }
    }
    rowGroupsPer.push(groupsTouched);
    blocksPer.push(blocks.size);
    columnSegmentsPer.push(columnSegments);
  }
  console.log(
    `${sample.length} ids: segments a lookup ${mean(segmentsPer).toFixed(2)} (max ${Math.max(...segmentsPer)}), row groups ${mean(rowGroupsPer).toFixed(2)} (max ${Math.max(...rowGroupsPer)}), ` +
      `non-constant column segments ${mean(columnSegmentsPer).toFixed(1)}, distinct blocks ${mean(blocksPer).toFixed(1)} (median ${median(blocksPer)}); index query (unprepared SQL) median ${median(indexMs).toFixed(2)} ms`,
  );
}

async function bufferMiB(): Promise<string> {
  const [[used]] = (await rows("SELECT sum(memory_usage_bytes) FROM duckdb_memory()")) as [[unknown]];
  return (Number(used) / 2 ** 20).toFixed(0);
}

console.log(`before the passes: DuckDB buffers ${await bufferMiB()} MiB; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
// A query run first, unmeasured (e.g. a scan of other segments: the pool full of blocks the lookups do not need).
const fillSql = arg('--fill-sql', '');
if (fillSql !== '') {
  const t = performance.now();
  await rows(fillSql);
  console.log(`--fill-sql in ${(performance.now() - t).toFixed(0)} ms; DuckDB buffers ${await bufferMiB()} MiB; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}
if (warm.length > 0) {
  const t = performance.now();
  for (const id of warm) await store.getTrace(id);
  console.log(`${warm.length} other ids first in ${((performance.now() - t) / warm.length).toFixed(2)} ms a lookup; DuckDB buffers ${await bufferMiB()} MiB`);
}
for (let pass = 1; pass <= passes; pass += 1) {
  const timed = await timeTraceLookups(store, ids);
  const p = (q: number): string => wallQuantileMs(timed, q);
  console.log(
    `pass ${pass}: p50 ${p(0.5)} ms, p90 ${p(0.9)}; CPU ${timed.cpuMsPerLookup.toFixed(2)} ms a lookup (system ${timed.systemCpuMsPerLookup.toFixed(2)}); ` +
      `minor faults ${timed.minorFaultsPerLookup.toFixed(0)} a lookup; ${timed.spans} spans; DuckDB buffers ${await bufferMiB()} MiB; ` +
      `RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; load ${os.loadavg()[0]!.toFixed(1)}`,
  );
}
await store.close();
