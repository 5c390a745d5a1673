import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttributeList } from '../../src/core/attribute-value.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import type { SpanStore } from '../../src/store/span-store.js';
import { freshChdbLocation, openChdbStore } from '../support/chdb-test-store.js';
import { spanEvent } from './span-store-conformance.js';

// DuckDB with segments of bounded width; ClickHouse with one typed column per key in its one table.
const BACKENDS: ReadonlyArray<[string, () => Promise<SpanStore>]> = [
  ['duckdb', () => DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-keys-')), segmentMaxColumns: 400 })],
  ['clickhouse (chdb)', () => openChdbStore(freshChdbLocation())],
];

for (const [backend, open] of BACKENDS) describe(`a store with thousands of distinct attribute keys on ${backend}`, () => {
  it('stores and finds every one of 3000 keys', async () => {
    const store = await open();
    try {
      const KEYS = 3000;
      const PER_SPAN = 20;
      // 600 spans, each with 20 keys of its own (key k = span*5 + i mod KEYS): every key used 4 times.
      for (let batch = 0; batch < 6; batch++) {
        const events = [];
        for (let s = batch * 100; s < (batch + 1) * 100; s++) {
          const layer: AttributeList = { keys: [], kinds: [], values: [] };
          for (let i = 0; i < PER_SPAN; i++) {
            const k = (s * 5 + i) % KEYS;
            layer.keys.push(`custom.key_${k}`);
            layer.kinds.push('integer');
            layer.values.push(k);
          }
          events.push(spanEvent({ traceId: BigInt(s + 1), spanId: BigInt(s + 1), attributes: [layer] }));
        }
        store.enqueue(events, BigInt(batch + 1));
        await store.flush();
      }
      const columns = (await store.listColumns({ kind: 'all' })).filter((c) => c.key_name.startsWith('custom.key_'));
      assert.equal(columns.length, KEYS);
      const trace = await store.getTrace(599n + 1n);
      const values = Object.entries(trace[0]!).filter(([key]) => key.startsWith('custom.key_'));
      assert.equal(values.length, PER_SPAN);
      assert.deepEqual(values.map(([, v]) => v).sort((a, b) => Number(a) - Number(b)), Array.from({ length: PER_SPAN }, (_, i) => (599 * 5 + i) % KEYS).sort((a, b) => a - b));
      const schema = await store.querySchema({ kind: 'all' });
      const binding = schema.column('custom.key_2999')!;
      const relation = store.relation({ kind: 'all' }, binding.physicalColumns, { startNs: 0n, endNs: 2n ** 62n });
      const counted = await store.runSql(`SELECT count(${binding.sql}) FROM ${relation} AS r`, [], { timeoutMs: 10_000 });
      assert.deepEqual(counted.rows, [[4n]]);
    } finally {
      await store.close();
    }
  });
});
