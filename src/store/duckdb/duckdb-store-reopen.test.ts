import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { SPLIT_COMMIT_REQUEST_EVENTS, splitCommitRequest } from './duckdb-split-commit-requests.js';

describe('DuckDbSpanStore reopening an invalidated database', () => {
  it('commits again, once, a row-group commit that split a request and failed at its checkpoint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-reopen-'));
    const logs: string[] = [];
    // DuckDB aborts every checkpoint of this first open and checkpoints at any commit that logs
    // over 1 KB: the first row-group commit (2048 events: request 1 and 548 of request 2) fails
    // at its checkpoint and the database is invalidated.
    const store = await DuckDbSpanStore.open({
      ...DEFAULT_DUCKDB_STORE_OPTIONS,
      dataDir: dir,
      rowGroupSize: 2048,
      log: (message) => logs.push(message),
      faultInjectionSettings: { debug_checkpoint_abort: 'before_header', checkpoint_threshold: '1KB' },
    });
    try {
      store.enqueue(splitCommitRequest(0), 1n);
      store.enqueue(splitCommitRequest(1), 2n);
      const deadline = Date.now() + 30_000;
      while ((await store.committedWalPosition()) < 2n && Date.now() < deadline) {
        // As the ingest timer does: refused at once while the store reopens, then commits the rest.
        await store.flush().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(store.health().reopens, { succeeded: 1, failed: 0, afterFailedCommit: 0 }, logs.join('\n'));
      assert.equal(await store.committedWalPosition(), 2n);
      assert.equal(store.pendingEvents(), 0);
      const relation = store.relation({ kind: 'one', name: 'split' }, ['span_id'], { startNs: 0n, endNs: 2n ** 62n });
      const rows = await store.runSql(`SELECT count(*), count(DISTINCT span_id), min(span_id), max(span_id) FROM ${relation} AS s`, [], { timeoutMs: 10_000 });
      assert.deepEqual(rows.rows[0], [BigInt(2 * SPLIT_COMMIT_REQUEST_EVENTS), 3000n, 1n, 3000n]);
      assert.deepEqual({ committing: store.health().committing, reopening: store.health().reopening }, { committing: true, reopening: null });
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
