/**
 * Drop-in compatibility of the Honeycomb Events API: what Honeycomb's documentation and clients
 * send, each row against the real server, read back through the trace API with exact values.
 * Rows: every time form (RFC 3339 with any fraction and offset, Unix seconds and milliseconds as
 * numbers or strings, the X-Honeycomb-Event-Time header), a time that is not one, every
 * Content-Encoding (gzip, deflate, zstd and its `zst` spelling) and a zstd bomb, integers beyond 2^53.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { getJson, startTestWaggle } from '../support/waggle-test-server.js';
import { zstdRleBombForTest } from '../support/zstd-bomb-fixture.js';
import { zstdCompressForTest } from '../support/zstd-test-compressor.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type WideSpan = Record<string, unknown>;

let waggle: Waggle;
let ingestUrl = '';
let sequence = 0;

before(async () => {
  waggle = await startTestWaggle({ walSync: false });
  ingestUrl = `http://127.0.0.1:${waggle.ports.otlpHttp}`;
});
after(async () => {
  await waggle.stop();
});

function newTraceId(): string {
  sequence += 1;
  return `4c${String(sequence).padStart(30, '0')}`;
}

function spanId(row: number): string {
  return (row + 1).toString(16).padStart(16, '0');
}

async function spansOf(traceId: string): Promise<WideSpan[]> {
  await waggle.ingest.flushNow();
  const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${traceId}`);
  assert.equal(status, 200, `trace ${traceId} should be stored`);
  return (body as { spans: WideSpan[] }).spans;
}

async function post(path: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${ingestUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** A recent instant with every millisecond digit set, so that a unit mistake cannot go unseen. */
const MS = Math.floor(Date.now() / 1000 - 86_400) * 1000 + 927;
const ISO_MS = new Date(MS).toISOString();
/** The API's form of a time: RFC 3339 with nine fractional digits. */
const apiTime = (ms: number, extraNanos = '000000'): string => new Date(ms).toISOString().replace('Z', `${extraNanos}Z`);

