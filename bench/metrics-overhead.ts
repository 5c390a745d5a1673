/**
 * What self-monitoring costs: the instrumentation calls one request makes (request timing by
 * route, an ingest answer) timed in a loop, and GET /metrics scraped from a real server that has
 * taken traffic (every series populated). Bounded: ~10 s. Run: npm run build:server &&
 * node dist/bench/metrics-overhead.js
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWaggleServer } from '../src/server/waggle-server.js';

function perCallNs(calls: number, run: (i: number) => void): number {
  for (let i = 0; i < 10_000; i++) run(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) run(i);
  return Number(process.hrtime.bigint() - started) / calls;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-metrics-bench-'));
const waggle = await startWaggleServer({ host: '127.0.0.1', port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, dataDir, logFormat: 'text' });
try {
  const { metrics } = waggle;
  const routes = ['/v1/traces', '/1/batch/:dataset', '/1/queries/:dataset', '/api/query', '/healthz', 'unmatched'];
  const httpNs = perCallNs(1_000_000, (i) => metrics.http.observe('main', 'POST', routes[i % routes.length]!, 200, 0.003));
  const answer = { bodyBytes: 20_000, accepted: 100, refusedInvalid: 0, refusedColumns: 0 };
  const startedAt = performance.now();
  const ingestNs = perCallNs(1_000_000, () => metrics.ingest.answered('otlp_http', answer, startedAt));

  // Traffic so that scrapes render populated series: requests on every route above, a query.
  const base = `http://127.0.0.1:${waggle.ports.http}`;
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${base}/1/batch/bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ data: { name: `e${i}` } }]) });
    await response.arrayBuffer();
  }
  await waggle.ingest.flushNow();
  const renderMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    const rendered = await metrics.render();
    renderMs.push(performance.now() - started);
    bytes = rendered.body.length;
  }
  const scrapeMs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await (await fetch(`${base}/metrics`)).text();
    scrapeMs.push(performance.now() - started);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const p99 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)]!;
  process.stdout.write(
    `request timing (histogram observe by route): ${httpNs.toFixed(0)} ns per request\n` +
      `ingest answer (6 counters + 1 histogram): ${ingestNs.toFixed(0)} ns per request\n` +
      `render /metrics: median ${median(renderMs).toFixed(2)} ms, p99 ${p99(renderMs).toFixed(2)} ms, ${bytes} bytes\n` +
      `GET /metrics over loopback: median ${median(scrapeMs).toFixed(2)} ms, p99 ${p99(scrapeMs).toFixed(2)} ms\n`,
  );
} finally {
  await waggle.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
