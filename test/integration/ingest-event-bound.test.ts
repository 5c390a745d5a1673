import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INGEST_LIMITS } from '../../src/core/limits/ingest-limits.js';
import { WriteAheadLog } from '../../src/ingest/wal/write-ahead-log.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';
import { minimalOtlpProtobufSpans } from '../support/minimal-otlp-spans.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const BOUND = INGEST_LIMITS.eventsPerRequest.value;

describe('requests of more events than ingest.eventsPerRequest (issue 9: peak RSS ≤ 1 GiB)', () => {
  let waggle: Waggle;
  let otlp: string;
  before(async () => {
    waggle = await startTestWaggle();
    otlp = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
  });
  after(async () => {
    await waggle.stop();
  });

  it('refuses an OTLP protobuf body of one span more with 413 naming the bound, and stores none of it', async () => {
    const body = minimalOtlpProtobufSpans(BOUND + 1, 7);
    assert.ok(body.length < 8 * 1024 * 1024, 'well under the body limit');
    const response = await fetch(otlp, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
    const text = Buffer.from(await response.arrayBuffer()).toString('latin1');
    assert.equal(response.status, 413);
    assert.match(text, new RegExp(`the request holds more than ${BOUND} spans, span events and links \\(ingest\\.eventsPerRequest\\); send them in smaller requests`));
    await waggle.ingest.flushNow();
    const counted = await callJson(waggle, 'POST', '/api/query', { dataset: '__all__', q: 'VISUALIZE COUNT LAST 1h', disable_series: true });
    assert.deepEqual(counted.body.data.results, [{ data: { COUNT: 0 } }]);
  });

  it('takes an OTLP protobuf body of exactly the bound', async () => {
    const response = await fetch(otlp, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(minimalOtlpProtobufSpans(BOUND, 8)) });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
    // Committed, so that the queue (as many events as the bound) takes the next request.
    await waggle.ingest.flushNow();
  });

  it('refuses a Honeycomb batch of one item more with 413, and takes one of the bound', async () => {
    const items = (n: number): string => `[${Array.from({ length: n }, () => '{"data":{}}').join(',')}]`;
    const refused = await fetch(`${waggle.baseUrl}/1/batch/many`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: items(BOUND + 1) });
    assert.equal(refused.status, 413);
    assert.deepEqual(await refused.json(), { error: `the request holds more than ${BOUND} events (ingest.eventsPerRequest); send them in smaller requests` });
    const taken = await fetch(`${waggle.baseUrl}/1/batch/many`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: items(BOUND) });
    const statuses = (await taken.json()) as Array<{ status: number }>;
    assert.equal(taken.status, 200);
    assert.equal(statuses.length, BOUND);
    assert.ok(statuses.every((s) => s.status === 202));
  });
});

describe('WAL records of more events than ingest.eventsPerRequest', () => {
  it('replays every event of an acknowledged request written before the bound existed', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-event-bound-replay-'));
    // A record as an earlier version acknowledged and wrote it: a body of one span more than today's bound.
    const { wal } = WriteAheadLog.open(path.join(dataDir, 'wal'), 0n, { sync: true, maxFileBytes: 64 * 1024 * 1024 });
    await wal.append('otlp-protobuf', { receivedAtNs: String(BigInt(Date.now()) * 1_000_000n) }, minimalOtlpProtobufSpans(BOUND + 1, 9)).durable;
    await wal.close();
    const waggle = await startTestWaggle({ dataDir });
    try {
      await waggle.ingest.flushNow();
      const counted = await callJson(waggle, 'POST', '/api/query', { dataset: '__all__', q: 'VISUALIZE COUNT LAST 1h', disable_series: true });
      assert.deepEqual(counted.body.data.results, [{ data: { COUNT: BOUND + 1 } }]);
    } finally {
      await waggle.stop();
    }
  });
});
