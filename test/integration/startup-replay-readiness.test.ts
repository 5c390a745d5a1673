import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paddedOtlpJsonRequest } from '../support/padded-otlp-request.js';
import { spawnWaggle, waitForExit, type WaggleProcess } from '../support/waggle-process.js';

const REQUESTS = 240;
const SPANS_PER_REQUEST = 100;

/** OTLP/JSON of SPANS_PER_REQUEST spans, padded so that replaying them takes a while. */
function otlpRequest(): string {
  return paddedOtlpJsonRequest({ service: 'replay', spans: SPANS_PER_REQUEST, paddingBytes: 800, durationMs: 2 });
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

async function stop(waggle: WaggleProcess | null): Promise<void> {
  if (waggle === null || waggle.child.exitCode !== null || waggle.child.signalCode !== null) return;
  waggle.child.kill('SIGKILL');
  await waitForExit(waggle.child);
}

describe('readiness while the write-ahead log is replayed at start', () => {
  it('listens before the replay: /readyz says replaying (N of M requests), ingest answers 503, then ready with every span', async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-replay-'));
    let first: WaggleProcess | null = null;
    let second: WaggleProcess | null = null;
    try {
      // No commit by the timer, and fewer spans than a row group: everything stays in the WAL.
      const writer = await spawnWaggle(['--data-dir', dataDir, '--flush-interval-ms', '3600000']);
      first = writer;
      for (let i = 0; i < REQUESTS; i++) {
        const response: Response = await fetch(`http://127.0.0.1:${writer.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpRequest() });
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
      writer.child.kill('SIGKILL');
      await waitForExit(writer.child);

      const startedAt = Date.now();
      second = await spawnWaggle(['--data-dir', dataDir], {}, { until: 'listening' });
      const base = `http://127.0.0.1:${second.ports.http}`;
      const readyz = await json(`${base}/readyz`);
      const healthz = await json(`${base}/healthz`);
      const ingest = await json(`http://127.0.0.1:${second.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpRequest() });
      const query = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'replay', q: 'VISUALIZE COUNT' }) });

      assert.equal(readyz.status, 503);
      assert.deepEqual(Object.keys(readyz.body), ['status', 'reason']);
      assert.equal(readyz.body['status'], 'not_ready');
      const progress = /^replaying the write-ahead log \((\d+) of (\d+) requests\)$/.exec(String(readyz.body['reason']));
      assert.ok(progress !== null, String(readyz.body['reason']));
      assert.equal(Number(progress[2]), REQUESTS);
      assert.ok(Number(progress[1]) <= REQUESTS);
      assert.equal(healthz.status, 200);
      assert.equal(healthz.body['status'], 'ok');
      assert.equal(healthz.body['ready'], false);
      assert.match(String(healthz.body['reason']), new RegExp(`^replaying the write-ahead log \\(\\d+ of ${REQUESTS} requests\\)$`));
      // Ingest waits for the replay (new requests queue behind the replayed ones); queries may run.
      assert.equal(ingest.status, 503);
      assert.equal(ingest.retryAfter, '1');
      assert.match(String(ingest.body['message']), new RegExp(`^Waggle is replaying its write-ahead log \\(\\d+ of ${REQUESTS} requests\\); retry shortly$`));
      assert.equal(query.status, 200);
      await query.arrayBuffer();

      const running = second;
      for (;;) {
        const state = await json(`${base}/readyz`);
        if (state.status === 200) {
          assert.deepEqual(state.body, { status: 'ok' });
          break;
        }
        assert.match(String(state.body['reason']), /^replaying the write-ahead log/);
        assert.ok(Date.now() - startedAt < 120_000, 'replay did not finish');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      t.diagnostic(`ready ${Date.now() - startedAt} ms after the restart began`);
      assert.deepEqual((await json(`${base}/healthz`)).body, { status: 'ok', ready: true });
      assert.match(running.output(), new RegExp(`replaying ${REQUESTS} acknowledged requests from the write-ahead log; ingest answers 503 until done`));
      assert.match(running.output(), new RegExp(`replayed ${REQUESTS} acknowledged requests \\(${REQUESTS * SPANS_PER_REQUEST} events\\)`));
      const counted = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'replay', q: 'VISUALIZE COUNT' }) });
      const result = (await counted.json()) as { data: { results: Array<{ data: { COUNT: number } }> } };
      assert.equal(result.data.results[0]?.data.COUNT, REQUESTS * SPANS_PER_REQUEST);
      const after = await fetch(`http://127.0.0.1:${running.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpRequest() });
      assert.equal(after.status, 200);
      await after.arrayBuffer();
    } finally {
      await stop(first);
      await stop(second);
    }
  });
});
