import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { spawnWaggle, type WaggleProcess } from '../support/waggle-process.js';
import { encodeWideRequest, type WideSpan } from '../support/otlp-wide-request.js';

function span(id: number, name: string, attributes: ReadonlyArray<readonly [string, number | string]>): WideSpan {
  return {
    traceIdHex: `c3${id.toString(16).padStart(30, '0')}`,
    spanIdHex: `d4${id.toString(16).padStart(14, '0')}`,
    name,
    startNs: BigInt(Date.now()) * 1_000_000n,
    durationNs: 1_000_000n,
    attributes,
  };
}

async function post(waggle: WaggleProcess, spans: readonly WideSpan[]): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: new Uint8Array(encodeWideRequest('poison', spans)),
  });
  await response.arrayBuffer();
  return response.status;
}

async function traceStatus(waggle: WaggleProcess, traceIdHex: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${waggle.ports.http}/api/traces/${traceIdHex}`)).status;
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function kill(waggle: WaggleProcess): Promise<void> {
  const exited = new Promise((resolve) => waggle.child.once('exit', resolve));
  waggle.child.kill('SIGKILL');
  await exited;
}

describe('a request whose commit fails because of its content', () => {
  // A real failing condition, no mock: with DuckDB's memory limit at 32 MB a span with 1 999
  // integer columns cannot be appended (DuckDB: "could not allocate block"), while narrow
  // spans, and the store's own small writes, still commit.
  it('is set aside under quarantine/, the rest commits, and after a SIGKILL the restart does not replay it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-poison-'));
    const args = ['--data-dir', dataDir, '--memory-limit', '32MB', '--flush-interval-ms', '100'];
    const before = span(1, 'before', [['http.route', '/before']]);
    const poison = span(2, 'poison', Array.from({ length: 1999 }, (_, k) => [`poison.key_${k}`, k] as const));
    const afterwards = span(3, 'after', [['http.route', '/after']]);
    const first = await spawnWaggle(args);
    let poisonSentAfterMs = 0;
    let poisonAckedMs = 0;
    try {
      assert.equal(await post(first, [before]), 200);
      await waitFor('the first span to be readable', async () => (await traceStatus(first, before.traceIdHex)) === 200);
      const poisonSentMs = Date.now();
      assert.equal(await post(first, [poison]), 200);
      poisonAckedMs = Date.now();
      poisonSentAfterMs = poisonSentMs;
      assert.equal(await post(first, [afterwards]), 200);
      await waitFor('the span after the poison to be readable', async () => (await traceStatus(first, afterwards.traceIdHex)) === 200);
      assert.equal(await traceStatus(first, poison.traceIdHex), 404);
      await waitFor('the set-aside to be logged', () => first.output().includes('set aside WAL entry 2 (1 events) in quarantine/wal-00000000000000000002.json'));
    } finally {
      await kill(first);
    }

    const quarantined = JSON.parse(fs.readFileSync(path.join(dataDir, 'quarantine', 'wal-00000000000000000002.json'), 'utf8')) as {
      wal_position: string;
      received_at_ms: string;
      events: Array<{ trace_id: string; name: string; attributes: unknown[] }>;
    };
    assert.equal(quarantined.wal_position, '2');
    // When the request was received (its ingest time, had it been stored).
    assert.ok(Number(quarantined.received_at_ms) >= poisonSentAfterMs && Number(quarantined.received_at_ms) <= poisonAckedMs, quarantined.received_at_ms);
    assert.deepEqual(
      quarantined.events.map((e) => [e.trace_id, e.name, e.attributes.length]),
      [[poison.traceIdHex, 'poison', 1999]],
    );

    const second = await spawnWaggle(args);
    try {
      assert.equal(await traceStatus(second, before.traceIdHex), 200);
      assert.equal(await traceStatus(second, afterwards.traceIdHex), 200);
      assert.equal(await traceStatus(second, poison.traceIdHex), 404);
      const later = span(4, 'later', [['http.route', '/later']]);
      assert.equal(await post(second, [later]), 200);
      await waitFor('a span sent after the restart to be readable', async () => (await traceStatus(second, later.traceIdHex)) === 200);
      assert.doesNotMatch(second.output(), /replayed|set aside|commit failed/);
    } finally {
      await kill(second);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // On a nearly full disk a small test write succeeds where a commit of real data fails, so the
  // same poison would look like content: with less than quarantineMinFreeBytes free (a 64 MB
  // tmpfs), nothing is set aside; it stays queued and in the WAL.
  it('is never set aside while the data directory has little free space', async (t) => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-poison-small-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint]);
    } catch (error) {
      fs.rmSync(mountPoint, { recursive: true, force: true });
      t.skip(`cannot mount a tmpfs here (needs root): ${(error as Error).message}`);
      return;
    }
    const dataDir = path.join(mountPoint, 'data');
    const waggle = await spawnWaggle(['--data-dir', dataDir, '--memory-limit', '32MB', '--flush-interval-ms', '100']);
    try {
      const poison = span(5, 'poison', Array.from({ length: 1999 }, (_, k) => [`poison.key_${k}`, k] as const));
      assert.equal(await post(waggle, [poison]), 200);
      await waitFor('the failing commit to be logged', () => waggle.output().includes('commit failed'));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.doesNotMatch(waggle.output(), /set aside/);
      assert.equal(fs.existsSync(path.join(dataDir, 'quarantine')) && fs.readdirSync(path.join(dataDir, 'quarantine')).length > 0, false);
      assert.equal(await traceStatus(waggle, poison.traceIdHex), 404);
    } finally {
      await kill(waggle);
      execFileSync('umount', [mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
