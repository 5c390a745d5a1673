import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';

const BASE_NS = 1_763_770_000_000_000_000n;

describe('DuckDB trace reads during commits that add columns', () => {
  it('never returns a span without a field its commit added, however the lookup and the commit interleave', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-commit-race-'));
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, clock: () => BASE_NS, lifecycleIntervalMs: 0, log: () => undefined });
    let found = 0;
    let withoutField = 0;
    try {
      for (let i = 1; i <= 60; i += 1) {
        const traceId = 0x7ea0000000000000000000000000000n + BigInt(i);
        store.enqueue([eventRecord({ timestampNs: BASE_NS + BigInt(i), traceId, spanId: BigInt(i), attributes: [attributeLayer([[`added.${i}`, 'integer', i]])] })], BigInt(i));
        let flushed = false;
        const flush = store.flush().then(() => {
          flushed = true;
        });
        // Lookups back to back while the commit runs: each one that finds the span must show its field.
        // A lookup that finds no index row awaits no I/O (the index is in memory), so each turn
        // also yields to the event loop, where the commit's steps complete.
        while (!flushed) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          const spans = await store.getTrace(traceId);
          for (const span of spans) {
            found += 1;
            if (span[`added.${i}`] !== i) withoutField += 1;
          }
        }
        await flush;
        assert.deepEqual((await store.getTrace(traceId)).map((e) => e[`added.${i}`]), [i]);
      }
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(withoutField, 0, `${withoutField} of ${found} spans found during their commit lacked the field it added`);
  });
});
