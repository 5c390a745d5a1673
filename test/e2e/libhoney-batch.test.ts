/**
 * Honeycomb's own Node client, libhoney, sending to Waggle's /1/batch/:dataset: per-event statuses
 * in order, and the events readable back as wide events with their kinds. Also the same endpoint
 * over raw HTTP with gzip and msgpack, which libhoney does not use.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode as encodeMsgpack } from '@msgpack/msgpack';
import { resolveConfig } from '../../src/server/waggle-config.js';
import { startWaggleServer, type RunningWaggle } from '../../src/server/waggle-server.js';

// libhoney ships no type declarations: the part used here, typed.
interface HoneyEvent {
  timestamp: Date | null;
  sampleRate: number;
  add(data: Record<string, unknown>): HoneyEvent;
  addField(name: string, value: unknown): HoneyEvent;
  addMetadata(metadata: unknown): HoneyEvent;
  sendPresampled(): void;
}
interface HoneyResponse {
  status_code?: number;
  metadata: unknown;
  error?: unknown;
}
interface HoneyClient {
  newEvent(): HoneyEvent;
  flush(): Promise<void>;
}
type HoneyConstructor = new (options: {
  writeKey: string;
  dataset: string;
  apiHost: string;
  batchTimeTrigger: number;
  responseCallback: (responses: HoneyResponse[]) => void;
}) => HoneyClient;
const Libhoney = createRequire(import.meta.url)('libhoney') as HoneyConstructor;

type WideSpan = Record<string, unknown>;

let dataDir = '';
let waggle: RunningWaggle;
let otlpUrl = '';
let apiUrl = '';

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-libhoney-e2e-'));
  waggle = await startWaggleServer({
    ...resolveConfig({}, []),
    host: '127.0.0.1',
    port: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    dataDir,
    walSync: false,
    flushIntervalMs: 200,
  });
  otlpUrl = `http://127.0.0.1:${waggle.ports.otlpHttp}`;
  apiUrl = `http://127.0.0.1:${waggle.ports.http}`;
});

after(async () => {
  await waggle.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function randomHex(bytes: number): string {
  return Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('');
}

async function waitForTrace(traceId: string, count: number): Promise<WideSpan[]> {
  const deadline = Date.now() + 30_000;
  let spans: WideSpan[] = [];
  while (Date.now() < deadline) {
    const response = await fetch(`${apiUrl}/api/traces/${traceId}`);
    if (response.status === 200) spans = ((await response.json()) as { spans: WideSpan[] }).spans;
    if (spans.length >= count) return spans;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return spans;
}

describe('libhoney → /1/batch/:dataset', () => {
  it('answers each event in order and stores them as typed wide events', { timeout: 90_000 }, async () => {
    const responses: HoneyResponse[] = [];
    const honey = new Libhoney({
      writeKey: 'any-key',
      dataset: 'Honey-Shop',
      apiHost: otlpUrl,
      batchTimeTrigger: 50,
      responseCallback: (batch) => responses.push(...batch),
    });
    const traceId = randomHex(16);
    const rootId = randomHex(8);
    const childId = randomHex(8);
    const when = new Date(Date.now() - 10_000);

    const root = honey.newEvent().add({
      'trace.trace_id': traceId,
      'trace.span_id': rootId,
      name: 'checkout',
      'service.name': 'honey-shop',
      duration_ms: 12.5,
      'user.id': 'u-1',
      'cart.items': 3,
      'order.total': 19.99,
      paid: true,
      tags: ['a', 'b'],
      nothing: null,
    });
    root.timestamp = when;
    root.sampleRate = 4;
    root.addMetadata('root').sendPresampled();

    const child = honey.newEvent().add({
      'trace.trace_id': traceId,
      'trace.span_id': childId,
      'trace.parent_id': rootId,
      name: 'charge card',
      'service.name': 'honey-shop',
      duration_ms: 3,
      error: true,
      'error.message': 'card declined',
    });
    child.timestamp = new Date(when.getTime() + 2);
    child.addMetadata('child').sendPresampled();

    honey.newEvent().add({ name: 'too big', blob: 'x'.repeat(70_000) }).addMetadata('too-big').sendPresampled();

    await honey.flush();
    const deadline = Date.now() + 10_000;
    while (responses.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      responses.map((r) => [r.metadata, r.status_code]),
      [
        ['root', 202],
        ['child', 202],
        ['too-big', 400],
      ],
    );

    const spans = await waitForTrace(traceId, 2);
    const stored = new Map(spans.map((s) => [s['trace.span_id'], s]));
    const storedRoot = stored.get(rootId);
    const storedChild = stored.get(childId);
    assert.ok(storedRoot && storedChild, `trace ${traceId} holds ${JSON.stringify(spans)}`);
    assert.equal(storedRoot['name'], 'checkout');
    assert.equal(storedRoot['service.name'], 'honey-shop');
    assert.equal(storedRoot['duration_ms'], 12.5);
    assert.equal(storedRoot['timestamp'], `${when.toISOString().slice(0, 23)}000000Z`);
    assert.equal(storedRoot['trace.parent_id'] ?? null, null);
    assert.equal(storedRoot['user.id'], 'u-1');
    assert.equal(storedRoot['cart.items'], 3);
    assert.equal(storedRoot['order.total'], 19.99);
    assert.equal(storedRoot['paid'], true);
    assert.equal(storedRoot['tags'], '["a","b"]');
    assert.equal('nothing' in storedRoot, false);
    assert.equal(storedChild['trace.parent_id'], rootId);
    assert.equal(storedChild['error'], true);
    assert.equal(storedChild['status_code'], 'error');
    assert.equal(storedChild['error.message'], 'card declined');
  });

  it('keeps __proto__ and constructor as ordinary fields, end to end', { timeout: 60_000 }, async () => {
    const responses: HoneyResponse[] = [];
    const honey = new Libhoney({
      writeKey: 'any-key',
      dataset: 'hostile',
      apiHost: otlpUrl,
      batchTimeTrigger: 50,
      responseCallback: (batch) => responses.push(...batch),
    });
    const traceId = randomHex(16);
    const hostile = honey.newEvent().add({ 'trace.trace_id': traceId, name: 'hostile keys' });
    hostile.addField('__proto__', 'not a prototype').addField('constructor', 7);
    hostile.addMetadata('hostile').sendPresampled();
    await honey.flush();
    const deadline = Date.now() + 10_000;
    while (responses.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(responses.map((r) => r.status_code), [202]);

    const [stored] = await waitForTrace(traceId, 1);
    assert.equal(stored?.['name'], 'hostile keys');
    assert.equal(Object.getOwnPropertyDescriptor(stored, 'constructor')?.value, 7);
    // JSON.parse makes "__proto__" an own property, so this reads the stored field, not a prototype.
    assert.equal(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value, 'not a prototype');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

describe('/1/batch/:dataset over raw HTTP', () => {
  async function postBatch(body: Uint8Array, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
    // A fresh copy: fetch's types want an ArrayBuffer-backed view.
    const response = await fetch(`${otlpUrl}/1/batch/raw-dataset`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': 'k', ...headers },
      body: new Uint8Array(body),
    });
    return { status: response.status, body: await response.json() };
  }

  it('answers one status per item, in order, with an English reason for a bad item (gzip JSON)', async () => {
    const items = [{ data: { a: 1 } }, { data: 'not an object' }, { data: { b: 2 }, samplerate: 10 }];
    const answer = await postBatch(gzipSync(JSON.stringify(items)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.deepEqual(answer, {
      status: 200,
      body: [{ status: 202 }, { status: 400, error: 'event data must be a JSON object' }, { status: 202 }],
    });
  });

  it('accepts msgpack bodies', async () => {
    const traceId = randomHex(16);
    const items = [{ data: { 'trace.trace_id': traceId, name: 'from msgpack', big: 2n ** 60n }, time: new Date() }];
    const answer = await postBatch(encodeMsgpack(items, { useBigInt64: true }), { 'content-type': 'application/msgpack' });
    assert.deepEqual(answer, { status: 200, body: [{ status: 202 }] });
    const [stored] = await waitForTrace(traceId, 1);
    assert.equal(stored?.['name'], 'from msgpack');
    assert.equal(String(stored?.['big']), String(2n ** 60n));
  });

  it('refuses an unknown Content-Encoding with 415, and a body that is not an array with 400', async () => {
    const notArray = await postBatch(new TextEncoder().encode('{"data":{}}'), { 'content-type': 'application/json' });
    assert.equal(notArray.status, 400);
    const brotli = await postBatch(new TextEncoder().encode('[]'), { 'content-type': 'application/json', 'content-encoding': 'br' });
    assert.equal(brotli.status, 415);
  });
});
