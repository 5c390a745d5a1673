import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const limit = process.argv[2] ?? '16MB'; const rows = Number(process.argv[3] ?? 2000000); const mode = process.argv[4] ?? 'update';
const dir = '/tmp/wedge/p3'; fs.rmSync(dir, {recursive:true, force:true}); fs.mkdirSync(dir);
const inst = await DuckDBInstance.create(':memory:', { memory_limit: '512MB', threads: '2', checkpoint_threshold: '10GB' });
const c = await inst.connect();
await c.run(`ATTACH '${dir}/w.duckdb' AS w`); await c.run('USE w');
await c.run('CREATE TABLE t (a BIGINT, b VARCHAR, c DOUBLE)');
if (mode === 'update') {
  await c.run(`INSERT INTO t SELECT i, 'xyz' || (i*7919 % 1000003), random() FROM range(${rows}) r(i)`);
  await c.run('CHECKPOINT');
  await c.run('UPDATE t SET b = b || \'q\', c = c + 1');
} else {
  for (let k = 0; k < rows / 50000; k++) await c.run(`INSERT INTO t SELECT i, 'xyz' || (i*7919 % 1000003), random() FROM range(50000) r(i)`);
}
console.log('wal size', fs.statSync(`${dir}/w.duckdb.wal`).size);
await c.run(`SET memory_limit = '${limit}'`);
let t0 = performance.now();
try { await c.run('CHECKPOINT'); console.log('checkpoint ok'); } catch (e) { console.log('checkpoint err:', e.message.slice(0, 300)); }
try { await c.run('INSERT INTO t VALUES (1, \'y\', 1)'); console.log('insert ok'); } catch (e) { console.log('insert err:', e.message.slice(0,300)); }
const c2 = await inst.connect();
try { const r = await c2.runAndReadAll('SELECT 1'); console.log('c2 select1', r.getRows()); } catch (e) { console.log('c2 select1 err:', e.message.slice(0,300)); }
try { const r = await c2.runAndReadAll('SELECT count(*) FROM w.t'); console.log('c2 count', r.getRows()); } catch (e) { console.log('c2 select err:', e.message.slice(0,300)); }
try { c.closeSync(); c2.closeSync(); inst.closeSync(); console.log('closed'); } catch (e) { console.log('close err', e.message); }
t0 = performance.now();
const inst2 = await DuckDBInstance.create(':memory:');
const d = await inst2.connect(); await d.run(`ATTACH '${dir}/w.duckdb' AS w`);
console.log('reopened', (await d.runAndReadAll('SELECT count(*), count(*) filter (where b like \'%q\') FROM w.t')).getRows(), Math.round(performance.now()-t0), 'ms');
