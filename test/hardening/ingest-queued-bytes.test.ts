import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IngestBusyError } from '../../src/ingest/ingest-refusals.js';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { WriteAheadLog } from '../../src/ingest/wal/write-ahead-log.js';
import { createLogger } from '../../src/observability/waggle-logger.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from '../../src/store/duckdb/duckdb-span-store.js';
import { requestWithSpans, spanBody } from '../fixtures/otlp/protobuf-bytes-fixture.js';
import { TEST_RETENTION_NS } from '../support/waggle-test-server.js';

function request(spanIdHex: string): { format: 'otlp-protobuf'; body: Buffer; meta: Record<string, string> } {
  return { format: 'otlp-protobuf', body: Buffer.from(requestWithSpans([spanBody({ spanIdHex })])), meta: { contentEncoding: 'identity' } };
}

describe('ingest back-pressure by queued body bytes', () => {
  let dataDir: string;
  let store: DuckDbSpanStore;
  let service: IngestService;
  const bodyBytes = request('0000000000000001').body.length;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-queued-bytes-'));
    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, retentionNs: TEST_RETENTION_NS });
    const { wal } = WriteAheadLog.open(path.join(dataDir, 'wal'), 0n, { sync: false, maxFileBytes: 64 * 1024 * 1024 });
    // Not started: nothing commits unless the test (or a refusal) asks, so the queue stays as it is.
    service = new IngestService(wal, store, { maxBodyBytes: 1024 * 1024, maxPendingEvents: 1000, maxQueuedBodyBytes: 2 * bodyBytes, flushIntervalMs: 3_600_000 }, createLogger('text', () => {}));
  });

  after(async () => {
    await service.stop();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a request as busy (503 + Retry-After) while the bound is reached, and takes it once the queue is committed', async () => {
    await service.ingest(request('0000000000000001'));
    await service.ingest(request('0000000000000002'));
    assert.equal(store.pendingEvents(), 2);
    await assert.rejects(service.ingest(request('0000000000000003')), (error: unknown) => error instanceof IngestBusyError);
    assert.equal(store.pendingEvents(), 2);
    await service.flushNow();
    assert.equal(store.pendingEvents(), 0);
    const taken = await service.ingest(request('0000000000000003'));
    assert.equal(taken.batch.events.length, 1);
    assert.equal(store.pendingEvents(), 1);
  });
});

describe('ingest back-pressure by queued events, counting requests decoded and not yet queued', () => {
  it('lets requests sent at once into the queue only up to maxPendingEvents, though none was queued when each arrived', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-decoded-events-'));
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir, retentionNs: TEST_RETENTION_NS });
    const { wal } = WriteAheadLog.open(path.join(dataDir, 'wal'), 0n, { sync: false, maxFileBytes: 64 * 1024 * 1024 });
    // Not started: nothing commits, so what is queued stays queued. Requests of two spans, a bound of four.
    const service = new IngestService(wal, store, { maxBodyBytes: 1024 * 1024, maxPendingEvents: 4, flushIntervalMs: 3_600_000 }, createLogger('text', () => {}));
    try {
      const twoSpans = (n: number): { format: 'otlp-protobuf'; body: Buffer; meta: Record<string, string> } => ({
        format: 'otlp-protobuf',
        body: Buffer.from(requestWithSpans([spanBody({ spanIdHex: (2 * n + 1).toString(16).padStart(16, '0') }), spanBody({ spanIdHex: (2 * n + 2).toString(16).padStart(16, '0') })])),
        meta: { contentEncoding: 'identity' },
      });
      // Sent in one turn: each is judged while the others are decoded or waiting for the WAL, none queued yet.
      const outcomes = await Promise.allSettled([0, 1, 2, 3].map((n) => service.ingest(twoSpans(n))));
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value.batch.events.length : o.reason instanceof IngestBusyError ? 'busy' : String(o.reason))),
        [2, 2, 'busy', 'busy'],
      );
      assert.equal(store.pendingEvents(), 4);
    } finally {
      await service.stop();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
