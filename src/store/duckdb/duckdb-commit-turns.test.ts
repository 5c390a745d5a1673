import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { storedSegmentRows } from '../../../test/support/duckdb-stored-rows.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { countEventLoopTurns } from '../../../test/support/event-loop-turns.js';

/**
 * Events that note, in `reads`, the turn of the event loop (counted by `turn()`) in which the
 * commit reads their `attributes` (the resolver, then the row fill) and their `libraryVersion`
 * (read by the row fill alone).
 */
function notedEvents(count: number, turn: () => number, reads: { attributes: number[]; rows: number[] }): EventRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const event = eventRecord({
      dataset: 'turns',
      timestampNs: 1_763_770_000_000_000_000n + BigInt(i),
      traceId: BigInt(i + 1),
      spanId: BigInt(i + 1),
      attributes: [attributeLayer([['n', 'integer', i]])],
    });
    const { attributes } = event;
    return Object.defineProperties(event, {
      attributes: { get: () => (reads.attributes.push(turn()), attributes), enumerable: true },
      libraryVersion: { get: () => (reads.rows.push(turn()), null), enumerable: true },
    });
  });
}

/** How many reads each turn saw, largest first. */
function perTurn(turns: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const turn of turns) counts.set(turn, (counts.get(turn) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
}

describe('a row-group commit', () => {
  it('resolves at most 1 024 events and fills at most 512 rows to a turn of the event loop', async () => {
    // Issue 9: /healthz < 100 ms while a 64 MB body is committed. Resolving 4 096 events, or
    // filling and handing DuckDB a chunk of 2 048 rows, in one turn took 40-90 ms under load.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-commit-turns-'));
    const turns = countEventLoopTurns();
    try {
      const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, lifecycleIntervalMs: 0 });
      const reads = { attributes: [] as number[], rows: [] as number[] };
      try {
        store.enqueue(notedEvents(5000, turns.current, reads), 1n);
        await store.flush();
      } finally {
        await store.close();
      }
      const rows = perTurn(reads.rows);
      assert.deepEqual({ rowsFilled: reads.rows.length, largestFill: rows[0], fillTurns: rows.length }, { rowsFilled: 5000, largestFill: 512, fillTurns: 10 });
      // Read once to resolve, once more by the fill of their row.
      const attributes = perTurn(reads.attributes);
      assert.deepEqual({ attributeReads: reads.attributes.length, largestTurn: attributes[0] }, { attributeReads: 10_000, largestTurn: 1024 });
      assert.deepEqual(await storedSegmentRows(dataDir), { rows: 5000, distinct: 5000 });
    } finally {
      turns.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
