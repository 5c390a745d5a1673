/**
 * Where a kept bench data set's bytes are (`--data-dir` of `npm run bench`; work on a copy: the
 * store opens it for writing). `node dist/bench/storage-breakdown-probe.js DIR`: opens DIR, seals,
 * builds network.*'s client-parent index, checkpoints, then prints the database's used blocks and
 * each table's blocks and bytes a span (from `pragma_storage_info`), and the largest columns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../src/store/duckdb/duckdb-span-store.js';

const dir = process.argv[2]!;
const load = JSON.parse(fs.readFileSync(`${dir}.load.json`, 'utf8')) as { spans: number };
const spans = load.spans;
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, memoryLimit: '512MB', lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
const sql = async (text: string): Promise<unknown[][]> => (await store.runSql(text, [], { timeoutMs: 600_000 })).rows as unknown[][];
try {
  console.log(`${path.basename(dir)}: ${spans} spans, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await store.sealOpenSegment();
  await store.refreshClientParentIndex();
  await store.refreshClientParentIndex();
  await sql('CHECKPOINT');
  const [size] = await sql("SELECT used_blocks, block_size FROM pragma_database_size() WHERE database_name = 'waggle'");
  const blockSize = Number(size?.[1]);
  const used = Number(size?.[0]);
  console.log(`used: ${used} blocks, ${((used * blockSize) / spans).toFixed(2)} bytes a span`);
  const tables = await sql("SELECT table_name FROM duckdb_tables() WHERE database_name = 'waggle' ORDER BY table_name");
  let inTables = 0;
  for (const [name] of tables) {
    const info = await sql(`SELECT count(DISTINCT block_id) FILTER (WHERE block_id >= 0) FROM pragma_storage_info('${String(name)}')`);
    const blocks = Number(info[0]?.[0]);
    inTables += blocks;
    if (blocks > 0) console.log(`  ${String(name)}: ${blocks} blocks, ${((blocks * blockSize) / spans).toFixed(2)} bytes a span`);
  }
  console.log(`  in tables: ${inTables} blocks; other (metadata, free-listed): ${used - inTables}`);
  const indexTables = tables.map(([n]) => String(n)).filter((n) => n.startsWith('waggle_client_parents_'));
  for (const name of indexTables) {
    const rows = await sql(`SELECT count(*) FROM ${name}`);
    const cols = await sql(`SELECT column_name, count(DISTINCT block_id), string_agg(DISTINCT compression, ',') FROM pragma_storage_info('${name}') WHERE segment_type <> 'VALIDITY' GROUP BY column_name ORDER BY column_name`);
    console.log(`  ${name}: ${String(rows[0]?.[0])} rows; columns: ${cols.map((c) => `${String(c[0])} ${String(c[1])} blocks ${String(c[2])}`).join('; ')}`);
  }
} finally {
  await store.close();
}