describe('Honeycomb Events API compatibility', () => {
  it('stores a batch item time in every form Honeycomb accepts, exactly', async () => {
    const traceId = newTraceId();
    const seconds = Math.floor(MS / 1000);
    const times: unknown[] = [
      MS, // epoch milliseconds as a number, as in Honeycomb's docs (1452759330927)
      String(MS), // the same as a string
      MS + 0.5, // fractional milliseconds
      seconds, // epoch seconds
      `${seconds}.927123`, // fractional seconds as a string
      seconds + 0.25, // fractional seconds as a number
      ISO_MS.replace('.927Z', '.927123456789Z'), // RFC 3339, more than nine fractional digits
      `${ISO_MS.slice(0, 19)}.9271-00:00`, // numeric offset
      `${new Date(MS + 3_600_000).toISOString().slice(0, 19)}.927+01:00`, // another offset, same instant as MS
    ];
    const items = times.map((time, row) => ({ time, data: { 'trace.trace_id': traceId, 'trace.span_id': spanId(row), row } }));
    const response = await post('/1/batch/compat-times', JSON.stringify(items));
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, times.map(() => ({ status: 202 })));
    const byRow = new Map((await spansOf(traceId)).map((s) => [s['row'], s['timestamp']]));
    const secondsMs = seconds * 1000;
    assert.deepEqual(
      times.map((_, row) => byRow.get(row)),
      [
        apiTime(MS),
        apiTime(MS),
        apiTime(MS, '500000'),
        apiTime(secondsMs),
        apiTime(MS, '123000'),
        apiTime(secondsMs + 250),
        apiTime(MS, '123456'),
        apiTime(MS, '100000'),
        apiTime(MS),
      ],
    );
  });

  it('reports a batch item whose time is not a time, and stores the others', async () => {
    const traceId = newTraceId();
    const items = [
      { time: 'last tuesday', data: { 'trace.trace_id': traceId, 'trace.span_id': spanId(0) } },
      { time: true, data: { 'trace.trace_id': traceId, 'trace.span_id': spanId(1) } },
      { time: MS, data: { 'trace.trace_id': traceId, 'trace.span_id': spanId(2) } },
    ];
    const response = await post('/1/batch/compat-times', JSON.stringify(items));
    assert.equal(response.status, 200);
    const forms = 'send RFC 3339 text or a Unix time in seconds or milliseconds (a number or a string)';
    assert.deepEqual(response.body, [
      { status: 400, error: `time "last tuesday" is not a time: ${forms}` },
      { status: 400, error: `time true is not a time: ${forms}` },
      { status: 202 },
    ]);
    assert.deepEqual((await spansOf(traceId)).map((s) => s['timestamp']), [apiTime(MS)]);
  });

  it('reads X-Honeycomb-Event-Time in milliseconds on a single event, and answers 400 to a bad one', async () => {
    const traceId = newTraceId();
    const event = JSON.stringify({ 'trace.trace_id': traceId, 'trace.span_id': spanId(0) });
    const ok = await post('/1/events/compat-times', event, { 'x-honeycomb-event-time': String(MS) });
    assert.equal(ok.status, 200);
    assert.deepEqual((await spansOf(traceId)).map((s) => s['timestamp']), [apiTime(MS)]);

    const bad = await post('/1/events/compat-times', event, { 'x-honeycomb-event-time': 'soon' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { error: 'time "soon" is not a time: send RFC 3339 text or a Unix time in seconds or milliseconds (a number or a string)' });
  });

  for (const [encoding, compress] of [
    ['gzip', async (b: Uint8Array) => gzipSync(b)],
    ['deflate', async (b: Uint8Array) => deflateSync(b)],
    ['zstd', async (b: Uint8Array) => zstdCompressForTest(b)],
    ['zst', async (b: Uint8Array) => zstdCompressForTest(b)],
  ] as const) {
    it(`accepts Content-Encoding ${encoding} on /1/batch and /1/events`, async () => {
      const traceId = newTraceId();
      const batch = JSON.stringify([{ time: MS, data: { 'trace.trace_id': traceId, 'trace.span_id': spanId(0), via: 'batch' } }]);
      const batchResponse = await post('/1/batch/compat-encodings', await compress(Buffer.from(batch)), { 'content-encoding': encoding });
      assert.deepEqual([batchResponse.status, batchResponse.body], [200, [{ status: 202 }]]);
      const single = JSON.stringify({ 'trace.trace_id': traceId, 'trace.span_id': spanId(1), via: 'event' });
      const singleResponse = await post('/1/events/compat-encodings', await compress(Buffer.from(single)), {
        'content-encoding': encoding,
        'x-honeycomb-event-time': String(MS + 1),
      });
      assert.equal(singleResponse.status, 200);
      assert.deepEqual((await spansOf(traceId)).map((s) => [s['via'], s['timestamp']]), [
        ['batch', apiTime(MS)],
        ['event', apiTime(MS + 1)],
      ]);
    });
  }

  it('answers 413 to a zstd bomb on /1/batch', async () => {
    const response = await post('/1/batch/compat-encodings', zstdRleBombForTest(200 * 1024 * 1024), { 'content-encoding': 'zstd' });
    assert.equal(response.status, 413);
  });

  it('keeps integers beyond 2^53 in event JSON exact', async () => {
    const traceId = newTraceId();
    const batch = `[{"time":${MS},"data":{"trace.trace_id":"${traceId}","trace.span_id":"${spanId(0)}","big":9007199254740993,"neg":-9223372036854775807,"small":42,"ratio":0.1}}]`;
    assert.deepEqual((await post('/1/batch/compat-ints', batch)).body, [{ status: 202 }]);
    const [span] = await spansOf(traceId);
    assert.deepEqual([span!['big'], span!['neg'], span!['small'], span!['ratio']], ['9007199254740993', '-9223372036854775807', 42, 0.1]);
  });
});
