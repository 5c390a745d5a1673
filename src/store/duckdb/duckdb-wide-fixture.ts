import type { EventRecord } from '../../core/event-record.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import type { DuckDbSpanStore } from './duckdb-span-store.js';

/** Small row groups for the wide-data tests: DuckDB's cost of a column is per row group (a block), not per row. */
export const WIDE_TEST_ROW_GROUP = 2048;
const BASE_NS = 1_763_770_000_000_000_000n;

/** `count` events of dataset `wide` from `from` on, each with `keys` string attributes named `${prefix}_<k>`. */
export function wideEvents(from: number, count: number, prefix: string, keys: number): EventRecord[] {
  return Array.from({ length: count }, (_, i) =>
    eventRecord({
      dataset: 'wide',
      timestampNs: BASE_NS + BigInt(from + i) * 1000n,
      traceId: BigInt(from + i + 1),
      spanId: BigInt(from + i + 1),
      attributes: [attributeLayer(Array.from({ length: keys }, (_, k) => [`${prefix}_${k}`, 'string', `v${(from + i + k) % 7}`] as const))],
    }),
  );
}

/** Bytes DuckDB holds for table data not written yet (rows and columns not checkpointed). */
export async function inMemoryTableBytes(store: DuckDbSpanStore): Promise<number> {
  const result = await store.runSql("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'", [], { timeoutMs: 10_000 });
  return Number(result.rows[0]?.[0] ?? 0);
}
