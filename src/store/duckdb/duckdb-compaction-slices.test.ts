import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { LIFECYCLE_BASE_NS } from './duckdb-lifecycle-fixture.js';
import { compactionSliceFilters } from './duckdb-store-lifecycle.js';
import { newSegment } from './duckdb-segment.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import type { EventRecord } from '../../core/event-record.js';

const SECOND = 1_000_000_000n;

describe('a compaction in slices of event time', () => {
  it('cuts a group at whole seconds into slices of about the given rows, open-ended at both ends', () => {
    const segment = (rows: number, minS: bigint, maxS: bigint) => Object.assign(newSegment(1), { rowCount: rows, minTsNs: minS * SECOND + 1n, maxTsNs: maxS * SECOND + 500n });
    // 300 000 rows over seconds 1000..1099 (100 s): 3 slices of 34 s.
    assert.deepEqual(compactionSliceFilters([segment(200_000, 1000n, 1060n), segment(100_000, 1050n, 1099n)], 131_072), [
      ` WHERE ts_ns < ${1034n * SECOND}`,
      ` WHERE ts_ns >= ${1034n * SECOND} AND ts_ns < ${1068n * SECOND}`,
      ` WHERE ts_ns >= ${1068n * SECOND}`,
    ]);
    // Small enough for one sort, or everything within one second: one statement, no filter.
    assert.deepEqual(compactionSliceFilters([segment(131_072, 1000n, 1099n)], 131_072), ['']);
    assert.deepEqual(compactionSliceFilters([segment(300_000, 1000n, 1000n)], 131_072), ['']);
  });

  it('stores every row once, in the order of one sort (seconds, trace, time), with full row groups', async () => {
    const rows = 150_000;
    const events: EventRecord[] = [];
    for (let i = 0; i < rows; i += 1) {
      // Arrival order scrambled against time order, so the sort has work to do across slices.
      const n = (i * 7919) % rows;
      events.push(eventRecord({ dataset: 'slices', timestampNs: LIFECYCLE_BASE_NS + BigInt(n) * 1_000_000n, traceId: 0xabc00000000000000000000000000000n + BigInt(n % 997), spanId: BigInt(i + 1), name: `op-${n % 7}` }));
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-slices-'));
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
    try {
      for (let part = 0; part < 3; part += 1) {
        store.enqueue(events.slice((part * rows) / 3, ((part + 1) * rows) / 3), BigInt(part + 1));
        await store.flush();
        await store.sealOpenSegment();
      }
      assert.equal(await store.compactAll(), 1);
      const [table] = (await store.runSql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'seg_%' ORDER BY estimated_size DESC LIMIT 1", [], { timeoutMs: 10_000 })).rows;
      const name = String(table?.[0]);
      const [counts] = (
        await store.runSql(
          `SELECT count(*), count(DISTINCT span_id), count(*) FILTER (WHERE key < previous) FROM (SELECT span_id, (ts_ns // 1000000000, trace_id, ts_ns) AS key, lag((ts_ns // 1000000000, trace_id, ts_ns)) OVER (ORDER BY rowid) AS previous FROM ${name})`,
          [],
          { timeoutMs: 10_000 },
        )
      ).rows;
      assert.deepEqual(counts?.map(Number), [rows, rows, 0]);
      const rowGroups = await store.runSql(`SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('${name}')`, [], { timeoutMs: 10_000 });
      assert.equal(Number(rowGroups.rows[0]?.[0]), Math.ceil(rows / DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize));
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
