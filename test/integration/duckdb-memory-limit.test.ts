import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';
import type { WaggleConfig } from '../../src/server/waggle-config.js';

/** DuckDB's own memory_limit in the running server's database, as DuckDB prints it. */
async function duckDbMemoryLimitOfServer(overrides: Partial<WaggleConfig>): Promise<string> {
  const waggle = await startTestWaggle(overrides);
  try {
    const result = await waggle.store.runSql("SELECT current_setting('memory_limit')", [], { timeoutMs: 10_000 });
    return String(result.rows[0]?.[0]);
  } finally {
    await waggle.stop();
  }
}

describe("the server opens DuckDB with a memory limit that follows the process's memory budget", () => {
  it('gives DuckDB 35 % of the default 1 GiB budget (358 MiB), not a fixed 512 MB', async () => {
    assert.equal(await duckDbMemoryLimitOfServer({}), '358.0 MiB');
  });

  it('gives DuckDB 35 % of a budget given to the server itself', async () => {
    assert.equal(await duckDbMemoryLimitOfServer({ maxMemoryBytes: 2 * 1024 * 1024 * 1024 }), '716.0 MiB');
  });

  it('still starts under a budget too small to keep, with 64 MiB for DuckDB', async () => {
    assert.equal(await duckDbMemoryLimitOfServer({ maxMemoryBytes: 1024 * 1024 }), '64.0 MiB');
  });

  it('keeps 512 MB (488.2 MiB) with the budget off', async () => {
    assert.equal(await duckDbMemoryLimitOfServer({ maxMemoryBytes: 0 }), '488.2 MiB');
  });

  it("takes the operator's WAGGLE_MEMORY_LIMIT over the budget's share", async () => {
    assert.equal(await duckDbMemoryLimitOfServer({ memoryLimit: '768MB' }), '732.4 MiB');
  });
});
