import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../core/event-record.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';

const TRACE_ID = 0xd15c0000000000000000000000000001n;

function events(from: number, count: number): EventRecord[] {
  return Array.from({ length: count }, (_, i) =>
    eventRecord({
      dataset: 'disk',
      timestampNs: 1_763_770_000_000_000_000n + BigInt(from + i),
      traceId: TRACE_ID,
      spanId: BigInt(from + i + 1),
      attributes: [attributeLayer([['padding', 'string', `${from + i}-${'p'.repeat(400)}`]])],
    }),
  );
}

function mount(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
}

describe('a commit that fails because the store’s disk is full', () => {
  it('is not set aside as poison: it stays queued and commits once space returns', async (t) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-store-full-'));
    const dataDir = path.join(root, 'data');
    const mounted: string[] = [];
    try {
      try {
        mount(dataDir, '24m');
        mounted.unshift(dataDir);
        // quarantine/ on a roomy file system of its own: only the store's disk is full, so a
        // set-aside would succeed and hide the full disk as a poison request.
        mount(path.join(dataDir, 'quarantine'), '64m');
        mounted.unshift(path.join(dataDir, 'quarantine'));
      } catch (error) {
        t.skip(`cannot mount a tmpfs (needs root and mount(8)): ${(error as Error).message.split('\n')[0]}`);
        return;
      }
      const logged: string[] = [];
      const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, log: (message) => logged.push(message) });
      const filler = path.join(dataDir, 'filler');
      try {
        store.enqueue(events(0, 10), 1n);
        await store.flush();
        // Leave ~1 MB: small writes still fit, a commit of ~5 MB of rows does not.
        const stats = fs.statfsSync(dataDir);
        fs.writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 1024 * 1024)));
        store.enqueue(events(10, 12_000), 2n);
        await assert.rejects(store.flush());
        assert.equal(store.health().quarantinedRequests, 0, logged.join('\n'));
        assert.deepEqual(fs.readdirSync(path.join(dataDir, 'quarantine')), []);

        fs.rmSync(filler);
        await store.flush();
        assert.equal((await store.getTrace(TRACE_ID)).length, 12_010);
        assert.equal(await store.committedWalPosition(), 2n);
      } finally {
        // Room for the checkpoint on close, so that a failed assertion above is what gets reported.
        fs.rmSync(filler, { force: true });
        await store.close();
      }
    } finally {
      for (const dir of mounted) execFileSync('umount', ['-l', dir]);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
