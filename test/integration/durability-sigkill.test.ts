import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnWaggle, waitForExit } from '../support/waggle-process.js';

function request(traceIds: string[]): string {
  const spans = traceIds.map((traceId, i) => ({
    traceId,
    spanId: crypto.randomBytes(8).toString('hex'),
    name: `op-${i}`,
    kind: 2,
    startTimeUnixNano: `${Date.now()}000000`,
    endTimeUnixNano: `${Date.now() + 3}000000`,
    attributes: [{ key: 'batch.index', value: { intValue: String(i) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'durable' } }] }, scopeSpans: [{ spans }] }] });
}

describe('durability', () => {
  it('keeps every acknowledged span when the server is killed with SIGKILL right after the 200', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-kill-'));
    // A long commit interval: acknowledged spans are only in the WAL when the kill lands.
    const first = await spawnWaggle(['--data-dir', dataDir, '--flush-interval-ms', '60000']);
    const acknowledged: string[] = [];
    const sends = Array.from({ length: 20 }, async () => {
      const ids = Array.from({ length: 25 }, () => crypto.randomBytes(16).toString('hex'));
      const response = await fetch(`http://127.0.0.1:${first.ports.otlpHttp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: request(ids),
      });
      assert.equal(response.status, 200);
      acknowledged.push(...ids);
    });
    await Promise.all(sends);
    first.child.kill('SIGKILL');
    const exit = await waitForExit(first.child);
    assert.equal(exit.signal, 'SIGKILL');

    const second = await spawnWaggle(['--data-dir', dataDir]);
    try {
      assert.match(second.output(), /replayed 20 acknowledged requests \(500 events\)/);
      let found = 0;
      for (const traceId of acknowledged) {
        const response = await fetch(`http://127.0.0.1:${second.ports.http}/api/traces/${traceId}`);
        if (response.status === 200) found += 1;
      }
      assert.equal(found, 500);
    } finally {
      second.child.kill('SIGTERM');
      const stopped = await waitForExit(second.child);
      assert.equal(stopped.code, 0);
    }
  });

  it('stops cleanly on SIGTERM and finds its data again on restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-term-'));
    const first = await spawnWaggle(['--data-dir', dataDir]);
    const traceId = crypto.randomBytes(16).toString('hex');
    const response = await fetch(`http://127.0.0.1:${first.ports.otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request([traceId]),
    });
    assert.equal(response.status, 200);
    first.child.kill('SIGTERM');
    assert.equal((await waitForExit(first.child)).code, 0);
    assert.match(first.output(), /stopped cleanly/);
    assert.deepEqual(fs.readdirSync(path.join(dataDir, 'wal')).length, 1);

    const second = await spawnWaggle(['--data-dir', dataDir]);
    try {
      assert.doesNotMatch(second.output(), /replayed/);
      const trace = await fetch(`http://127.0.0.1:${second.ports.http}/api/traces/${traceId}`);
      assert.equal(trace.status, 200);
    } finally {
      second.child.kill('SIGINT');
      assert.equal((await waitForExit(second.child)).code, 0);
    }
  });
});
