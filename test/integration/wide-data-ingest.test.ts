import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';
import { decodePartialSuccess, encodeWideRequest, type WideSpan } from '../support/otlp-wide-request.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

let nextId = 1;
function span(name: string, attributes: ReadonlyArray<readonly [string, number | string]>): WideSpan {
  const id = nextId++;
  return {
    traceIdHex: `a1${id.toString(16).padStart(30, '0')}`,
    spanIdHex: `b2${id.toString(16).padStart(14, '0')}`,
    name,
    startNs: BigInt(Date.now()) * 1_000_000n,
    durationNs: 2_000_000n,
    attributes,
  };
}

function keys(prefix: string, from: number, count: number): Array<[string, number]> {
  return Array.from({ length: count }, (_, i) => [`${prefix}${from + i}`, from + i]);
}

async function postProtobuf(waggle: Waggle, dataset: string, spans: readonly WideSpan[]): Promise<{ status: number; partial: ReturnType<typeof decodePartialSuccess> }> {
  const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: new Uint8Array(encodeWideRequest(dataset, spans)),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, partial: response.status === 200 ? decodePartialSuccess(bytes) : null };
}

/** The stored span of a trace, once readable (the freshness promise is 2 s). */
async function readSpan(waggle: Waggle, traceIdHex: string): Promise<Record<string, unknown> | null> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const response = await fetch(`${waggle.baseUrl}/api/traces/${traceIdHex}`);
    if (response.status === 200) {
      const body = (await response.json()) as { spans: Array<Record<string, unknown>> };
      return body.spans[0] ?? null;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

async function traceStatus(waggle: Waggle, traceIdHex: string): Promise<number> {
  return (await fetch(`${waggle.baseUrl}/api/traces/${traceIdHex}`)).status;
}

describe('wide and widening data through the real server', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('rejects a span with 20 000 attributes as a partial success naming the limit, and keeps storing later spans', async () => {
    const wide = span('too wide', keys('single.key_', 0, 20_000));
    const answer = await postProtobuf(waggle, 'single', [wide]);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.partial, {
      rejectedSpans: 1,
      errorMessage: "rejected 1 of 1 span: span 'too wide' has 20000 attributes (resource, scope and its own); at most 2000 are accepted per span, span event or link",
    });
    const later = span('later', [['http.route', '/after']]);
    assert.deepEqual(await postProtobuf(waggle, 'single', [later]), { status: 200, partial: null });
    const stored = await readSpan(waggle, later.traceIdHex);
    assert.equal(stored?.['http.route'], '/after');
    assert.equal(await traceStatus(waggle, wide.traceIdHex), 404);
    assert.equal((await fetch(`${waggle.baseUrl}/healthz`)).status, 200);
  });

  it('takes five requests of 5 000 new keys up to 10 000 columns per dataset, refuses the rest by name, and stays writable', async () => {
    const sent: WideSpan[][] = [];
    const answers = [];
    for (let r = 0; r < 5; r++) {
      // 5 spans of 1 000 new keys each: within the per-span limit, so only the dataset limit applies.
      const spans = Array.from({ length: 5 }, (_, s) => span(`five ${r}.${s}`, keys('five.key_', r * 5000 + s * 1000, 1000)));
      sent.push(spans);
      answers.push(await postProtobuf(waggle, 'five', spans));
    }
    assert.deepEqual(answers.slice(0, 2), [
      { status: 200, partial: null },
      { status: 200, partial: null },
    ]);
    for (const answer of answers.slice(2)) {
      assert.deepEqual(answer, {
        status: 200,
        partial: {
          rejectedSpans: 5,
          errorMessage:
            "rejected 5 of 5 spans: 5 spans have too many columns: dataset 'five' would have 11000 distinct columns; at most 10000 are accepted per dataset",
        },
      });
    }
    // Spans on known columns are still taken; every acknowledged span is readable, no refused one is.
    const known = span('known keys', [['five.key_9999', 7]]);
    assert.deepEqual(await postProtobuf(waggle, 'five', [known]), { status: 200, partial: null });
    assert.equal((await readSpan(waggle, known.traceIdHex))?.['five.key_9999'], 7);
    const firstOfSecond = await readSpan(waggle, sent[1]![4]!.traceIdHex);
    assert.equal(firstOfSecond?.['five.key_9999'], 9999);
    assert.equal(await traceStatus(waggle, sent[2]![0]!.traceIdHex), 404);
    const columns = (await (await fetch(`${waggle.baseUrl}/1/columns/five`)).json()) as Array<{ key_name: string }>;
    assert.equal(columns.filter((c) => c.key_name.startsWith('five.key_')).length, 10_000);
  });

  it('keeps a span name, a name attribute and an attr.name attribute under three documented columns', async () => {
    const clash = span('v7', [
      ['name', 'v8'],
      ['attr.name', 'v9'],
    ]);
    assert.deepEqual(await postProtobuf(waggle, 'clash', [clash]), { status: 200, partial: null });
    const stored = await readSpan(waggle, clash.traceIdHex);
    assert.deepEqual([stored?.['name'], stored?.['attr.name'], stored?.['attr.attr.name']], ['v7', 'v8', 'v9']);
  });

});

describe('Honeycomb events over the limits', () => {
  // A server of its own: the store-wide column limit must not be reached by the other tests' columns.
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('answers a Honeycomb batch item over 2000 fields, and one past the dataset column limit, with 400 and the reason', async () => {
    const url = `http://127.0.0.1:${waggle.ports.otlpHttp}/1/batch/hny`;
    const fields = (from: number, count: number): Record<string, number> => Object.fromEntries(keys('hny.f', from, count));
    const items = [
      { data: fields(0, 2001) },
      ...Array.from({ length: 5 }, (_, i) => ({ data: fields(i * 2000, 2000) })),
      { data: fields(10_000, 1) },
      { data: { 'hny.f5': 5 } },
    ];
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), [
      { status: 400, error: 'event has 2001 fields; at most 2000 are accepted' },
      { status: 202 },
      { status: 202 },
      { status: 202 },
      { status: 202 },
      { status: 202 },
      {
        status: 400,
        error: "Event has too many columns. dataset 'hny' would have 10001 distinct columns; at most 10000 are accepted per dataset",
      },
      { status: 202 },
    ]);
    const single = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/1/events/hny`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'hny.new': 1 }),
    });
    assert.equal(single.status, 400);
    assert.deepEqual(await single.json(), {
      error: "Event has too many columns. dataset 'hny' would have 10001 distinct columns; at most 10000 are accepted per dataset",
    });
  });
});
