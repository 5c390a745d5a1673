import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/observability/waggle-logger.js';
import { otlpSpansJson, type TestSpan } from '../support/otlp-json-spans.js';
import { paddedOtlpJsonRequest } from '../support/padded-otlp-request.js';
import { until as pollUntil } from '../support/poll-until.js';
import { readPrometheusText, sampleValue } from '../support/prometheus-text-reader.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

/**
 * DuckDB aborts its next checkpoint (a debug setting), and checkpoints after every commit that
 * writes more than 1 KB to its log: the first commit of spans reports "COMMIT succeeded and is
 * durable, but the autocheckpoint failed" and the database is invalidated, as a checkpoint that
 * runs out of memory or disk does. The settings hold for the first open only.
 */
const CHECKPOINT_FAULT = { debug_checkpoint_abort: 'before_header', checkpoint_threshold: '1KB' } as const;

const SPANS_PER_REQUEST = 20;
const START_MS = Date.UTC(2024, 0, 1);

function request(index: number): string {
  const spans: TestSpan[] = [];
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const n = index * SPANS_PER_REQUEST + i + 1;
    spans.push({ trace: n, span: n, name: `op-${i % 3}`, startMs: START_MS + n, ms: 5 });
  }
  return otlpSpansJson('reopen', spans);
}

/** Sends one request like an OTLP exporter: retried while answered 503; resolves once it is acknowledged (200). */
async function sendAcknowledged(waggle: Waggle, index: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request(index) });
    const text = await response.text();
    if (response.status === 200) return;
    assert.equal(response.status, 503, text);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`request ${index} was never acknowledged`);
}

const until = <T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> => pollUntil(what, probe, timeoutMs, 50);

async function reopens(waggle: Waggle, outcome: 'success' | 'failure'): Promise<number | undefined> {
  const text = await (await fetch(`${waggle.baseUrl}/metrics`)).text();
  return sampleValue(readPrometheusText(text), 'waggle_store_reopens_total', { outcome });
}

async function commitFailures(waggle: Waggle): Promise<number | undefined> {
  const text = await (await fetch(`${waggle.baseUrl}/metrics`)).text();
  return sampleValue(readPrometheusText(text), 'waggle_store_commit_failures_total', {});
}

/** COUNT and COUNT_DISTINCT(trace.span_id) over every span of the dataset, through the query API. */
async function counts(waggle: Waggle, window: Record<string, number> = { time_range: 86_400, start_time: START_MS / 1000 - 60 }): Promise<{ status: number; count: number; distinct: number; body: unknown }> {
  const spec = { calculations: [{ op: 'COUNT' }, { op: 'COUNT_DISTINCT', column: 'trace.span_id' }], ...window };
  const query = await callJson(waggle, 'POST', '/1/queries/reopen', spec);
  if (query.status !== 200) return { status: query.status, count: 0, distinct: 0, body: query.body };
  const result = await callJson(waggle, 'POST', '/1/query_results/reopen', { query_id: query.body.id, disable_series: true });
  if (result.status !== 201) return { status: result.status, count: 0, distinct: 0, body: result.body };
  const polled = await callJson(waggle, 'GET', `/1/query_results/reopen/${String(result.body.id)}`);
  const data = polled.body?.data?.results?.[0]?.data ?? {};
  return { status: polled.status, count: Number(data['COUNT'] ?? 0), distinct: Number(data['COUNT_DISTINCT(trace.span_id)'] ?? 0), body: polled.body };
}

