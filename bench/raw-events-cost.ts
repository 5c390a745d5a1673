/**
 * What GET /api/raw-events costs over a real server: 300 000 spans (12 attributes each) in the last
 * hour, then a default page (100 events, every column), a 10 000-event CSV export, and a page at
 * offset 100 000. Loopback only, bounded (about a minute). Run: npm run build:server && node
 * dist/bench/raw-events-cost.js
 */
import { startTestWaggle } from '../test/support/waggle-test-server.js';

const SPANS = 300_000;
const BATCH = 5_000;
const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

function batch(first: number, nowMs: number): string {
  const spans = [];
  for (let i = first; i < first + BATCH; i++) {
    const attrs: Array<{ key: string; value: Record<string, string> }> = [];
    for (let a = 0; a < 12; a++) attrs.push({ key: `attr.k${a}`, value: a % 2 === 0 ? { stringValue: `v${(i * 7 + a) % 997}` } : { intValue: String(i % 1000) } });
    const start = nowMs - Math.floor((i / SPANS) * 3_500_000);
    spans.push({ traceId: hex(i + 1, 32), spanId: hex(i + 1, 16), name: `op${i % 50}`, kind: 2, startTimeUnixNano: `${start}000000`, endTimeUnixNano: `${start + (i % 300)}000000`, attributes: attrs });
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeSpans: [{ spans }] }] });
}

async function timed(label: string, url: string): Promise<void> {
  const runs: number[] = [];
  let bytes = 0;
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    const response = await fetch(url);
    bytes = (await response.arrayBuffer()).byteLength;
    if (response.status !== 200) throw new Error(`${label}: ${response.status}`);
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[2]!.toFixed(0)} ms (min ${runs[0]!.toFixed(0)}, max ${runs[4]!.toFixed(0)}), ${bytes} bytes`);
}

const waggle = await startTestWaggle();
try {
  const nowMs = Date.now();
  for (let first = 0; first < SPANS; first += BATCH) {
    const response = await fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch(first, nowMs) });
    if (response.status !== 200) throw new Error(`ingest ${response.status}`);
  }
  await waggle.ingest.flushNow();
  const base = `${waggle.baseUrl}/api/raw-events?dataset=bench&q=${encodeURIComponent('LAST 1h')}`;
  await timed('page of 100, every column (26)', base);
  await timed('page of 100, filter name = "op7"', `${waggle.baseUrl}/api/raw-events?dataset=bench&q=${encodeURIComponent('WHERE name = "op7" LAST 1h')}`);
  await timed('CSV export of 10 000', `${base}&limit=10000&format=csv`);
  await timed('page of 100 at offset 100 000', `${base}&offset=100000`);
} finally {
  await waggle.stop();
}
