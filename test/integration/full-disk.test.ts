import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../support/poll-until.js';
import { readPrometheusText, sampleValue } from '../support/prometheus-text-reader.js';
import { paddedOtlpJsonRequest } from '../support/padded-otlp-request.js';
import { spawnWaggle, waitForExit, type WaggleProcess } from '../support/waggle-process.js';

const SPANS_PER_REQUEST = 100;

/** One OTLP/JSON request of SPANS_PER_REQUEST spans, each padded so the disk fills in seconds. */
function otlpRequest(): string {
  return paddedOtlpJsonRequest({ service: 'disk', spans: SPANS_PER_REQUEST, paddingBytes: 400, durationMs: 5 });
}

async function send(waggle: WaggleProcess): Promise<Response> {
  return fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpRequest() });
}

/** One OTLP/gRPC Export of an empty request: its status code and details. */
function grpcExport(port: number): Promise<{ code: number; details: string }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const identity = (bytes: Buffer): Buffer => bytes;
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, Buffer.alloc(0), (error) => {
      client.close();
      resolve({ code: error?.code ?? grpc.status.OK, details: error?.details ?? '' });
    });
  });
}

async function countSpans(waggle: WaggleProcess): Promise<number> {
  const base = `http://127.0.0.1:${waggle.ports.http}`;
  const post = async (route: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Honeycomb answers 201 when a query result is created.
    assert.equal(response.status, route.startsWith('/1/query_results/') ? 201 : 200, `${route}: ${await response.clone().text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const query = await post('/1/queries/disk', { calculations: [{ op: 'COUNT' }], time_range: 86_400 });
  const result = await post('/1/query_results/disk', { query_id: query['id'], disable_series: true });
  const polled = (await (await fetch(`${base}/1/query_results/disk/${String(result['id'])}`)).json()) as { data: { results: Array<{ data: { COUNT: number } }> } };
  return polled.data.results[0]?.data.COUNT ?? 0;
}

function walBytes(dataDir: string): number {
  const dir = path.join(dataDir, 'wal');
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

describe('a full disk', () => {
  it('answers 503 while the disk is full, resumes by itself when space returns, and loses nothing acknowledged', async (t) => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-full-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      t.skip(`cannot mount a tmpfs to fill (needs root and mount(8)): ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    const dataDir = path.join(mountPoint, 'data');
    const filler = path.join(mountPoint, 'filler');
    let waggle: WaggleProcess | null = null;
    try {
      waggle = await spawnWaggle(['--data-dir', dataDir]);
      const running = waggle;
      // Leave a few MB: the WAL and DuckDB fill them within a few hundred requests.
      const stats = fs.statfsSync(mountPoint);
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 12 * 1024 * 1024)));

      let acknowledged = 0;
      const startedAt = Date.now();
      let refusal: Response | null = null;
      while (refusal === null && Date.now() - startedAt < 60_000) {
        const response = await send(running);
        if (response.status !== 200) refusal = response;
        else {
          acknowledged += SPANS_PER_REQUEST;
          await response.arrayBuffer();
        }
      }
      assert.ok(refusal !== null, 'the disk never filled');
      t.diagnostic(`disk full after ${acknowledged} acknowledged spans (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
      assert.equal(refusal.status, 503, await refusal.clone().text());
      assert.equal(refusal.headers.get('retry-after'), '1');
      assert.match(((await refusal.json()) as { message: string }).message, /disk is full at /);

      // Alive (200) but not ready, saying why; /readyz answers 503 with the same reason.
      const healthz = await fetch(`http://127.0.0.1:${running.ports.http}/healthz`);
      assert.equal(healthz.status, 200);
      const alive = (await healthz.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(alive), ['status', 'ready', 'reason']);
      assert.equal(alive['status'], 'ok');
      assert.equal(alive['ready'], false);
      assert.match(String(alive['reason']), new RegExp(`^the disk is full at ${mountPoint}/data(/wal)?$`));
      const readyz = await fetch(`http://127.0.0.1:${running.ports.http}/readyz`);
      assert.equal(readyz.status, 503);
      const notReady = (await readyz.json()) as Record<string, unknown>;
      // The reason names where the last write failed: the WAL's directory or the store's (both on the full disk).
      assert.deepEqual(Object.keys(notReady), ['status', 'reason']);
      assert.equal(notReady['status'], 'not_ready');
      assert.match(String(notReady['reason']), new RegExp(`^the disk is full at ${mountPoint}/data(/wal)?$`));
      const refused = await send(running);
      assert.equal(refused.status, 503);
      await refused.arrayBuffer();
      const honeycomb = await fetch(`http://127.0.0.1:${running.ports.http}/1/batch/disk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ data: { name: 'x' } }]) });
      assert.equal(honeycomb.status, 503);
      assert.equal(honeycomb.headers.get('retry-after'), '1');
      assert.match(((await honeycomb.json()) as { error: string }).error, /disk is full at /);
      const grpcStatus = await grpcExport(running.ports.otlpGrpc);
      assert.equal(grpcStatus.code, grpc.status.UNAVAILABLE);
      assert.match(grpcStatus.details, /disk is full at /);

      // Every refusal above is counted as not_ready, on its transport.
      const metrics = readPrometheusText(await (await fetch(`http://127.0.0.1:${running.ports.http}/metrics`)).text());
      assert.equal(sampleValue(metrics, 'waggle_ready'), 0);
      assert.equal(sampleValue(metrics, 'waggle_ingest_requests_refused_total', { transport: 'otlp_http', reason: 'not_ready' }), 2);
      assert.equal(sampleValue(metrics, 'waggle_ingest_requests_refused_total', { transport: 'honeycomb', reason: 'not_ready' }), 1);
      assert.equal(sampleValue(metrics, 'waggle_ingest_requests_refused_total', { transport: 'otlp_grpc', reason: 'not_ready' }), 1);
      assert.equal(sampleValue(metrics, 'waggle_ingest_spans_accepted_total', { transport: 'otlp_http' }), acknowledged);

      fs.rmSync(filler);
      await until('readiness after space came back', async () => {
        const health = await fetch(`http://127.0.0.1:${running.ports.http}/readyz`);
        const body = (await health.json()) as { status: string };
        return health.status === 200 && body.status === 'ok' ? true : null;
      });
      assert.deepEqual(await (await fetch(`http://127.0.0.1:${running.ports.http}/healthz`)).json(), { status: 'ok', ready: true });
      t.diagnostic(`ready again ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
      for (let i = 0; i < 20; i++) {
        const response = await send(running);
        assert.equal(response.status, 200);
        await response.arrayBuffer();
        acknowledged += SPANS_PER_REQUEST;
      }
      // Commits catch up and the WAL gives its space back: at most one (current) file is left.
      await until('the WAL to be trimmed', async () => (walBytes(dataDir) < 8 * 1024 * 1024 ? true : null));
      assert.equal(await until('every acknowledged span to be readable', async () => ((await countSpans(running)) === acknowledged ? acknowledged : null)), acknowledged);

      t.diagnostic(`all readable ${((Date.now() - startedAt) / 1000).toFixed(1)} s; stderr: ${running.output().slice(-600)}`);
      running.child.kill('SIGKILL');
      await waitForExit(running.child);
      waggle = await spawnWaggle(['--data-dir', dataDir]);
      assert.equal(await countSpans(waggle), acknowledged);
    } finally {
      if (waggle !== null && waggle.child.exitCode === null && waggle.child.signalCode === null) {
        waggle.child.kill('SIGKILL');
        await waitForExit(waggle.child);
      }
      execFileSync('umount', [mountPoint]);
    }
  });
});
