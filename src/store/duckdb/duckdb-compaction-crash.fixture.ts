/**
 * Child process for duckdb-compaction-crash.test.ts: commits deterministic batches (continuing
 * after the store's committed position), seals a segment every other batch and compacts in the
 * background, reading traces meanwhile, until the parent kills it with SIGKILL.
 *   node duckdb-compaction-crash.fixture.js <dataDir>
 */
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { LIFECYCLE_BASE_NS, SPANS_PER_TRACE, batchTraceId, lifecycleBatch } from './duckdb-lifecycle-fixture.js';

export const CRASH_STORE_OPTIONS = { segmentMaxRows: 600, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: (): void => undefined };

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: duckdb-compaction-crash.fixture <dataDir>');
const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, ...CRASH_STORE_OPTIONS });
let batch = Number(await store.committedWalPosition()) + 1;
let compacting: Promise<unknown> = Promise.resolve();
for (;;) {
  store.enqueue(lifecycleBatch(batch, LIFECYCLE_BASE_NS + BigInt(batch) * 1_000_000_000n), BigInt(batch));
  await store.flush();
  process.stdout.write(`committed ${batch}\n`);
  if (batch % 2 === 0) {
    await store.sealOpenSegment();
    await compacting;
    compacting = store.compactAll();
  }
  const spans = await store.getTrace(batchTraceId(batch, 3));
  if (spans.length !== SPANS_PER_TRACE) throw new Error(`trace of batch ${batch} has ${spans.length} spans`);
  batch += 1;
}
