/**
 * Wide and ever-widening data against a real `waggle serve` child process: ingest rate and peak
 * RSS (VmHWM) while new attribute keys keep arriving. Short and loopback only:
 *   node dist/bench/wide/wide-keys-bench.js [scenario]
 * Scenarios: narrow (baseline, 15 fixed keys), widening (15 000 new keys over 100 requests),
 * single (one span with 20 000 keys, then narrow traffic), five (5 requests of one span with 5 000
 * new keys), five-spread (5 requests of 5 spans x 1 000 new keys),
 * datasets (30 000 new keys over 200 requests spread over 4 datasets: the store-wide column limit).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnWaggle } from '../../test/support/waggle-process.js';
import { decodePartialSuccess, encodeWideRequest, type WideSpan } from '../../test/support/otlp-wide-request.js';

const SPANS_PER_REQUEST = 500;

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

let nextId = 1n;
function span(attributes: ReadonlyArray<readonly [string, number | string]>): WideSpan {
  const id = nextId++;
  return {
    traceIdHex: id.toString(16).padStart(32, '0'),
    spanIdHex: id.toString(16).padStart(16, '0'),
    name: 'GET /wide',
    startNs: BigInt(Date.now()) * 1_000_000n,
    durationNs: 1_000_000n,
    attributes,
  };
}

function narrowAttributes(i: number): Array<[string, number | string]> {
  const list: Array<[string, number | string]> = [];
  for (let k = 0; k < 15; k++) list.push([`app.field_${k}`, k % 2 === 0 ? i + k : `v${(i + k) % 50}`]);
  return list;
}

/** A request of narrow spans; `newKeys` fresh integer keys spread over its spans. */
function request(newKeys: number, keyBase: number, dataset = 'wide'): Buffer {
  const spans: WideSpan[] = [];
  for (let s = 0; s < SPANS_PER_REQUEST; s++) {
    const attributes = narrowAttributes(s);
    for (let k = s; k < newKeys; k += SPANS_PER_REQUEST) attributes.push([`wide.key_${keyBase + k}`, k]);
    spans.push(span(attributes));
  }
  return encodeWideRequest(dataset, spans);
}

async function post(url: string, body: Buffer): Promise<{ status: number; bytes: Uint8Array }> {
  for (;;) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 503) return { status: response.status, bytes };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? 'widening';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-wide-bench-'));
  const waggle = await spawnWaggle(['--data-dir', dataDir]);
  const url = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
  const api = `http://127.0.0.1:${waggle.ports.http}`;
  try {
    const statuses = new Map<number, number>();
    const note = (status: number): void => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const started = performance.now();
    let spans = 0;
    let rejectedSpans = 0;
    if (scenario === 'single') {
      const attributes: Array<[string, number]> = Array.from({ length: 20_000 }, (_, k) => [`single.key_${k}`, k]);
      const body = encodeWideRequest('wide', [span(attributes)]);
      note((await post(url, body)).status);
    } else if (scenario === 'five') {
      for (let r = 0; r < 5; r++) {
        const attributes: Array<[string, number]> = Array.from({ length: 5000 }, (_, k) => [`five.key_${r * 5000 + k}`, k]);
        note((await post(url, encodeWideRequest('wide', [span(attributes)]))).status);
      }
    } else if (scenario === 'five-spread') {
      // The same 25 000 keys as 5 spans of 1 000 per request: within the per-span limit.
      for (let r = 0; r < 5; r++) {
        const spans = Array.from({ length: 5 }, (_, s) => span(Array.from({ length: 1000 }, (_, k) => [`five.key_${r * 5000 + s * 1000 + k}`, k] as [string, number])));
        note((await post(url, encodeWideRequest('wide5', spans))).status);
      }
    }
    const newKeysPerRequest = scenario === 'widening' || scenario === 'datasets' ? 150 : 0;
    const requests = scenario === 'datasets' ? 200 : 100;
    const datasetOf = (r: number): string => (scenario === 'datasets' ? `wide${r % 4}` : 'wide');
    const bodies = Array.from({ length: requests }, (_, r) => request(newKeysPerRequest, r * newKeysPerRequest, datasetOf(r)));
    const loopStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const answer = await post(url, body);
          note(answer.status);
          const partial = decodePartialSuccess(answer.bytes);
          rejectedSpans += partial?.rejectedSpans ?? 0;
          spans += SPANS_PER_REQUEST - (partial?.rejectedSpans ?? 0);
        }
      }),
    );
    const ackSeconds = (performance.now() - loopStart) / 1000;
    // Readable: the last span's trace comes back.
    const lastTrace = (nextId - 1n).toString(16).padStart(32, '0');
    let readable = false;
    for (let i = 0; i < 200 && !readable; i++) {
      readable = (await fetch(`${api}/api/traces/${lastTrace}`)).status === 200;
      if (!readable) await new Promise((r) => setTimeout(r, 100));
    }
    const readableSeconds = (performance.now() - loopStart) / 1000;
    const columns = (await (await fetch(`${api}/1/columns/__all__`)).json()) as unknown[];
    const health = await fetch(`${api}/healthz`);
    console.log(
      JSON.stringify({
        scenario,
        statuses: Object.fromEntries(statuses),
        rejectedSpans,
        spans,
        ackedSpansPerSecond: Math.round(spans / ackSeconds),
        readableSpansPerSecond: Math.round(spans / readableSeconds),
        lastSpanReadable: readable,
        columns: columns.length,
        healthz: health.status,
        peakRssMb: Math.round(peakRssMb(waggle.child.pid!)),
        totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      }),
    );
  } finally {
    waggle.child.kill('SIGTERM');
    await new Promise((r) => waggle.child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
