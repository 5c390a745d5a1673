/**
 * How long the store takes to heal when DuckDB invalidates its database, on a log of realistic
 * size: DuckDB aborts its checkpoints (a debug setting, first open only) and checkpoints once its
 * own log passes `--threshold` (DuckDB's default is 16 MB), so the reopen has that much log to
 * replay. Sends OTLP/JSON requests of 500 spans one after another (retrying 503s, as exporters
 * do) until the store has reopened, then 10 more, and checks that every acknowledged span is
 * stored exactly once. Reports the time from the invalidation being noticed to the reopen and to
 * /readyz answering 200 again.
 *
 *   node dist/bench/hardening/store-reopen-timing.js [--threshold 16MB] [--seconds 120]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWaggleServer } from '../../src/server/waggle-server.js';
import { createLogger } from '../../src/observability/waggle-logger.js';
import { otlpSpansJson, type TestSpan } from '../../test/support/otlp-json-spans.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const threshold = option('threshold', '16MB');
const seconds = Number(option('seconds', '120'));
const SPANS = 500;
const START_MS = Date.now() - 3_600_000;

const marks: { invalidated?: number; reopened?: number; ready?: number } = {};
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-reopen-bench-'));
const logger = createLogger('text', (line) => {
  if (line.includes('DuckDB invalidated the database')) marks.invalidated ??= performance.now();
  if (line.includes('reopened the database')) marks.reopened ??= performance.now();
  if (line.includes('invalidated') || line.includes('reopen')) process.stdout.write(line.length > 300 ? `${line.slice(0, 300)}...\n` : line);
});
const waggle = await startWaggleServer(
  { host: '127.0.0.1', port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, dataDir },
  { logger, storeFaultInjection: { debug_checkpoint_abort: 'before_header', checkpoint_threshold: threshold } },
);
const api = `http://127.0.0.1:${waggle.ports.http}`;
let refused = 0;
let walBytesAtInvalidation = 0;

async function send(index: number): Promise<void> {
  const spans: TestSpan[] = [];
  for (let i = 0; i < SPANS; i++) {
    const n = index * SPANS + i + 1;
    spans.push({ trace: Math.ceil(n / 5), span: n, name: `op-${i % 7}`, startMs: START_MS + (n % 3_000_000), ms: 3, attributes: [{ key: 'http.route', value: { stringValue: `/r/${i % 40}` } }] });
  }
  const body = otlpSpansJson('reopen-bench', spans);
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    if (response.status === 200) return;
    if (response.status !== 503) throw new Error(`ingest answered ${response.status}`);
    refused += 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const readyWatch = (async () => {
  while (marks.ready === undefined) {
    if (marks.invalidated !== undefined && walBytesAtInvalidation === 0) {
      try {
        walBytesAtInvalidation = fs.statSync(path.join(dataDir, 'waggle.duckdb.wal')).size;
      } catch {
        walBytesAtInvalidation = -1;
      }
    }
    if (marks.reopened !== undefined && (await fetch(`${api}/readyz`)).status === 200) marks.ready = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
})();

const deadline = performance.now() + seconds * 1000;
let sent = 0;
try {
  while (marks.reopened === undefined && performance.now() < deadline) await send(sent++);
  if (marks.reopened === undefined) throw new Error(`no invalidation within ${seconds} s (${sent * SPANS} spans sent)`);
  const before = sent;
  for (let i = 0; i < 10; i++) await send(sent++);
  await readyWatch;
  const expected = sent * SPANS;
  let counted = { count: 0, distinct: 0 };
  const countDeadline = performance.now() + 60_000;
  while (performance.now() < countDeadline) {
    const spec = { calculations: [{ op: 'COUNT' }, { op: 'COUNT_DISTINCT', column: 'trace.span_id' }], start_time: Math.floor(START_MS / 1000) - 60, end_time: Math.ceil(Date.now() / 1000) + 60 };
    const created = (await (await fetch(`${api}/1/queries/reopen-bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) })).json()) as { id: string };
    const result = (await (await fetch(`${api}/1/query_results/reopen-bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query_id: created.id, disable_series: true }) })).json()) as { id: string };
    const polled = (await (await fetch(`${api}/1/query_results/reopen-bench/${result.id}`)).json()) as { data?: { results?: Array<{ data: Record<string, number> }> } };
    const data = polled.data?.results?.[0]?.data ?? {};
    counted = { count: Number(data['COUNT'] ?? 0), distinct: Number(data['COUNT_DISTINCT(trace.span_id)'] ?? 0) };
    if (counted.count >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const ms = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '?' : String(Math.round(b - a)));
  process.stdout.write(
    [
      `checkpoint threshold ${threshold}: invalidated after ${before * SPANS} acknowledged spans, DuckDB log ${(walBytesAtInvalidation / 1e6).toFixed(1)} MB`,
      `noticed → reopened ${ms(marks.invalidated, marks.reopened)} ms; noticed → /readyz 200 ${ms(marks.invalidated, marks.ready)} ms; ingest 503s meanwhile: ${refused}`,
      `acknowledged ${expected} spans; stored ${counted.count}, distinct span ids ${counted.distinct}: ${counted.count === expected && counted.distinct === expected ? 'exact' : 'MISMATCH'}`,
      '',
    ].join('\n'),
  );
} finally {
  await waggle.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
