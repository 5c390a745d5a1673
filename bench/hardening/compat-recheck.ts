/**
 * Issue 10's items re-checked against a real `waggle serve` with raw requests as other clients
 * write them (zstd by the zstd(1) command line tool, as libhoney-go would send it) and with
 * libhoney: one PASS/MISS line per check. Loopback only; ~20 s.
 *
 *   npm run build:server && node dist/bench/hardening/compat-recheck.js
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawnWaggle, waitForExit } from '../../test/support/waggle-process.js';

let misses = 0;
function check(what: string, observed: unknown, expected: unknown): void {
  const pass = JSON.stringify(observed) === JSON.stringify(expected);
  if (!pass) misses += 1;
  process.stdout.write(`${pass ? 'PASS' : 'MISS'}  ${what}: ${JSON.stringify(observed)}${pass ? '' : ` (expected ${JSON.stringify(expected)})`}\n`);
}

function zstd(bytes: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c'], { input: bytes });
}

interface HoneyEvent {
  add(data: Record<string, unknown>): void;
  timestamp: Date;
  send(): void;
}
interface Honey {
  newEvent(): HoneyEvent;
  flush(): Promise<void>;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-compat-'));
  const waggle = await spawnWaggle(['--data-dir', dataDir]);
  const api = `http://127.0.0.1:${waggle.ports.http}`;
  const otlp = `http://127.0.0.1:${waggle.ports.otlpHttp}/v1/traces`;
  const json = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${api}${route}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  const traceEvents = async (traceId: string): Promise<Array<Record<string, unknown>>> => {
    for (let i = 0; i < 60; i++) {
      const response = await fetch(`${api}/api/traces/${traceId}`);
      if (response.status === 200) return ((await response.json()) as { spans: Array<Record<string, unknown>> }).spans;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return [];
  };
  try {
    // 1. int64 as JSON numbers.
    const traceId = crypto.randomBytes(16).toString('hex');
    const raw = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"compat"}}]},"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"0102030405060708","name":"exact","kind":2,"startTimeUnixNano":1700000000123456789,"endTimeUnixNano":1700000000988654321,"attributes":[{"key":"big","value":{"intValue":9007199254740993}},{"key":"nan","value":{"doubleValue":"NaN"}},{"key":"inf","value":{"doubleValue":"-Infinity"}}]}]}]}]}`;
    const sent = await fetch(otlp, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    await sent.arrayBuffer();
    const span = (await traceEvents(traceId))[0] ?? {};
    const fields = (span['fields'] ?? span) as Record<string, unknown>;
    const text = JSON.stringify(span);
    check('1. OTLP/JSON int64 numbers exact (duration 865.197532 ms, big 9007199254740993)', [sent.status, text.includes('865.197532'), text.includes('9007199254740993'), /2023-11-14T22:13:20\.123456789Z|1700000000123456789/.test(text)], [200, true, true, true]);
    check('7. NaN and -Infinity come back as strings, not null', [text.includes('"NaN"'), text.includes('"-Infinity"')], [true, true]);
    void fields;

    // 2. Honeycomb batch time forms.
    const times: Array<[unknown, string]> = [
      [1452759330927, '2016-01-14T08:15:30.927Z'],
      ['1452759330927', '2016-01-14T08:15:30.927Z'],
      [1452759330.5, '2016-01-14T08:15:30.500Z'],
      ['2016-01-14T09:15:30.1234+01:00', '2016-01-14T08:15:30.123Z'],
    ];
    const batch = await json('POST', '/1/batch/times', [...times.map(([time], i) => ({ time, data: { form: i } })), { time: 'yesterday', data: { form: 99 } }]);
    check('2. batch of 4 time forms + 1 bad time: per-item statuses', (batch.body as Array<{ status: number }>).map((item) => item.status), [202, 202, 202, 202, 400]);

    // 3. zstd / zst on every ingest route.
    const zEvents = zstd(Buffer.from(JSON.stringify([{ data: { via: 'zstd' } }])));
    for (const [route, encoding, body, type] of [
      ['/1/batch/zstd', 'zstd', zEvents, 'application/json'],
      ['/1/batch/zstd', 'zst', zEvents, 'application/json'],
      ['/1/events/zstd', 'zstd', zstd(Buffer.from(JSON.stringify({ via: 'zstd-event' }))), 'application/json'],
    ] as const) {
      const response = await fetch(`${api}${route}`, { method: 'POST', headers: { 'content-type': type, 'content-encoding': encoding }, body: new Uint8Array(body) });
      check(`3. ${route} Content-Encoding: ${encoding}`, response.status, 200);
    }
    const zOtlp = await fetch(otlp, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd' }, body: new Uint8Array(zstd(Buffer.from(raw.replace(traceId, crypto.randomBytes(16).toString('hex'))))) });
    check('3. /v1/traces OTLP/JSON Content-Encoding: zstd', zOtlp.status, 200);

    // 4. datasets.
    const created = await json('POST', '/1/datasets', { name: 'My Dataset', description: 'd' });
    const createdBody = created.body as Record<string, unknown>;
    check('4. POST /1/datasets My Dataset', [created.status, createdBody['name'], createdBody['slug']], [201, 'My Dataset', 'my-dataset']);
    await json('POST', '/1/events/My%20Dataset', { via: 'name' });
    await json('POST', '/1/events/my-dataset', { via: 'slug' });
    const listed = (await json('GET', '/1/datasets')).body as Array<Record<string, unknown>>;
    const mine = listed.filter((d) => String(d['slug']) === 'my-dataset');
    check('4. one dataset for name and slug, with documented fields', [mine.length, ['description', 'expand_json_depth', 'regular_columns_count', 'slug', 'name'].every((k) => k in (mine[0] ?? {}))], [1, true]);
    const updated = await json('PUT', '/1/datasets/my-dataset', { description: 'new', expand_json_depth: 2 });
    check('4. PUT /1/datasets/my-dataset', [updated.status, (updated.body as Record<string, unknown>)['description']], [200, 'new']);

    // 5. query results 201, limit ignored with series on; 7. spec echoed as sent.
    const spec = { calculations: [{ op: 'COUNT' }], time_range: 7200 };
    const query = await json('POST', '/1/queries/my-dataset', spec);
    const { id, ...echo } = query.body as Record<string, unknown>;
    check('7. /1/queries echoes the spec as sent', [query.status, echo], [200, spec]);
    const result = await json('POST', '/1/query_results/my-dataset', { query_id: id, disable_series: false, limit: 10000 });
    check('5. POST /1/query_results {disable_series:false, limit:10000}', result.status, 201);
    const foreign = await json('POST', '/1/queries/my-dataset', { calculations: [{ op: 'COUNT' }], breakdowns: ['form'] });
    check('7. spec naming a column of another dataset', foreign.status, 400);

    // 6. /1/auth.
    const auth = await json('GET', '/1/auth');
    check('6. GET /1/auth', [auth.status, typeof (auth.body as Record<string, unknown>)['api_key_access']], [200, 'object']);

    // Also: markers and columns.
    const marker = await json('POST', '/1/markers/my-dataset', { message: 'deploy', type: 'deploy' });
    check('Also: POST /1/markers/my-dataset', marker.status, 201);
    const column = await json('POST', '/1/columns/my-dataset', { key_name: 'declared', type: 'string', description: 'x' });
    const columnId = (column.body as Record<string, unknown>)['id'];
    const hidden = await json('PUT', `/1/columns/my-dataset/${String(columnId)}`, { hidden: true });
    const deleted = await json('DELETE', `/1/columns/my-dataset/${String(columnId)}`);
    check('Also: columns create/update/delete', [column.status, hidden.status, (hidden.body as Record<string, unknown>)['hidden'], deleted.status], [201, 200, true, 204]);

    // libhoney (Node) with an explicit timestamp, as its users send events.
    const Libhoney = createRequire(import.meta.url)('libhoney') as new (options: Record<string, unknown>) => Honey;
    const responses: Array<{ status_code?: number; error?: unknown }> = [];
    const honey = new Libhoney({ apiHost: `${api}/`, writeKey: 'k', dataset: 'Libhoney Data', responseCallback: (r: typeof responses) => responses.push(...r) });
    const event = honey.newEvent();
    event.timestamp = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    event.add({ client: 'libhoney' });
    event.send();
    await honey.flush();
    for (let i = 0; i < 50 && responses.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    check('libhoney event with a timestamp', responses.map((r) => r.status_code), [202]);
    const libhoneyQuery = await json('POST', '/1/queries/libhoney-data', { calculations: [{ op: 'COUNT' }], start_time: Date.UTC(2026, 0, 2) / 1000, end_time: Date.UTC(2026, 0, 3) / 1000 });
    // A result is computed when it is created: create results until the commit (~1 s) shows the event.
    let count: unknown = null;
    for (let i = 0; i < 50 && count !== 1; i++) {
      const libhoneyResult = await json('POST', '/1/query_results/libhoney-data', { query_id: (libhoneyQuery.body as Record<string, unknown>)['id'], disable_series: true });
      const polled = (await json('GET', `/1/query_results/libhoney-data/${String((libhoneyResult.body as Record<string, unknown>)['id'])}`)).body as { data?: { results?: Array<{ data: { COUNT: number } }> } };
      count = polled.data?.results?.[0]?.data.COUNT ?? null;
      if (count !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    check('libhoney event stored at its own timestamp (found in that day)', count, 1);
  } finally {
    waggle.child.kill('SIGTERM');
    await waitForExit(waggle.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`${misses} miss\n`);
}

await main();
