import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Worker } from 'node:worker_threads';
import { INGEST_LIMITS } from '../../src/core/limits/ingest-limits.js';
import { DECODE_WORKER_NICE, type DecodeReplyMessage, type DecodeRequestMessage } from '../../src/ingest/payload-decode-messages.js';
import { PayloadDecodeThread } from '../../src/ingest/payload-decode-thread.js';
import { PAYLOAD_DECODERS, type DecodedPayload } from '../../src/ingest/payload-decoders.js';
import type { PayloadFormat } from '../../src/ingest/wal/write-ahead-log.js';
import { requestWithSpans, spanBody, stringAttribute } from '../fixtures/otlp/protobuf-bytes-fixture.js';
import { largeOtlpJsonBody } from '../support/large-otlp-body.js';
import { spawnWaggle, waitForExit, type WaggleProcess } from '../support/waggle-process.js';

function mainThreadDecode(format: PayloadFormat, body: Buffer, meta: Record<string, string>, maxBytes: number): DecodedPayload | { failed: { code: string; message: string } } {
  try {
    return PAYLOAD_DECODERS[format](body, meta, maxBytes);
  } catch (error) {
    return { failed: { code: (error as { code: string }).code, message: (error as Error).message } };
  }
}

async function workerDecode(thread: PayloadDecodeThread, format: PayloadFormat, body: Buffer, meta: Record<string, string>, maxBytes: number): Promise<DecodedPayload | { failed: { code: string; message: string } }> {
  try {
    return await thread.decode(format, body, meta, maxBytes);
  } catch (error) {
    return { failed: { code: (error as { code: string }).code, message: (error as Error).message } };
  }
}

describe('decoding in the worker thread', () => {
  const thread = new PayloadDecodeThread();
  after(async () => {
    await thread.close();
  });

  const cases: Array<{ name: string; format: PayloadFormat; body: Buffer; meta: Record<string, string> }> = [
    { name: 'a 3 MB OTLP/JSON request (many messages of events)', format: 'otlp-json', body: Buffer.from(largeOtlpJsonBody(3_000_000)), meta: { contentEncoding: 'identity' } },
    { name: 'a gzipped OTLP/JSON request with a dataset override', format: 'otlp-json', body: zlib.gzipSync(largeOtlpJsonBody(1_500_000)), meta: { contentEncoding: 'gzip', dataset: 'Override' } },
    {
      name: 'an OTLP protobuf request of 5000 spans',
      format: 'otlp-protobuf',
      body: Buffer.from(requestWithSpans(Array.from({ length: 5000 }, (_, i) => spanBody({ spanIdHex: (i + 1).toString(16).padStart(16, '0'), name: `op-${i % 9}`, extra: [] })), [stringAttribute('service.name', 'proto-svc')])),
      meta: { contentEncoding: 'identity' },
    },
    {
      name: 'a Honeycomb batch with good and bad items',
      format: 'honeycomb-batch',
      body: Buffer.from(JSON.stringify([{ data: { a: 1, b: 'x', big: 2 ** 60 } }, 'not an event', { time: '2026-01-01T00:00:00Z', samplerate: 4, data: { nested: { c: [1, 2] } } }])),
      meta: { dataset: 'hny', receivedAtNs: '1700000000000000000' },
    },
    { name: 'a corrupt OTLP/JSON request', format: 'otlp-json', body: Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}'), meta: { contentEncoding: 'identity' } },
    { name: 'a gzip bomb beyond the limit', format: 'otlp-json', body: zlib.gzipSync(Buffer.alloc(4_000_000, 32)), meta: { contentEncoding: 'gzip' } },
  ];
  for (const c of cases) {
    it(`gives exactly the main thread's answer for ${c.name}`, async () => {
      const expected = mainThreadDecode(c.format, c.body, c.meta, 2_000_000_000);
      const actual = await workerDecode(thread, c.format, c.body, c.meta, c.name.includes('bomb') ? 1_000_000 : 2_000_000_000);
      const expectedLimited = c.name.includes('bomb') ? mainThreadDecode(c.format, c.body, c.meta, 1_000_000) : expected;
      assert.deepStrictEqual(actual, expectedLimited);
    });
  }
});

describe('the decode worker\'s messages', () => {
  it('hand the main thread at most 256 events at a time, every event once, in order', async () => {
    // The main thread deserialises and interns a message in one turn of its event loop: at 1024
    // events a turn took up to ~100 ms on a loaded machine (issue 9: /healthz < 100 ms during a 64 MB body).
    const body = Buffer.from(largeOtlpJsonBody(3_000_000));
    const expected = PAYLOAD_DECODERS['otlp-json'](body, { contentEncoding: 'identity' }, 64 * 1024 * 1024).batch.events;
    const worker = new Worker(new URL('../../src/ingest/payload-decode-worker.js', import.meta.url));
    try {
      const sizes: number[] = [];
      const names: Array<string | null> = [];
      await new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (message: DecodeReplyMessage) => {
          if (message.kind === 'events') {
            sizes.push(message.events.length);
            for (const event of message.events) names.push(event.name);
            worker.postMessage({ kind: 'more', id: message.id } satisfies DecodeRequestMessage);
          } else if (message.kind === 'done') resolve();
          else reject(new Error(message.message));
        });
        worker.postMessage({ kind: 'job', id: 1, format: 'otlp-json', body, meta: { contentEncoding: 'identity' }, maxBytes: 64 * 1024 * 1024 } satisfies DecodeRequestMessage);
      });
      assert.deepEqual({ largest: Math.max(...sizes), events: names.length }, { largest: 256, events: expected.length });
      assert.deepEqual(names, expected.map((event) => event.name));
    } finally {
      await worker.terminate();
    }
  });
});

