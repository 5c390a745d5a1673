/**
 * A full disk under concurrent ingest, then SIGKILL while it is still full (issue 9, item 3):
 * acknowledged = stored? Mounts a small tmpfs (needs root), fills it to a few MB, sends padded
 * OTLP/JSON requests from 4 clients until the server refuses for 3 s, kills it with SIGKILL,
 * restarts once on the full disk (must refuse to start with a clear reason, or start), frees the
 * space, restarts, and counts. Loopback only; ~1 min.
 *
 *   npm run build:server && node dist/bench/hardening/full-disk-sigkill.js
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnWaggle, waitForExit, type WaggleProcess } from '../../test/support/waggle-process.js';

const SPANS_PER_REQUEST = 100;

function otlpRequest(): string {
  const now = Date.now();
  const traceId = crypto.randomBytes(16).toString('hex');
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
    traceId,
    spanId: crypto.randomBytes(8).toString('hex'),
    name: `op-${i % 7}`,
    kind: 2,
    startTimeUnixNano: `${now}000000`,
    endTimeUnixNano: `${now + 5}000000`,
    attributes: [{ key: 'padding', value: { stringValue: crypto.randomBytes(300).toString('base64') } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'disk' } }] }, scopeSpans: [{ spans }] }] });
}

async function countSpans(waggle: WaggleProcess): Promise<number> {
  const base = `http://127.0.0.1:${waggle.ports.http}`;
  const post = async (route: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${route}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const query = await post('/1/queries/disk', { calculations: [{ op: 'COUNT' }], time_range: 86_400 });
  const result = await post('/1/query_results/disk', { query_id: query['id'], disable_series: true });
  const polled = (await (await fetch(`${base}/1/query_results/disk/${String(result['id'])}`)).json()) as { data: { results: Array<{ data: { COUNT: number } }> } };
  return polled.data.results[0]?.data.COUNT ?? 0;
}

async function main(): Promise<void> {
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-full-disk-bench-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint]);
  const dataDir = path.join(mountPoint, 'data');
  const filler = path.join(mountPoint, 'filler');
  let waggle: WaggleProcess | null = null;
  try {
    waggle = await spawnWaggle(['--data-dir', dataDir]);
    const running = waggle;
    const stats = fs.statfsSync(mountPoint);
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 10 * 1024 * 1024)));

    let acknowledged = 0;
    const statuses = new Map<string, number>();
    let firstRefusalAt = 0;
    const started = Date.now();
    const client = async (): Promise<void> => {
      while (Date.now() - started < 60_000 && (firstRefusalAt === 0 || Date.now() - firstRefusalAt < 3_000)) {
        try {
          const response = await fetch(`http://127.0.0.1:${running.ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpRequest() });
          const text = await response.text();
          const key = `${response.status}${response.status === 503 ? ` retry-after=${response.headers.get('retry-after')}` : ''}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (response.status === 200) acknowledged += SPANS_PER_REQUEST;
          else {
            if (firstRefusalAt === 0) {
              firstRefusalAt = Date.now();
              process.stdout.write(`first refusal after ${acknowledged} acked spans: ${response.status} ${text.slice(0, 160)}\n`);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        } catch (error) {
          statuses.set('network error', (statuses.get('network error') ?? 0) + 1);
        }
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    const health = await fetch(`http://127.0.0.1:${running.ports.http}/healthz`);
    process.stdout.write(`statuses ${JSON.stringify(Object.fromEntries(statuses))}; /healthz while full: ${health.status} ${await health.text()}\n`);
    running.child.kill('SIGKILL');
    await waitForExit(running.child);
    waggle = null;

    // Restart on the still-full disk: a clear refusal to start, or a server that recovers.
    try {
      const again = await spawnWaggle(['--data-dir', dataDir]);
      process.stdout.write('restart on the full disk: started\n');
      again.child.kill('SIGKILL');
      await waitForExit(again.child);
    } catch (error) {
      process.stdout.write(`restart on the full disk: ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 300)}\n`);
    }

    fs.rmSync(filler);
    waggle = await spawnWaggle(['--data-dir', dataDir]);
    const stored = await countSpans(waggle);
    process.stdout.write(`acknowledged ${acknowledged}, stored after SIGKILL and restart ${stored}: ${stored === acknowledged ? 'PASS' : stored > acknowledged ? 'MORE (unacknowledged requests stored too)' : 'LOST'}\n`);
    const quarantine = path.join(dataDir, 'quarantine');
    for (const name of fs.existsSync(quarantine) ? fs.readdirSync(quarantine) : []) {
      const text = fs.readFileSync(path.join(quarantine, name), 'utf8');
      process.stdout.write(`quarantined ${name} (${text.length} bytes): ${text.slice(0, 300).replace(/"padding[^}]*}/g, '…')}\n`);
    }
    process.stdout.write(`server log: ${waggle.output().slice(-1500)}\n`);
  } finally {
    if (waggle !== null) {
      waggle.child.kill('SIGKILL');
      await waitForExit(waggle.child);
    }
    execFileSync('umount', [mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
  }
}

await main();
