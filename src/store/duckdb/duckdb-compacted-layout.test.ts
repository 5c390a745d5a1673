import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { LIFECYCLE_BASE_NS } from './duckdb-lifecycle-fixture.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import type { EventRecord } from '../../core/event-record.js';

const SEGMENTS = 3;
const ROWS_PER_SEGMENT = 50_000;
const ROWS = SEGMENTS * ROWS_PER_SEGMENT;

/** Segment `segment`'s spans: 10 a trace, 1 ms apart, with span ids that do not compress and a few attributes. */
function segmentEvents(segment: number): EventRecord[] {
  const events: EventRecord[] = [];
  let state = 0x9e3779b9 + segment;
  const random = (): bigint => {
    state = (Math.imul(state ^ (state >>> 15), 0x85ebca6b) + 0x6b43a9b5) >>> 0;
    return BigInt(state);
  };
  for (let i = 0; i < ROWS_PER_SEGMENT; i += 1) {
    const n = segment * ROWS_PER_SEGMENT + i;
    events.push(
      eventRecord({
        dataset: 'layout',
        timestampNs: LIFECYCLE_BASE_NS + BigInt(n) * 1_000_000n,
        traceId: 0xabc00000000000000000000000000000n + BigInt(Math.floor(n / 10)),
        spanId: (random() << 32n) | random(),
        parentId: (random() << 32n) | random(),
        name: `op-${n % 7}`,
        attributes: [attributeLayer([['http.route', 'string', `/route/${n % 13}`], ['user.id', 'string', `user-${random() % 5000n}`], ['bytes', 'integer', Number(random() % 100000n)]])],
      }),
    );
  }
  return events;
}

describe('the layout of a compacted segment', () => {
  it('fills its row groups one after the other, so that a row group lies in few blocks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-layout-'));
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
    try {
      for (let segment = 0; segment < SEGMENTS; segment += 1) {
        store.enqueue(segmentEvents(segment), BigInt(segment + 1));
        await store.flush();
        await store.sealOpenSegment();
      }
      assert.equal(await store.compactAll(), 1);
      // The compacted segment (its sources are dropped by the next pass).
      const [table] = (await store.runSql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'seg_%' ORDER BY estimated_size DESC LIMIT 1", [], { timeoutMs: 10_000 })).rows;
      const name = String(table?.[0]);
      const rowGroups = await store.runSql(
        `SELECT row_group_id, count(DISTINCT block_id) FROM pragma_storage_info('${name}') WHERE block_id >= 0 GROUP BY row_group_id ORDER BY row_group_id`,
        [],
        { timeoutMs: 10_000 },
      );
      // One writer filling each row group in turn: ⌈150 000 / 32 768⌉ row groups, all full but the
      // last (a parallel insert leaves partly filled ones, one or more per thread).
      assert.equal(rowGroups.rows.length, Math.ceil(ROWS / DEFAULT_DUCKDB_STORE_OPTIONS.rowGroupSize));
      assert.equal(Number((await store.runSql(`SELECT count(*) FROM ${name}`, [], { timeoutMs: 10_000 })).rows[0]?.[0]), ROWS);
      // Each row group's column segments (~0.6 MB) lie in 3-5 blocks of 256 KiB, shared only with
      // the row groups beside it (where the free blocks are varies: seen 3, 3, 3, 4, 4 and 4, 5, 4,
      // 4, 4); with five row groups written at once by two threads, 7, 7, 7, 4, 3.
      const blocks = rowGroups.rows.map(([, count]) => Number(count));
      assert.ok(blocks.every((count) => count <= 5), `distinct blocks per row group: ${blocks.join(', ')}`);
      // Every trace is still whole.
      assert.equal((await store.getTrace(0xabc00000000000000000000000000000n + 7_777n)).length, 10);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
