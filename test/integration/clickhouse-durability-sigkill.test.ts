import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

/** Sends requests from a few senders until `stopAfterMs`, then kills the server with SIGKILL while they are still sending. */
async function ingestThenKill(waggle: WaggleProcess, stopAfterMs: number, acknowledged: Set<string>): Promise<void> {
  let killed = false;
  const sender = async (): Promise<void> => {
    while (!killed) {
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
  const senders = [sender(), sender(), sender(), sender()];
  await new Promise((resolve) => setTimeout(resolve, stopAfterMs));
  waggle.child.kill('SIGKILL');
  killed = true;
  assert.equal((await waitForExit(waggle.child)).signal, 'SIGKILL');
  await Promise.all(senders);
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
      // Every stored span once (each trace holds one span), every acknowledged span stored.
      const [totals] = await query(last, { calculations: [{ op: 'COUNT' }, { op: 'COUNT_DISTINCT', column: 'trace.trace_id' }] });
      assert.equal(totals!['COUNT'], totals!['COUNT_DISTINCT(trace.trace_id)'], 'a span was stored twice');
      // A query answers at most 10 000 groups: listed by the first hex digit of the id, 16 queries.
      const stored = new Set<string>();
      for (const digit of '0123456789abcdef') {
        const rows = await query(last, { calculations: [{ op: 'COUNT' }], breakdowns: ['trace.trace_id'], filters: [{ column: 'trace.trace_id', op: 'starts-with', value: digit }] }, 10_000);
        for (const row of rows) stored.add(String(row['trace.trace_id']));
      }
      t.diagnostic(`${acknowledged.size} spans acknowledged over 3 kills, ${String(totals!['COUNT'])} stored`);
      const lost = [...acknowledged].filter((id) => !stored.has(id));
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
});