describe('a database DuckDB invalidates', () => {
  it('is reopened in the process: ingest resumes by itself, every acknowledged span is stored once, readiness returns', async () => {
    const logs: string[] = [];
    const waggle = await startTestWaggle({}, { storeFaultInjection: CHECKPOINT_FAULT, logger: createLogger('text', (line) => logs.push(line)) });
    try {
      assert.equal(await reopens(waggle, 'success'), 0);
      // The first commit invalidates the database; ingest goes on acknowledging into the WAL.
      for (let i = 0; i < 10; i++) await sendAcknowledged(waggle, i);
      const invalidatedAt = await until('the invalidation to be noticed', async () => (logs.some((line) => line.includes('DuckDB invalidated the database')) ? performance.now() : null));
      await until('one successful reopen', async () => ((await reopens(waggle, 'success')) === 1 ? true : null));
      const readyAfterMs = await until('/readyz to answer 200 again', async () => ((await fetch(`${waggle.baseUrl}/readyz`)).status === 200 ? performance.now() - invalidatedAt : null));
      process.stdout.write(`# invalidation noticed → ready again: ${Math.round(readyAfterMs)} ms\n`);
      // Ingest after the reopen is committed like any other.
      for (let i = 10; i < 20; i++) await sendAcknowledged(waggle, i);
      const total = 20 * SPANS_PER_REQUEST;
      const stored = await until('every acknowledged span to be readable', async () => {
        const answer = await counts(waggle);
        return answer.status === 200 && answer.count === total ? answer : null;
      });
      assert.deepEqual({ count: stored.count, distinct: stored.distinct }, { count: total, distinct: total });
      assert.equal(await reopens(waggle, 'success'), 1);
      assert.equal(await reopens(waggle, 'failure'), 0);
      assert.deepEqual(await callJson(waggle, 'GET', '/readyz'), { status: 200, body: { status: 'ok' } });
    } finally {
      await waggle.stop();
    }
    // The acknowledged spans survive the restart too, still once each.
    const again = await startTestWaggle({ dataDir: waggle.dataDir });
    try {
      const stored = await counts(again);
      assert.deepEqual({ status: stored.status, count: stored.count, distinct: stored.distinct }, { status: 200, count: 400, distinct: 400 });
    } finally {
      await again.stop();
    }
  });

  it('keeps retrying a reopen that fails, saying so in /readyz and the counter, answers reads 503 store_reopening meanwhile, and heals once the file opens', async () => {
    const logs: string[] = [];
    const waggle = await startTestWaggle({}, { storeFaultInjection: CHECKPOINT_FAULT, logger: createLogger('text', (line) => logs.push(line)) });
    const file = path.join(waggle.dataDir, 'waggle.duckdb');
    const aside = `${file}.aside`;
    try {
      // DuckDB keeps its open file; a directory in its place makes every reopen fail until it goes.
      fs.renameSync(file, aside);
      fs.mkdirSync(file);
      await sendAcknowledged(waggle, 0);
      const reason = await until('/readyz to report a failed reopen', async () => {
        const ready = await callJson(waggle, 'GET', '/readyz');
        return ready.status === 503 && /attempts? failed/.test(String(ready.body.reason)) ? String(ready.body.reason) : null;
      });
      assert.match(reason, /^the store is reopening its database after a fatal error invalidated it; \d+ attempts? failed, the last with: /);
      assert.ok(((await reopens(waggle, 'failure')) ?? 0) >= 1);
      assert.equal(await reopens(waggle, 'success'), 0);
      // Commits the ingest timer asks for meanwhile are refused at once: waiting, not failing.
      const failuresBefore = await commitFailures(waggle);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(await commitFailures(waggle), failuresBefore);
      // Reads are refused with a stable code, retryable.
      const refused = await fetch(`${waggle.baseUrl}/1/queries/reopen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ calculations: [{ op: 'COUNT' }] }) });
      assert.deepEqual(
        { status: refused.status, retryAfter: refused.headers.get('retry-after'), body: await refused.json() },
        { status: 503, retryAfter: '1', body: { error: 'the store is reopening its database after a fatal error invalidated it; retry shortly', code: 'store_reopening' } },
      );
      const trace = await fetch(`${waggle.baseUrl}/api/traces/${'0'.repeat(31)}1`);
      assert.equal(trace.status, 503);
      // Ingest still acknowledges: the events wait in the queue and the WAL.
      await sendAcknowledged(waggle, 1);
      fs.rmdirSync(file);
      fs.renameSync(aside, file);
      await until('a successful reopen', async () => ((await reopens(waggle, 'success')) === 1 ? true : null), 60_000);
      await until('/readyz to answer 200 again', async () => ((await fetch(`${waggle.baseUrl}/readyz`)).status === 200 ? true : null));
      await sendAcknowledged(waggle, 2);
      const stored = await until('every acknowledged span to be readable', async () => {
        const answer = await counts(waggle);
        return answer.status === 200 && answer.count === 3 * SPANS_PER_REQUEST ? answer : null;
      });
      assert.deepEqual({ count: stored.count, distinct: stored.distinct }, { count: 60, distinct: 60 });
      assert.ok(logs.some((line) => line.includes('reopening the database failed (attempt 1)')), logs.join(''));
    } finally {
      await waggle.stop();
    }
  });

  it('stops without throwing when the last checkpoint fails, and the next start has every acknowledged span once', async () => {
    const logs: string[] = [];
    // Every checkpoint aborts, and none runs before the one at stop.
    const waggle = await startTestWaggle({}, { storeFaultInjection: { debug_checkpoint_abort: 'before_header' }, logger: createLogger('text', (line) => logs.push(line)) });
    for (let i = 0; i < 5; i++) await sendAcknowledged(waggle, i);
    await until('the spans to be readable', async () => ((await counts(waggle)).count === 5 * SPANS_PER_REQUEST ? true : null));
    await waggle.stop();
    assert.ok(logs.some((line) => line.includes('closing the store: the last commit or checkpoint failed')), logs.join(''));
    const again = await startTestWaggle({ dataDir: waggle.dataDir });
    try {
      const stored = await counts(again);
      assert.deepEqual({ status: stored.status, count: stored.count, distinct: stored.distinct }, { status: 200, count: 100, distinct: 100 });
    } finally {
      await again.stop();
    }
  });

  it('heals after a checkpoint that failed on a full disk invalidated the database, once space returns', async (t) => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-reopen-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      t.skip(`cannot mount a tmpfs to fill (needs root and mount(8)): ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    const logs: string[] = [];
    const filler = path.join(mountPoint, 'filler');
    try {
      // DuckDB checkpoints at every commit (a test-only setting), so the disk fills during one.
      const waggle = await startTestWaggle({ dataDir: path.join(mountPoint, 'data') }, { storeFaultInjection: { checkpoint_threshold: '1KB' }, logger: createLogger('text', (line) => logs.push(line)) });
      try {
        const stats = fs.statfsSync(mountPoint);
        fs.writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 12 * 1024 * 1024)));
        let acknowledged = 0;
        const startedAt = Date.now();
        while (!logs.some((line) => line.includes('DuckDB invalidated the database')) && Date.now() - startedAt < 60_000) {
          const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: paddedOtlpJsonRequest({ service: 'reopen', spans: 100, paddingBytes: 400, durationMs: 5 }),
          });
          await response.arrayBuffer();
          if (response.status === 200) acknowledged += 100;
          else await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.ok(logs.some((line) => line.includes('DuckDB invalidated the database')), `the database was never invalidated: ${logs.join('')}`);
        t.diagnostic(`invalidated after ${acknowledged} acknowledged spans (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
        fs.rmSync(filler);
        await until('a successful reopen', async () => (((await reopens(waggle, 'success')) ?? 0) >= 1 ? true : null), 60_000);
        await until('/readyz to answer 200 again', async () => ((await fetch(`${waggle.baseUrl}/readyz`)).status === 200 ? true : null), 60_000);
        const stored = await until('every acknowledged span to be readable', async () => {
          // These spans start now: the last hour holds them.
          const answer = await counts(waggle, { time_range: 3_600 });
          return answer.status === 200 && answer.count === acknowledged ? answer : null;
        });
        assert.deepEqual({ count: stored.count, distinct: stored.distinct }, { count: acknowledged, distinct: acknowledged });
      } finally {
        await waggle.stop();
      }
    } finally {
      fs.rmSync(filler, { force: true });
      // Lazily: a file DuckDB still holds open must not leave the mount behind.
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
