import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnWaggle, waitForExit, type WaggleProcess } from '../support/waggle-process.js';

const SPANS_PER_REQUEST = 20;

function request(traceIds: readonly string[]): string {
  const now = Date.now();
  const spans = traceIds.map((traceId, i) => ({
    traceId,
    spanId: crypto.randomBytes(8).toString('hex'),
    name: `op-${i}`,
    kind: 2,
    startTimeUnixNano: `${now}000000`,
    endTimeUnixNano: `${now + 3}000000`,
    attributes: [{ key: 'batch.index', value: { intValue: String(i) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'durable' } }] }, scopeSpans: [{ spans }] }] });
}

/** Senders posting requests of SPANS_PER_REQUEST one-span traces until stopped; the ids of those answered 200 go to `acknowledged`. */
function startSenders(waggle: WaggleProcess, count: number, acknowledged: Set<string>): { stop: () => Promise<void> } {
  let stopped = false;
  const sender = async (): Promise<void> => {
    while (!stopped) {
      const ids = Array.from({ length: SPANS_PER_REQUEST }, () => crypto.randomBytes(16).toString('hex'));
      try {
        const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request(ids) });
        await response.arrayBuffer();
        if (response.status === 200) for (const id of ids) acknowledged.add(id);
      } catch {
        // The kill landed during this request: neither acknowledged nor promised.
      }
    }
  };
  const senders = Array.from({ length: count }, sender);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(senders);
    },
  };
}

/** Sends requests from a few senders until `stopAfterMs`, then kills the server with SIGKILL while they are still sending. */
async function ingestThenKill(waggle: WaggleProcess, stopAfterMs: number, acknowledged: Set<string>): Promise<void> {
  const senders = startSenders(waggle, 4, acknowledged);
  await new Promise((resolve) => setTimeout(resolve, stopAfterMs));
  waggle.child.kill('SIGKILL');
  assert.equal((await waitForExit(waggle.child)).signal, 'SIGKILL');
  await senders.stop();
}

/** The directory of chdb's span table (an Atomic database names it by the table's UUID). */
function spanTableDirectory(chdbDir: string): string {
  const attach = fs.readFileSync(path.join(chdbDir, 'metadata', 'waggle', 'waggle_spans.sql'), 'utf8');
  const uuid = /UUID '([0-9a-f-]{36})'/.exec(attach)?.[1];
  assert.ok(uuid !== undefined, attach.slice(0, 200));
  return path.join(chdbDir, 'store', uuid.slice(0, 3), uuid);
}

/** Whether strace can hold a syscall of a process of ours (installed, ptrace allowed). */
function straceWorks(): boolean {
  const probe = spawnSync('strace', ['-qq', '-e', 'trace=getpid', '-e', 'inject=getpid:delay_enter=1000', process.execPath, '-e', 'process.pid'], { timeout: 20_000 });
  return probe.status === 0;
}

/**
 * Like ingestThenKill, but the kill lands while ClickHouse is putting a new span part into place:
 * strace holds every rename of the server for 3 s; once a part of the span table is written
 * (its tmp_insert_ directory exists) and is waiting for its rename, the server is killed.
 */
