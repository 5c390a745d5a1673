import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const mode = process.argv[2];
const dir = '/tmp/wedge/p4'; fs.rmSync(dir, {recursive:true, force:true}); fs.mkdirSync(dir);
const inst = await DuckDBInstance.create(':memory:', { memory_limit: '512MB', threads: '2' });
const c = await inst.connect();
await c.run(`ATTACH '${dir}/w.duckdb' AS w`); await c.run('USE w');
await c.run('CREATE TABLE t (a BIGINT, b VARCHAR)');
await c.run(`SET debug_checkpoint_abort = '${mode}'`);
await c.run(`SET checkpoint_threshold = '1KB'`);
for (let k = 0; k < 3; k++) {
  try { await c.run('BEGIN'); await c.run(`INSERT INTO t SELECT i, 'x' || i FROM range(1000) r(i)`); await c.run('COMMIT'); console.log('commit', k, 'ok'); } catch (e) { console.log('commit', k, 'err:', e.message.slice(0, 250)); await c.run('ROLLBACK').catch((e)=>console.log('rollback err', e.message.slice(0,100))); }
}
const c2 = await inst.connect();
try { const r = await c2.runAndReadAll('SELECT count(*) FROM w.t'); console.log('c2 count', r.getRows()); } catch (e) { console.log('c2 select err:', e.message.slice(0,200)); }
try { c.closeSync(); c2.closeSync(); inst.closeSync(); console.log('closed'); } catch (e) { console.log('close err', e.message); }
const inst2 = await DuckDBInstance.create(':memory:');
const d = await inst2.connect(); await d.run(`ATTACH '${dir}/w.duckdb' AS w`);
console.log('reopened', (await d.runAndReadAll('SELECT count(*) FROM w.t')).getRows());
