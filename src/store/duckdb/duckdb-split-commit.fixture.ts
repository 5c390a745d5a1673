/**
 * Child process for duckdb-span-store.test.ts: queues two requests, waits until the store has
 * committed one row group on its own (which ends inside the second request), then kills itself
 * with SIGKILL before anything else is committed.
 *   node duckdb-split-commit.fixture.js <dataDir>
 */
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { splitCommitRequest } from './duckdb-split-commit-requests.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: duckdb-split-commit.fixture <dataDir>');
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, rowGroupSize: 2048 });
store.enqueue(splitCommitRequest(0), 1n);
store.enqueue(splitCommitRequest(1), 2n);
while (store.pendingEvents() > 2 * 1500 - 2048) await new Promise((resolve) => setTimeout(resolve, 5));
process.kill(process.pid, 'SIGKILL');
