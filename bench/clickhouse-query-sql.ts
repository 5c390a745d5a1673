/**
 * The SQL the seven bench queries compile to on the ClickHouse store, and their CPU ms under
 * setting variations (node dist/bench/clickhouse-query-sql.js --dir DIR [--print] [--settings k=v,k=v]).
 */
import path from 'node:path';
import { prepareQuerySpec } from '../src/query/query-engine.js';
import { QueryRunner } from '../src/query/query-runner.js';
import { ClickHouseSpanStore, DEFAULT_CLICKHOUSE_STORE_OPTIONS } from '../src/store/clickhouse/clickhouse-span-store.js';
import { clickhouseQueryParams } from '../src/store/clickhouse/clickhouse-span-reader.js';
import { ClickHouseConnection } from '../src/store/clickhouse/clickhouse-connection.js';
import { parseClickHouseUrl } from '../src/store/clickhouse/clickhouse-url.js';
import { benchQueries } from './query/bench-queries.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const dir = arg('--dir', '/tmp/waggle-ch-probe');
const settings: Record<string, string> = {};
for (const pair of arg('--settings', '').split(',').filter((p) => p !== '')) {
  const [k, v] = pair.split('=');
  settings[k!] = v ?? '';
}
const only = arg('--query', '');
const HOUR_NS = 3_600_000_000_000n;
const start = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
const end = start + 24n * HOUR_NS;
const location = parseClickHouseUrl(`chdb:${path.join(dir, 'ch')}`);
const store = await ClickHouseSpanStore.open({ ...DEFAULT_CLICKHOUSE_STORE_OPTIONS, writerId: 'bench', location, clock: () => end, lifecycleIntervalMs: 0, log: () => undefined });
const connection = await ClickHouseConnection.open(location);
const runner = new QueryRunner(store);
const schema = await store.querySchema({ kind: 'all' });
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (const [i, q] of benchQueries(Number(start / 1_000_000_000n), Number(end / 1_000_000_000n)).entries()) {
  if (only !== '' && !only.split(',').includes(String(i + 1))) continue;
  const compiled = await runner.compile({ kind: 'all' }, prepareQuerySpec(q.spec, schema), { disableSeries: false }, end);
  if (process.argv.includes('--print')) console.log(`-- ${q.name}\n${compiled.sql}\n`);
  const cpu: number[] = [];
  for (let r = 0; r < 4; r++) {
    const c = cpuMs();
    const sql = process.argv.includes('--materialize') ? compiled.sql.replace('__agg AS (', '__agg AS MATERIALIZED (').replace('__top AS (', '__top AS MATERIALIZED (') : compiled.sql;
    await connection.query(sql, clickhouseQueryParams(compiled.parameters), settings);
    if (r > 0) cpu.push(cpuMs() - c);
  }
  console.log(`${String(i + 1)}. ${q.name.padEnd(56)} ${[...cpu].sort((a, b) => a - b)[1]!.toFixed(0).padStart(6)} ms CPU`);
}
await connection.close();
await store.close();
