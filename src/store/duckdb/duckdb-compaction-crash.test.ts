import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { traceIndexRowsSql, traceKey32Sql, traceKeySql } from './duckdb-physical-layout.js';
import { SPANS_PER_TRACE, TRACES_PER_BATCH, batchTraceId } from './duckdb-lifecycle-fixture.js';

const ROUNDS = 4;

/** Runs the fixture until it has committed `minBatches` more batches, then SIGKILLs it after a random delay. */
async function runAndKill(dir: string, minBatches: number): Promise<NodeJS.Signals | null> {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const fixture = fileURLToPath(new URL(`./duckdb-compaction-crash.fixture${extension}`, import.meta.url));
  const loaderFlags = process.execArgv.filter((arg, i, all) => arg.startsWith('--import') || all[i - 1] === '--import');
  return new Promise((resolve, reject) => {
    const child = fork(fixture, [dir], { execArgv: loaderFlags, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let seen = 0;
    let armed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').filter((l) => l.startsWith('committed ')).length;
      if (!armed && seen >= minBatches) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 400));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === null ? reject(new Error(`fixture exited with ${code}`)) : resolve(signal)));
  });
}

async function scalar(store: DuckDbSpanStore, sql: string): Promise<number> {
  return Number((await store.runSql(sql, [], { timeoutMs: 30_000 })).rows[0]?.[0]);
}

describe('compaction and SIGKILL', () => {
  it('keeps every committed batch exactly once and the trace index exact, however often the process is killed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-compaction-crash-'));
    let compactedSeen = 0;
    let mergedSeen = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      assert.equal(await runAndKill(dir, 6), 'SIGKILL');
      const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, segmentMaxRows: 600, lifecycleIntervalMs: 0, log: () => undefined });
      try {
        const committed = Number(await store.committedWalPosition());
        assert.ok(committed >= 6 * round, `round ${round}: committed ${committed}`);
        const relation = store.relation({ kind: 'all' }, ['span_id'], { startNs: 0n, endNs: 2n ** 62n });
        assert.equal(await scalar(store, `SELECT count(*) FROM ${relation}`), committed * TRACES_PER_BATCH * SPANS_PER_TRACE);
        assert.equal(await scalar(store, `SELECT count(DISTINCT span_id) FROM ${relation}`), committed * TRACES_PER_BATCH * SPANS_PER_TRACE);
        for (let batch = 1; batch <= committed; batch++) {
          for (const t of [0, 7, TRACES_PER_BATCH - 1]) {
            const names = (await store.getTrace(batchTraceId(batch, t))).map((s) => s['name']);
            assert.deepEqual(names, ['op-0', 'op-1', 'op-2'], `round ${round}, batch ${batch}, trace ${t}`);
          }
        }
        assert.deepEqual(await store.getTrace(batchTraceId(committed + 1, 0)), []);
        // The index names exactly the (trace, segment) pairs the registered segments hold.
        const ids = (await store.runSql('SELECT id FROM waggle_segments ORDER BY id', [], { timeoutMs: 10_000 })).rows.map(([id]) => Number(id));
        const held = ids.map((id) => `SELECT DISTINCT ${traceKey32Sql(traceKeySql('trace_id'))} AS trace_key, ${id} AS segment_id FROM seg_${id} WHERE trace_id IS NOT NULL`).join(' UNION ALL ');
        const heldSet = `SELECT * FROM (${held})`;
        // (The merged table may still name retired segments until its next merge; lookups skip them.)
        const indexed = `SELECT DISTINCT trace_key, segment_id FROM (${traceIndexRowsSql()}) WHERE segment_id IN (SELECT id FROM waggle_segments)`;
        assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_index WHERE segment_id NOT IN (SELECT id FROM waggle_segments)'), 0);
        assert.equal(await scalar(store, 'SELECT count(*) FROM waggle_trace_runs WHERE segment_id NOT IN (SELECT id FROM waggle_segments)'), 0);
        assert.equal(await scalar(store, `SELECT count(*) FROM (${indexed} EXCEPT ${heldSet})`), 0);
        assert.equal(await scalar(store, `SELECT count(*) FROM (${heldSet} EXCEPT ${indexed})`), 0);
        // Nothing half-built is left: every segment table is registered, no compaction index table remains.
        assert.equal(await scalar(store, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'seg\\_%' ESCAPE '\\'`), ids.length);
        assert.equal(await scalar(store, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'waggle\\_compaction\\_%' ESCAPE '\\'`), 0);
        assert.equal(await scalar(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'waggle_trace_merge_build'"), 0);
        mergedSeen = Math.max(mergedSeen, await scalar(store, 'SELECT count(*) FROM waggle_trace_merged32'));
        compactedSeen = await scalar(store, 'SELECT count(*) FROM waggle_segments WHERE compacted');
      } finally {
        await store.close();
      }
    }
    assert.ok(compactedSeen > 0, 'no compaction ever committed: the test proved nothing');
    assert.ok(mergedSeen > 0, 'no merge of the trace runs ever committed: the test proved nothing about them');
  });
});
