import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const DAY_NS = 86_400_000_000_000n;
const HOUR_NS = 3_600_000_000_000n;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function otlpSpan(name: string, traceId: string, spanId: string, startNs: bigint): Record<string, unknown> {
  return { traceId, spanId, name, kind: 2, startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + 5_000_000n) };
}

function otlpBody(spans: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'Keeper' } }] }, scopeSpans: [{ scope: { name: 'manual' }, spans }] }],
  });
}

async function call(waggle: Waggle, method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${waggle.baseUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Retention over HTTP (WAGGLE_RETENTION=2d)', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle({ retentionNs: 2n * DAY_NS });
  });
  after(() => waggle.stop());

  it('refuses OTLP spans older than the retention as a partial success and stores the rest', async () => {
    const traceId = '0123456789abcdef0123456789abcdef';
    const now = nowNs();
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-honeycomb-dataset': 'Keeper' },
      body: otlpBody([otlpSpan('fresh', traceId, 'aaaaaaaaaaaaaaaa', now - HOUR_NS), otlpSpan('stale', traceId, 'bbbbbbbbbbbbbbbb', now - 3n * DAY_NS)]),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(answer.partialSuccess.rejectedSpans, '1');
    assert.match(answer.partialSuccess.errorMessage, /^rejected 1 of 2 spans: 1 span is older than dataset 'Keeper' keeps events \(retention 2d\): timestamp \S+ is before \S+$/);
    await waggle.ingest.flushNow();
    const trace = (await (await fetch(`${waggle.baseUrl}/api/traces/${traceId}`)).json()) as { spans: Array<{ name: string }> };
    assert.deepEqual(trace.spans.map((s) => s.name), ['fresh']);
  });

  it('answers a Honeycomb batch item older than the retention with 400 and takes the others', async () => {
    const now = Date.now();
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/1/batch/keeper`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { time: new Date(now - 60_000).toISOString(), data: { name: 'recent' } },
        { time: new Date(now - 3 * 86_400_000).toISOString(), data: { name: 'ancient' } },
      ]),
    });
    assert.equal(response.status, 200);
    const items = (await response.json()) as Array<{ status: number; error?: string }>;
    assert.equal(items.length, 2);
    assert.deepEqual(items[0], { status: 202 });
    assert.equal(items[1]!.status, 400);
    assert.match(items[1]!.error ?? '', /^Event is too old\. older than dataset 'keeper' keeps events \(retention 2d\)/);
  });

  it('shows, sets and clears a dataset retention through the datasets API, and admission follows it', async () => {
    const created = await call(waggle, 'POST', '/1/datasets', { name: 'Short Lived', retention: '6h' });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body['retention'], created.body['effective_retention']], ['6h', '6h']);
    const other = await call(waggle, 'GET', '/1/datasets/keeper');
    assert.deepEqual([other.body['retention'], other.body['effective_retention']], [null, '2d']);

    const send = async (dataset: string, ageNs: bigint): Promise<string> => {
      const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-honeycomb-dataset': dataset },
        body: otlpBody([otlpSpan('probe', 'fedcba9876543210fedcba9876543210', 'cccccccccccccccc', nowNs() - ageNs)]),
      });
      return ((await response.json()) as { partialSuccess?: { rejectedSpans: string } }).partialSuccess?.rejectedSpans ?? '0';
    };
    assert.equal(await send('short-lived', 12n * HOUR_NS), '1');
    assert.equal(await send('keeper', 12n * HOUR_NS), '0');

    const put = await call(waggle, 'PUT', '/1/datasets/short-lived', { retention: '1d' });
    assert.deepEqual([put.status, put.body['retention'], put.body['effective_retention']], [200, '1d', '1d']);
    assert.equal(await send('short-lived', 12n * HOUR_NS), '0');

    // A PUT without it goes back to the store-wide retention, as every field of a PUT does.
    const cleared = await call(waggle, 'PUT', '/1/datasets/short-lived', {});
    assert.deepEqual([cleared.body['retention'], cleared.body['effective_retention']], [null, '2d']);
  });

  it('refuses a malformed retention with 400 naming the field', async () => {
    for (const retention of ['forever', '0d', '-1d', 12, '36501d', '1w']) {
      assert.deepEqual(await call(waggle, 'PUT', '/1/datasets/keeper', { retention }), {
        status: 400,
        body: { error: 'retention: must be null or a duration such as 60d, 12h, 30m or 90s (at most 36500d)' },
      });
    }
  });

  it('keeps a dataset retention across a restart', async () => {
    await call(waggle, 'PUT', '/1/datasets/keeper', { retention: '36h' });
    const dataDir = waggle.dataDir;
    await waggle.stop();
    waggle = await startTestWaggle({ dataDir, retentionNs: 2n * DAY_NS });
    const again = await call(waggle, 'GET', '/1/datasets/keeper');
    assert.deepEqual([again.body['retention'], again.body['effective_retention']], ['36h', '36h']);
  });
});
