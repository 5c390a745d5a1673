/**
 * Peak RSS of `waggle serve` when everything heavy arrives at once (issue 9: "peak RSS ≤ 1 GiB
 * whatever the input"): 100 000 generated spans loaded first, then together for ~30 s widening
 * data (30 000 new keys over 200 requests across 4 datasets), two 64 MB OTLP/JSON bodies (sent by
 * curl, each retried after Retry-After while the server answers 503, then checked to be stored),
 * and 6 heavy queries in a loop. Prints the server's VmHWM and its RSS over time.
 * Loopback only; stops by itself (~1-2 min).
 *
 *   npm run build:server && node dist/bench/hardening/peak-rss-mix.js [--spans N] [--seconds S] [--large N] [--keep-data-dir] [--server-log FILE]
 *
 * --keep-data-dir leaves the server's data directory in place (its path is printed) to inspect the
 * stored rows with DuckDB once the server has stopped (bench/hardening/stored-duplicates.ts).
 *
 * WAGGLE_MEMORY_LIMIT in the environment reaches the server (DuckDB's memory limit).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeProtobufRequest } from '../generator/otlp-protobuf-encoder.js';
import { SpanGenerator } from '../generator/span-generator.js';
import { largeOtlpJsonBody } from '../../test/support/large-otlp-body.js';
import { encodeWideRequest, type WideSpan } from '../../test/support/otlp-wide-request.js';
import { spawnWaggle, waitForExit } from '../../test/support/waggle-process.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const totalSpans = Number(option('--spans', '100000'));
const measureSeconds = Number(option('--seconds', '30'));
/** How many 64 MB bodies to send (0 to see what the rest of the mix costs). */
const largeBodies = Number(option('--large', '2'));
const keepDataDir = process.argv.includes('--keep-data-dir');
/** Where to write the server's whole output when the mix ends (e.g. lines a diagnostic build logs). */
const serverLogFile = option('--server-log', '');

function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

async function post(url: string, body: Uint8Array | string, contentType: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : Buffer.from(body) });
    } catch (error) {
      // A kept-alive connection the server closed as the request went out (its keep-alive timeout
      // passes between two requests on a loaded machine): nothing was taken, send again.
      if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
      continue;
    }
    await response.arrayBuffer();
    if (response.status !== 503) return response.status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return 503;
}

