import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { EventRecord } from '../../core/event-record.js';
import { eventRecord } from '../../../test/support/event-record-fixture.js';
import { until } from '../../../test/support/poll-until.js';
import { clientParentRebuildWaitMs } from './duckdb-client-parent-index.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';

const BASE_NS = 1_763_770_000_000_000_000n;
const PAIRS = 40_000;

/**
 * `count` client spans, each the parent of a server span: every server is an index row. The
 * server's start and the client's duration are scattered (a multiplicative hash), so the client's
 * offsets from its server, which the index stores, do not compress away.
 */
function clientServerPairs(first: number, count: number): EventRecord[] {
  const events: EventRecord[] = [];
  for (let i = first; i < first + count; i++) {
    const trace = (BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc835n) & ((1n << 128n) - 1n);
    const spanId = (BigInt(i + 1) * 0x9e3779b97f4a7c15n) & ((1n << 63n) - 1n);
    const start = BASE_NS + BigInt(i) * 1_000_000n;
    const late = 1n + (spanId % 1_000_000_000n);
    const common = { dataset: 'pairs', traceId: trace };
    events.push(eventRecord({ ...common, timestampNs: start, durationNs: 2_000_000_000n + ((spanId >> 20n) % 1_000_000_000n), spanId, kind: 'client', name: 'call' }));
    events.push(eventRecord({ ...common, timestampNs: start + late, durationNs: 1_000_000n, spanId: spanId + 1n, parentId: spanId, kind: 'server', name: 'serve' }));
  }
  return events;
}

async function usedBlocks(store: DuckDbSpanStore): Promise<number> {
  const rows = await store.runSql("SELECT used_blocks FROM pragma_database_size() WHERE database_name = 'waggle'", [], { timeoutMs: 10_000 });
  return Number(rows.rows[0]?.[0]);
}

describe("network.*'s client-parent index on disk", () => {
  it('gives back the blocks of a replaced index once it is dropped', async () => {
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-cpidx-')), lifecycleIntervalMs: 0, retiredTableGraceMs: 0, log: () => undefined });
    try {
      store.enqueue(clientServerPairs(0, PAIRS), 1n);
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.refreshClientParentIndex(), true);
      await store.runSql('CHECKPOINT', [], { timeoutMs: 60_000 });
      const oneIndex = await usedBlocks(store);
      // A second sealed segment (one pair more): the index is built again over both, the first replaced.
      store.enqueue(clientServerPairs(PAIRS, 1), 2n);
      await store.flush();
      await store.sealOpenSegment();
      assert.equal(await store.refreshClientParentIndex(), true);
      await store.runSql('CHECKPOINT', [], { timeoutMs: 60_000 });
      const twoIndexes = await usedBlocks(store);
      assert.ok(twoIndexes > oneIndex, `both copies on disk: ${twoIndexes} blocks, one: ${oneIndex}`);
      // The next refresh drops the replaced one (no grace here); its blocks come back without anyone else checkpointing.
      assert.equal(await store.refreshClientParentIndex(), false);
      await until('the replaced index blocks freed', async () => {
        const used = await usedBlocks(store);
        return used < twoIndexes ? used : null;
      }, 10_000);
    } finally {
      await store.close();
    }
  });
});

describe("network.*'s client-parent index build pace", () => {
  it('waits a minute or ten times the last build, twice as long for each build that failed in a row, up to half an hour', () => {
    assert.equal(clientParentRebuildWaitMs(0, 0), 60_000);
    assert.equal(clientParentRebuildWaitMs(10_000, 0), 100_000);
    assert.equal(clientParentRebuildWaitMs(0, 1), 120_000);
    assert.equal(clientParentRebuildWaitMs(0, 2), 240_000);
    assert.equal(clientParentRebuildWaitMs(40_000, 1), 800_000);
    assert.equal(clientParentRebuildWaitMs(0, 5), 1_800_000);
    assert.equal(clientParentRebuildWaitMs(0, 60), 1_800_000);
    // A build slower than the cap's pace keeps its own pace, failing or not.
    assert.equal(clientParentRebuildWaitMs(300_000, 0), 3_000_000);
    assert.equal(clientParentRebuildWaitMs(300_000, 3), 3_000_000);
  });
});
