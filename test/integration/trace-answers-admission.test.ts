import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { HttpRouter } from '../../src/api/http-router.js';
import { requestBoundary } from '../../src/api/request-boundary.js';
import { parseRequestTarget } from '../../src/api/request-target.js';
import { addTraceRoutes } from '../../src/api/trace-routes.js';
import { createLogger } from '../../src/observability/waggle-logger.js';
import type { SpanStore } from '../../src/store/span-store.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { eventRecord } from '../support/event-record-fixture.js';
import { until } from '../support/poll-until.js';

const TRACE = 0x0af7651916cd43dd8448eb211c80319cn;
const TRACE_HEX = '0af7651916cd43dd8448eb211c80319c';
const SLOTS = QUERY_LIMITS.traceAnswers.value;
const QUEUED = QUERY_LIMITS.queuedQueries.value;

/**
 * The real DuckDB store behind the real trace routes and request boundary, its trace reads held at
 * a gate: what the routes let through to the store while earlier answers are still being built.
 */
describe('trace answers built at once (query.traceAnswers)', () => {
  let store: DuckDbSpanStore;
  let server: http.Server;
  let baseUrl: string;
  let started = 0;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });

  before(async () => {
    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-trace-slots-')), lifecycleIntervalMs: 0, log: () => undefined });
    store.enqueue([1n, 2n].map((span) => eventRecord({ dataset: 'api', traceId: TRACE, spanId: span, parentId: span === 1n ? null : 1n, name: `span ${span}`, timestampNs: BigInt(Date.now()) * 1_000_000n + span })), 1n);
    await store.flush();
    const gated = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'getTrace') return Reflect.get(target, property, receiver) as unknown;
        return async (...args: Parameters<SpanStore['getTrace']>) => {
          started += 1;
          await gate;
          return target.getTrace(...args);
        };
      },
    }) as SpanStore;
    const router = new HttpRouter();
    addTraceRoutes(router, gated);
    server = http.createServer(
      requestBoundary(async (req, res) => {
        const url = parseRequestTarget(req.url);
        const match = router.match(req.method ?? 'GET', url.pathname);
        assert.ok(match !== null && 'handler' in match);
        await match.handler({ req, res, params: match.params, url });
      }, createLogger('text', () => undefined)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    open();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  it(`reads ${SLOTS} traces at once, queues ${QUEUED} more, refuses the next with 503 and Retry-After, then answers every queued one`, async () => {
    const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
    const get = (): Promise<{ status: number; retryAfter: string | undefined; body: string }> =>
      new Promise((resolve, reject) => {
        http
          .get(`${baseUrl}/api/traces/${TRACE_HEX}`, { agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
          })
          .on('error', reject);
      });
    const answers: Array<{ status: number; retryAfter: string | undefined; body: string }> = [];
    const pending = Array.from({ length: SLOTS + QUEUED + 1 }, () => get().then((a) => (answers.push(a), a)));
    // The one over the queue is answered at once; by then every other request is running or queued.
    await until('the request over the queue refused', async () => (answers.length > 0 ? true : null));
    assert.equal(answers.length, 1);
    assert.equal(answers[0]!.status, 503);
    assert.equal(answers[0]!.retryAfter !== undefined, true);
    assert.match((JSON.parse(answers[0]!.body) as { error: string }).error, /.+/);
    assert.equal(started, SLOTS);
    open();
    const all = await Promise.all(pending);
    assert.deepEqual(all.map((a) => a.status).sort(), [...Array.from({ length: SLOTS + QUEUED }, () => 200), 503].sort());
    assert.equal(started, SLOTS + QUEUED);
    const first = JSON.parse(all.find((a) => a.status === 200)!.body) as { trace_id: string; spans: Array<{ name: string }>; truncated: boolean };
    assert.deepEqual({ id: first.trace_id, names: first.spans.map((s) => s.name), truncated: first.truncated }, { id: TRACE_HEX, names: ['span 1', 'span 2'], truncated: false });
    agent.destroy();
  });
});