/** Posts a body; `uploaded` resolves once the whole body is handed to the socket. */
function postBody(port: number, body: Buffer): { uploaded: Promise<void>; response: Promise<{ status: number; text: string }> } {
  let uploaded!: () => void;
  const uploadedPromise = new Promise<void>((resolve) => (uploaded = resolve));
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('finish', () => uploaded());
    req.on('error', reject);
    req.end(body);
  });
  return { uploaded: uploadedPromise, response };
}

describe('the decode worker after a body', () => {
  const thread = new PayloadDecodeThread();
  after(async () => {
    await thread.close();
  });

  it('is stopped, its heap returned, once a body of the retire size is decoded', async () => {
    const body = Buffer.from(largeOtlpJsonBody(INGEST_LIMITS.decodeWorkerRetireBytes.value + 100_000));
    const decoded = await thread.decode('otlp-json', body, { contentEncoding: 'identity' }, 64 * 1024 * 1024);
    assert.equal(decoded.batch.rejectedSpans, 0);
    assert.equal(thread.running(), false);
  });

  it('is kept for the next body after a smaller one', async () => {
    const body = Buffer.from(largeOtlpJsonBody(2_000_000));
    await thread.decode('otlp-json', body, { contentEncoding: 'identity' }, 64 * 1024 * 1024);
    assert.equal(thread.running(), true);
  });

  it('decodes a body queued right behind a large one in a new worker', async () => {
    const large = Buffer.from(largeOtlpJsonBody(INGEST_LIMITS.decodeWorkerRetireBytes.value + 100_000));
    const small = Buffer.from(largeOtlpJsonBody(2_000_000));
    const expected = PAYLOAD_DECODERS['otlp-json'](small, { contentEncoding: 'identity' }, 64 * 1024 * 1024).batch.events.length;
    const first = thread.decode('otlp-json', large, { contentEncoding: 'identity' }, 64 * 1024 * 1024);
    const second = first.then(() => thread.decode('otlp-json', small, { contentEncoding: 'identity' }, 64 * 1024 * 1024));
    await first;
    assert.equal((await second).batch.events.length, expected);
  });
});

/** Each thread of this process by its kernel id, with its nice value (field 19 of its stat). */
function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The fields after the command name, which may itself hold spaces: state is field 3, nice 19.
    nice.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nice;
}

describe('the decode worker thread', () => {
  const thread = new PayloadDecodeThread();
  after(async () => {
    await thread.close();
  });

  it('runs at a lower CPU priority than the main thread, which gets a CPU first when both want one', { skip: !fs.existsSync('/proc/thread-self') }, async () => {
    // On a busy machine the event loop's turns waited for a CPU far longer than they ran
    // (BENCHMARKS.md run AL), the decode worker being the process's own busiest competitor.
    const processNice = os.getPriority(process.pid);
    const before = threadNiceValues();
    // Below the retire size, so the worker is still there to be looked at afterwards.
    await thread.decode('otlp-json', Buffer.from(largeOtlpJsonBody(2_000_000)), { contentEncoding: 'identity' }, 64 * 1024 * 1024);
    assert.equal(thread.running(), true);
    const after = threadNiceValues();
    const started = [...after].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    assert.equal(DECODE_WORKER_NICE, 5);
    // Relative to the process's own nice value, so that a server started under `nice` keeps
    // its worker below its event loop.
    assert.deepEqual(started, [Math.min(19, processNice + 5)]);
    assert.equal(after.get(process.pid), processNice);
  });
});

describe('a 64 MB request body', () => {
  let waggle: WaggleProcess;
  before(async () => {
    waggle = await spawnWaggle(['--data-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-bigbody-'))]);
  });
  after(async () => {
    waggle.child.kill('SIGTERM');
    await waitForExit(waggle.child);
  });

  it('leaves /healthz answering while it is decoded', async () => {
    const body = Buffer.from(largeOtlpJsonBody(63 * 1024 * 1024));
    let bigDone = false;
    const big = postBody(waggle.ports.otlpHttp, body);
    const response = big.response.finally(() => {
      bigDone = true;
    });
    await big.uploaded;
    // From the end of the upload to the response the server reads, decodes (seconds for 64 MB),
    // logs and acknowledges. Health checks go one after another meanwhile: a decode on the main
    // thread lets at most the one already waiting through before the answer.
    let answeredBeforeResponse = 0;
    while (!bigDone) {
      const health = await fetch(`http://127.0.0.1:${waggle.ports.http}/healthz`);
      assert.deepEqual(await health.json(), { status: 'ok', ready: true });
      if (!bigDone) answeredBeforeResponse += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(await response, { status: 200, text: '{}' });
    assert.ok(answeredBeforeResponse >= 5, `only ${answeredBeforeResponse} health checks were answered while the 64 MB body was decoded`);
  });
});