/** ['503', '503', '200'] → ['503 ×2', '200']: a body may be refused many times before it is taken. */
function collapseRepeats(items: readonly string[]): string[] {
  const out: Array<{ item: string; times: number }> = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (last?.item === item) last.times += 1;
    else out.push({ item, times: 1 });
  }
  return out.map(({ item, times }) => (times > 1 ? `${item} ×${times}` : item));
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-rss-mix-'));
  const waggle = await spawnWaggle(['--data-dir', dataDir]);
  const pid = waggle.child.pid!;
  const api = `http://127.0.0.1:${waggle.ports.http}`;
  const otlp = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
  const timeline: string[] = [];
  const sampler = setInterval(() => timeline.push(String(procStatus(pid).rssMb)), 1000);
  try {
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const generator = new SpanGenerator({ seed: 11, windowStartNs: nowNs - 3_600_000_000_000n, windowNs: 3_600_000_000_000n });
    for (let sent = 0; sent < totalSpans; sent += 5000) await post(otlp, encodeProtobufRequest(generator.nextBatch(5000)).body, 'application/x-protobuf');
    process.stdout.write(`loaded ${totalSpans} spans; RSS ${procStatus(pid).rssMb} MB\n`);

    const deadline = performance.now() + measureSeconds * 1000;
    const bodyFile = path.join(dataDir, 'large.json');
    const bodyText = largeOtlpJsonBody(64 * 1024 * 1024 - 200_000);
    fs.writeFileSync(bodyFile, bodyText);
    // Spans of the 64 MB body: the only events with a cart.total attribute (span events lack it).
    const spansPerLargeBody = bodyText.split('"cart.total"').length - 1;
    let largeBodiesStored = 0;
    /**
     * Each 64 MB body is sent until it is taken, as an OTLP exporter would: a 503 (queued-bytes
     * back-pressure while the other body waits for its commit) is retried after its Retry-After.
     */
    const large = async (): Promise<string> => {
      const outcomes: string[] = [];
      for (let i = 0; i < largeBodies; i++) {
        const args = ['-s', '-o', '/dev/null', '-w', '%{http_code} %header{retry-after}', '--max-time', '120', '-H', 'content-type: application/json', '--data-binary', `@${bodyFile}`, otlp];
        const attempts: string[] = [];
        for (let attempt = 0; attempt < 60; attempt++) {
          const answer = await new Promise<string>((resolve) => execFile('curl', args, (error, stdout) => resolve(error ? `curl failed: ${error.message}` : stdout)));
          const [status, retryAfter] = answer.split(' ');
          attempts.push(status === '503' ? `503 (Retry-After: ${retryAfter ?? 'none'})` : answer.trim());
          if (status !== '503') break;
          await new Promise((resolve) => setTimeout(resolve, Number(retryAfter || '1') * 1000));
        }
        if (attempts[attempts.length - 1] === '200') largeBodiesStored += 1;
        outcomes.push(collapseRepeats(attempts).join(' then '));
      }
      return outcomes.join(', ');
    };
    let nextKey = 0;
    let nextId = 1n;
    const wide = async (): Promise<Map<number, number>> => {
      const statuses = new Map<number, number>();
      for (let r = 0; r < 200 && performance.now() < deadline; r++) {
        const spans: WideSpan[] = [];
        for (let s = 0; s < 500; s++) {
          const id = nextId++;
          const attributes: Array<[string, number | string]> = [];
          for (let k = 0; k < 15; k++) attributes.push([`app.field_${k}`, k % 2 === 0 ? s + k : `v${(s + k) % 50}`]);
          if (s < 150) attributes.push([`wide.key_${nextKey++}`, s]);
          spans.push({ traceIdHex: id.toString(16).padStart(32, 'f'), spanIdHex: id.toString(16).padStart(16, '0'), name: 'GET /wide', startNs: BigInt(Date.now()) * 1_000_000n, durationNs: 1_000_000n, attributes });
        }
        const status = await post(otlp, encodeWideRequest(`wide${r % 4}`, spans), 'application/x-protobuf');
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      return statuses;
    };
    const endSeconds = Math.ceil(Date.now() / 1000) + 60;
    const startSeconds = endSeconds - 7200;
    const heavySpecs: Array<Record<string, unknown>> = [
      { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT' }, { op: 'P99', column: 'duration_ms' }], filters: [{ column: 'root.http.route', op: 'exists' }], breakdowns: ['root.http.route'] },
      { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }, { op: 'COUNT_DISTINCT', column: 'trace.trace_id' }], breakdowns: ['tenant.id'] },
      { start_time: startSeconds, end_time: endSeconds, granularity: 60, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }], breakdowns: ['service.name'] },
      { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT' }], filters: [{ column: 'any.error', op: '=', value: true }], breakdowns: ['service.name', 'name'] },
      { start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT_DISTINCT', column: 'user.id' }], filters: [{ column: 'root.service.name', op: 'exists' }], breakdowns: ['http.route'] },
      { start_time: startSeconds, end_time: endSeconds, granularity: 30, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }, { op: 'COUNT_DISTINCT', column: 'trace.trace_id' }] },
    ];
    const queryStatuses = new Map<number, number>();
    const failures: string[] = [];
    const heavy = async (spec: Record<string, unknown>): Promise<void> => {
      const created = await fetch(`${api}/1/queries/__all__`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
      const id = ((await created.json()) as { id: string }).id;
      while (performance.now() < deadline) {
        const answer = await fetch(`${api}/1/query_results/__all__`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query_id: id }) });
        const text = await answer.text();
        queryStatuses.set(answer.status, (queryStatuses.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500 && answer.status !== 503) failures.push(`${answer.status} ${text.slice(0, 300)}`);
        if (answer.status !== 201) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    const [largeOutcome, wideStatuses] = await Promise.all([large(), wide(), ...heavySpecs.map(heavy)]);
    // Commits of what was acknowledged last still run: watch them too.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const health = await fetch(`${api}/healthz`);
    // Every 64 MB body that was acknowledged is readable once its commit is done.
    const expected = spansPerLargeBody * largeBodiesStored;
    let stored = -1;
    for (let wait = 0; wait < 60 && stored !== expected; wait++) {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      const created = await fetch(`${api}/1/queries/__all__`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start_time: startSeconds, end_time: endSeconds, calculations: [{ op: 'COUNT' }], filters: [{ column: 'cart.total', op: 'exists' }] }) });
      const id = ((await created.json()) as { id: string }).id;
      const answer = await fetch(`${api}/1/query_results/__all__`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query_id: id }) });
      if (answer.status !== 201) continue;
      const results = ((await answer.json()) as { data?: { results?: Array<{ data: { COUNT?: number } }> } }).data?.results ?? [];
      stored = results[0]?.data.COUNT ?? 0;
    }
    process.stdout.write(`64 MB bodies' spans: ${largeBodiesStored} acknowledged x ${spansPerLargeBody} = ${expected}, stored ${stored}\n`);
    if (stored !== expected) {
      // Why: a request set aside (quarantined) after failed commits, or a commit still failing.
      const lines = waggle.output().split('\n').filter((line) => /quarantin|set aside|commit/i.test(line));
      process.stdout.write(`server log about commits:\n${lines.slice(-5).map((line) => line.slice(0, 600)).join('\n')}\n`);
    }
    process.stdout.write(`64 MB bodies: ${largeOutcome}; wide requests: ${JSON.stringify(Object.fromEntries(wideStatuses as Map<number, number>))}; queries: ${JSON.stringify(Object.fromEntries(queryStatuses))}; /healthz ${health.status}\n`);
    for (const failure of failures.slice(0, 3)) process.stdout.write(`query failure: ${failure}\n`);
    if (failures.length > 0) process.stdout.write(`server log tail: ${waggle.output().slice(-1500)}\n`);
    const logLines = waggle.output().split('\n');
    const mentions = (pattern: RegExp): number => logLines.filter((line) => pattern.test(line)).length;
    process.stdout.write(`server log: ${mentions(/reopened the database/)} reopens, ${mentions(/set aside WAL entry/)} requests set aside, ${mentions(/commit failed/)} failed flushes\n`);
    process.stdout.write(`RSS MB each second: ${timeline.join(' ')}\n`);
    process.stdout.write(`server peak RSS (VmHWM): ${procStatus(pid).hwmMb} MB\n`);
  } finally {
    clearInterval(sampler);
    waggle.child.kill('SIGTERM');
    await waitForExit(waggle.child);
    if (serverLogFile !== '') fs.writeFileSync(serverLogFile, waggle.output());
    if (keepDataDir) process.stdout.write(`data directory kept: ${dataDir}\n`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