async function ingestThenKillDuringPartRename(waggle: WaggleProcess, chdbDir: string, acknowledged: Set<string>): Promise<void> {
  const senders = startSenders(waggle, 2, acknowledged);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const table = spanTableDirectory(chdbDir);
  const strace = spawn('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename,renameat,renameat2', '-e', 'inject=rename,renameat,renameat2:delay_enter=3000000', '-p', String(waggle.child.pid)]);
  try {
    const pendingPart = (): boolean => fs.readdirSync(table).some((name) => name.startsWith('tmp_insert_'));
    const deadline = Date.now() + 30_000;
    while (!pendingPart()) {
      assert.ok(Date.now() < deadline, 'no span part was written within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Past ClickHouse's bookkeeping of the part (its deduplication log), still before the rename.
    await new Promise((resolve) => setTimeout(resolve, 500));
    waggle.child.kill('SIGKILL');
    assert.equal((await waitForExit(waggle.child)).signal, 'SIGKILL');
  } finally {
    strace.kill('SIGKILL');
    await senders.stop();
  }
}

/** Every acknowledged span is stored once (each trace holds one span): the ids of those lost. */
async function lostSpans(waggle: WaggleProcess, acknowledged: ReadonlySet<string>): Promise<{ lost: string[]; stored: unknown }> {
  const [totals] = await query(waggle, { calculations: [{ op: 'COUNT' }, { op: 'COUNT_DISTINCT', column: 'trace.trace_id' }] });
  assert.equal(totals!['COUNT'], totals!['COUNT_DISTINCT(trace.trace_id)'], 'a span was stored twice');
  // A query answers at most 10 000 groups: listed by the first hex digit of the id, 16 queries.
  const stored = new Set<string>();
  for (const digit of '0123456789abcdef') {
    const rows = await query(waggle, { calculations: [{ op: 'COUNT' }], breakdowns: ['trace.trace_id'], filters: [{ column: 'trace.trace_id', op: 'starts-with', value: digit }] }, 10_000);
    for (const row of rows) stored.add(String(row['trace.trace_id']));
  }
  return { lost: [...acknowledged].filter((id) => !stored.has(id)), stored: totals!['COUNT'] };
}

/** Runs a query through the Query Data API and returns its results. */
async function query(waggle: WaggleProcess, spec: Record<string, unknown>, limit = 1000): Promise<Array<Record<string, unknown>>> {
  const base = `http://127.0.0.1:${waggle.ports.http}`;
  const post = async (url: string, body: unknown): Promise<Record<string, unknown>> =>
    (await (await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
  const created = await post('/1/queries/durable', { time_range: 3600, ...spec });
  const started = await post('/1/query_results/durable', { query_id: created['id'], disable_series: true, limit });
  const result = (await (await fetch(`${base}/1/query_results/durable/${String(started["id"])}`)).json()) as { data?: { results: Array<{ data: Record<string, unknown> }> } };
  if (result.data === undefined) throw new Error(`query failed: ${JSON.stringify(created)} ${JSON.stringify(started)} ${JSON.stringify(result)}`);
  return result.data.results.map((r) => r.data);
}

describe('durability on ClickHouse (chdb)', () => {
  it('loses and duplicates nothing when killed with SIGKILL during ingest, commits running', async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ch-kill-'));
    // Commits every 20 ms: kills land before, during and after inserts and their state rows.
    const args = ['--data-dir', dataDir, '--store', 'clickhouse', '--clickhouse-url', `chdb:${path.join(dataDir, 'clickhouse')}`, '--flush-interval-ms', '20'];
    const acknowledged = new Set<string>();
    for (const killAfterMs of [700, 1100, 900]) {
      const waggle = await spawnWaggle(args);
      await ingestThenKill(waggle, killAfterMs, acknowledged);
    }
    assert.ok(acknowledged.size >= 3 * SPANS_PER_REQUEST, `only ${acknowledged.size} spans were acknowledged`);

    const last = await spawnWaggle(args);
    try {
      const { lost, stored } = await lostSpans(last, acknowledged);
      t.diagnostic(`${acknowledged.size} spans acknowledged over 3 kills, ${String(stored)} stored`);
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged spans were lost`);
      // A trace lookup through the trace API finds one of them whole.
      const [one] = acknowledged;
      const trace = (await (await fetch(`http://127.0.0.1:${last.ports.http}/api/traces/${one!}`)).json()) as { spans?: unknown[] } | unknown[];
      assert.ok(trace !== null);
    } finally {
      last.child.kill('SIGTERM');
      assert.equal((await waitForExit(last.child)).code, 0);
    }
  });

  it('loses nothing when killed while ClickHouse puts a new span part into place (its rename held by strace)', async (t) => {
    if (!straceWorks()) {
      t.skip('strace is missing or may not trace here');
      return;
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ch-rename-'));
    const chdbDir = path.join(dataDir, 'clickhouse');
    const args = ['--data-dir', dataDir, '--store', 'clickhouse', '--clickhouse-url', `chdb:${chdbDir}`, '--flush-interval-ms', '20'];
    const acknowledged = new Set<string>();
    await ingestThenKillDuringPartRename(await spawnWaggle(args), chdbDir, acknowledged);
    assert.ok(acknowledged.size >= SPANS_PER_REQUEST, `only ${acknowledged.size} spans were acknowledged`);
    const last = await spawnWaggle(args);
    try {
      const { lost, stored } = await lostSpans(last, acknowledged);
      t.diagnostic(`${acknowledged.size} spans acknowledged, ${String(stored)} stored`);
      assert.equal(lost.length, 0, `${lost.length} of ${acknowledged.size} acknowledged spans were lost`);
    } finally {
      last.child.kill('SIGTERM');
      assert.equal((await waitForExit(last.child)).code, 0);
    }
  });
});
