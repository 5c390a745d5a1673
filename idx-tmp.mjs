// Synthetic: the trace index at N segments of 117k traces each (1M spans a segment), as main keeps it
// (one table, UHUGEINT ids, runs appended per segment) and as the branch keeps it (a sorted table a segment).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
const segments = Number(process.argv[2]);
const file = `/tmp/htrace/idx-${segments}.duckdb`;
fs.rmSync(file, { force: true });
const i = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
const c = await i.connect();
await c.run(`ATTACH '${file}' AS d (ROW_GROUP_SIZE 32768)`); await c.run('USE d');
const per = 117_000;
await c.run('CREATE TABLE global_index (trace_id UHUGEINT NOT NULL, segment_id INTEGER NOT NULL, min_ts_ns BIGINT NOT NULL, max_ts_ns BIGINT NOT NULL)');
const probes = [];
for (let s = 0; s < segments; s++) {
  // main: live rows appended per commit (unsorted), deleted at compaction, then the sorted run inserted.
  await c.run(`CREATE TEMP TABLE src AS SELECT (random() * 3.4e38)::UHUGEINT AS trace_id, (1767225600000000000 + (random() * 8.64e13)::BIGINT) AS min_ts_ns FROM range(${per})`);
  await c.run(`INSERT INTO global_index SELECT trace_id, ${s}, min_ts_ns, min_ts_ns + 50000000 FROM src`);
  await c.run(`DELETE FROM global_index WHERE segment_id = ${s}`);
  await c.run(`INSERT INTO global_index SELECT trace_id, ${s}, min_ts_ns, min_ts_ns + 50000000 FROM src ORDER BY trace_id`);
  await c.run(`CREATE TABLE waggle_traces_${s} AS SELECT xor(CAST(trace_id >> 64 AS UBIGINT), CAST(trace_id & CAST(18446744073709551615 AS UHUGEINT) AS UBIGINT)) AS trace_key, min_ts_ns, 50000000::BIGINT AS length_ns FROM src ORDER BY trace_key`);
  const sample = (await c.runAndReadAll('SELECT trace_id FROM src USING SAMPLE 10 ROWS')).getRows().map(([t]) => t);
  probes.push(...sample);
  await c.run('DROP TABLE src');
}
await c.run('CHECKPOINT');
const key = (t) => (t >> 64n) ^ (t & 0xffffffffffffffffn);
const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (let round = 0; round < 2; round++) {
  const g = [], p = [];
  for (const t of probes) {
    let s = performance.now();
    await c.runAndReadAll(`SELECT segment_id, min(min_ts_ns), max(max_ts_ns) FROM global_index WHERE trace_id = ${t}::UHUGEINT GROUP BY segment_id`);
    g.push(performance.now() - s);
    s = performance.now();
    const sql = Array.from({ length: segments }, (_, k) => `SELECT trace_key, ${k} AS segment_id, min_ts_ns, min_ts_ns + length_ns AS max_ts_ns FROM waggle_traces_${k} WHERE trace_key = ${key(t)}::UBIGINT`).join(' UNION ALL ');
    await c.runAndReadAll(`SELECT segment_id, min(min_ts_ns), max(max_ts_ns) FROM (${sql}) GROUP BY segment_id`);
    p.push(performance.now() - s);
  }
  console.log(`${segments} segments (${segments * per} traces): main's global index median ${med(g).toFixed(2)} ms; per-segment tables median ${med(p).toFixed(2)} ms (load ${os.loadavg()[0].toFixed(1)})`);
}
const sizes = (await c.runAndReadAll(`SELECT 1`));
fs.rmSync(file, { force: true });
