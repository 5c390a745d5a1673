import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WriteAheadLog } from '../../src/ingest/wal/write-ahead-log.js';
import { spawnWaggle, waitForExit } from '../support/waggle-process.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

/** Spans that started at a fixed time long before they were sent (kept: tests retain 100 years). */
const STARTED_NS = 1_763_770_000_123_456_789n;

function traces(service: string, spans: number): string {
  const list = Array.from({ length: spans }, (_, i) => ({
    traceId: `${service === 'replayed' ? 'a' : 'b'}${'0'.repeat(30)}${i}`,
    spanId: `${'0'.repeat(15)}${i + 1}`,
    name: 'late',
    startTimeUnixNano: (STARTED_NS + BigInt(i)).toString(),
    endTimeUnixNano: (STARTED_NS + BigInt(i)).toString(),
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: list }] }] });
}

/** INGEST_TIMESTAMP() (as an ad-hoc calculated field) of each distinct arrival in a dataset, with its event count. */
async function arrivals(baseUrl: string, dataset: string): Promise<Array<{ arrived: number | null; COUNT: number }>> {
  const post = async (url: string, body: unknown): Promise<any> => {
    const response = await fetch(baseUrl + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const parsed = (await response.json()) as unknown;
    assert.ok(response.status < 300, JSON.stringify(parsed));
    return parsed;
  };
  const spec = {
    start_time: Number(STARTED_NS / 1_000_000_000n) - 60,
    end_time: Number(STARTED_NS / 1_000_000_000n) + 60,
    calculated_fields: [{ name: 'arrived', expression: 'INGEST_TIMESTAMP()' }],
    breakdowns: ['arrived'],
    calculations: [{ op: 'COUNT' }],
    orders: [{ column: 'arrived', order: 'ascending' }],
  };
  const query = await post(`/1/queries/${dataset}`, spec);
  const result = await post(`/1/query_results/${dataset}`, { query_id: query.id, disable_series: true });
  return result.data.results.map((r: { data: { arrived: number | null; COUNT: number } }) => r.data);
}

describe('INGEST_TIMESTAMP() across a WAL replay', () => {
  it('keeps the original arrival of requests acknowledged before a SIGKILL, not the replay time', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ingest-kill-'));
    // A long commit interval: the acknowledged spans are only in the WAL when the kill lands.
    const first = await spawnWaggle(['--data-dir', dataDir, '--flush-interval-ms', '60000']);
    const sentBeforeMs = BigInt(Date.now());
    const response = await fetch(`http://127.0.0.1:${first.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: traces('replayed', 3) });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const sentAfterMs = BigInt(Date.now());
    first.child.kill('SIGKILL');
    assert.equal((await waitForExit(first.child)).signal, 'SIGKILL');
    // Far enough apart that a receive time taken at replay could not pass for the original.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const restartedAtMs = BigInt(Date.now());
    const second = await spawnWaggle(['--data-dir', dataDir]);
    try {
      assert.match(second.output(), /replayed 1 acknowledged requests? \(3 events\)/);
      const rows = await arrivals(`http://127.0.0.1:${second.ports.http}`, 'replayed');
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0]!.COUNT, 3);
      const arrivedMs = BigInt(Math.round(rows[0]!.arrived! * 1e3));
      assert.ok(arrivedMs >= sentBeforeMs && arrivedMs <= sentAfterMs, `${arrivedMs} not within [${sentBeforeMs}, ${sentAfterMs}]`);
      assert.ok(arrivedMs < restartedAtMs);
    } finally {
      second.child.kill('SIGTERM');
      assert.equal((await waitForExit(second.child)).code, 0);
    }
  });

  it('replays a WAL record written before receive times were recorded with an unknown (null) ingest time', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-ingest-old-wal-'));
    // A record as the previous version wrote it: the request's meta without receivedAtNs.
    const { wal } = WriteAheadLog.open(path.join(dataDir, 'wal'), 0n, { sync: true, maxFileBytes: 8 * 1024 * 1024 });
    await wal.append('otlp-json', {}, Buffer.from(traces('old-record', 2))).durable;
    await wal.close();
    const waggle = await startTestWaggle({ dataDir });
    try {
      assert.deepEqual(await arrivals(waggle.baseUrl, 'old-record'), [{ arrived: null, COUNT: 2 }]);
      // A request received now has a known one, alongside.
      const before = BigInt(Date.now());
      const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: traces('old-record', 1) });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      const afterMs = BigInt(Date.now());
      let rows: Array<{ arrived: number | null; COUNT: number }> = [];
      for (let i = 0; i < 50 && rows.length < 2; i++) {
        rows = await arrivals(waggle.baseUrl, 'old-record');
        if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const known = rows.find((r) => r.arrived !== null);
      assert.ok(known, JSON.stringify(rows));
      const arrivedMs = BigInt(Math.round(known.arrived! * 1e3));
      assert.ok(arrivedMs >= before && arrivedMs <= afterMs);
      assert.deepEqual(rows.find((r) => r.arrived === null), { arrived: null, COUNT: 2 });
    } finally {
      await waggle.stop();
    }
  });
});
