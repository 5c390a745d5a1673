import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AttributeKind, AttributeList, AttributeScalar } from '../../core/attribute-value.js';
import type { EventRecord } from '../../core/event-record.js';
import { duckdbDialect } from '../../query/compile/duckdb-dialect.js';
import { blockSampleUnit } from '../span-store.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore } from './duckdb-span-store.js';
import { SPLIT_COMMIT_REQUEST_EVENTS, splitCommitRequest } from './duckdb-split-commit-requests.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';

const BASE_NS = 1_763_770_000_000_000_000n;



function event(n: number, attributes: AttributeList[], overrides: Partial<EventRecord> = {}): EventRecord {
  return eventRecord({
    dataset: 'strings',
    timestampNs: BASE_NS + BigInt(n) * 1_000n,
    traceId: 0x7ace0000000000000000000000000000n + BigInt(n),
    spanId: BigInt(n + 1),
    serviceName: 'strings',
    attributes,
    ...overrides,
  });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-duckdb-store-'));
}

const SHORT_VALUES = ['', 'a', 'twelve-chars', 'thirteen-char', 'é', '日本語', '🐝', 'tab\there', 'nul\u0000x'];
const LONG_SHARED = 'a long value repeated on many rows of a chunk (more than 12 bytes)';
const ROWS = 5_000;

describe('DuckDbSpanStore appends', () => {
  let store: DuckDbSpanStore;
  let dir: string;
  before(async () => {
    dir = tempDir();
    store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    const resource = attributeLayer([
      ['shared.long', 'string', LONG_SHARED],
      ['overridden', 'string', 'from the resource, long enough not to be inline'],
    ]);
    const events: EventRecord[] = [];
    for (let n = 0; n < ROWS; n++) {
      const own: Array<[string, AttributeKind, AttributeScalar]> = [
        ['short', 'string', SHORT_VALUES[n % SHORT_VALUES.length]!],
        ['unique.long', 'string', `a value unique to row number ${n}, never inline`],
        ['alternating', 'string', n % 2 === 0 ? LONG_SHARED : `odd row ${n} with its own long value`],
        ['int', 'integer', [-1, -4294967297, 4294967296, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0][n % 6]!],
        ['big', 'integer', 9_223_372_036_854_775_807n - BigInt(n)],
        ['float', 'float', n + 0.5],
        ['flag', 'boolean', n % 3 === 0],
      ];
      if (n % 5 === 0) own.push(['overridden', 'string', n % 10 === 0 ? 'span' : LONG_SHARED]);
      if (n % 7 === 0) own.push(['sparse', 'string', `sparse ${n}`]);
      events.push(event(n, [resource, attributeLayer(own)], { statusMessage: n % 4 === 0 ? null : `status message ${n % 3}` }));
    }
    store.enqueue(events, 1n);
    await store.flush();
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads back every value of rows on both sides of each 2048-row chunk boundary', async () => {
    for (const n of [0, 1, 2, 9, 10, 2046, 2047, 2048, 2049, 4095, 4096, 4097, ROWS - 1]) {
      const [stored] = await store.getTrace(0x7ace0000000000000000000000000000n + BigInt(n));
      assert.ok(stored, `row ${n} is stored`);
      assert.equal(stored['short'], SHORT_VALUES[n % SHORT_VALUES.length], `short value of row ${n}`);
      assert.equal(stored['shared.long'], LONG_SHARED);
      assert.equal(stored['unique.long'], `a value unique to row number ${n}, never inline`);
      assert.equal(stored['alternating'], n % 2 === 0 ? LONG_SHARED : `odd row ${n} with its own long value`);
      assert.equal(stored['int'], [-1, -4294967297, 4294967296, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0][n % 6]);
      assert.equal(stored['float'], n + 0.5);
      assert.equal(stored['flag'], n % 3 === 0);
      // Absent (NULL) columns are left out of a stored event.
      assert.equal(stored['status_message'], n % 4 === 0 ? undefined : `status message ${n % 3}`);
      assert.equal(stored['sparse'], n % 7 === 0 ? `sparse ${n}` : undefined);
    }
  });

  it("keeps a later layer's value over the resource's, repeated or not", async () => {
    for (const n of [0, 1, 5, 10, 15, 2045, 2050, 4990, 4995]) {
      const [stored] = await store.getTrace(0x7ace0000000000000000000000000000n + BigInt(n));
      const expected = n % 10 === 0 ? 'span' : n % 5 === 0 ? LONG_SHARED : 'from the resource, long enough not to be inline';
      assert.equal(stored?.['overridden'], expected, `row ${n}`);
    }
  });

  it('stores integers beyond the safe range exactly', async () => {
    const rows = await store.runSql(
      `SELECT count(*) FROM ${store.relation({ kind: 'one', name: 'strings' }, ['ts_ns'], { startNs: 0n, endNs: 2n ** 62n })} AS s`,
      [],
      { timeoutMs: 10_000 },
    );
    assert.equal(rows.rows[0]?.[0], BigInt(ROWS));
    const schema = await store.querySchema({ kind: 'one', name: 'strings' });
    const big = schema.column('big')!;
    const values = await store.runSql(
      `SELECT min(${big.sql}), max(${big.sql}) FROM ${store.relation({ kind: 'one', name: 'strings' }, big.physicalColumns, { startNs: 0n, endNs: 2n ** 62n })} AS s`,
      [],
      { timeoutMs: 10_000 },
    );
    assert.deepEqual(values.rows[0], [9_223_372_036_854_775_807n - BigInt(ROWS - 1), 9_223_372_036_854_775_807n]);
  });
  it('reads only the sampled blocks of rows, those whose unit (computed from the row positions) is below the rate', async () => {
    const strings = { kind: 'one', name: 'strings' } as const;
    const all = { startNs: 0n, endNs: 2n ** 62n };
    const rowsPerBlock = store.capabilities.rowsPerBlock!;
    assert.equal(rowsPerBlock, 2048);
    const unit = blockSampleUnit(duckdbDialect.sampleUnit, '__row', '__segment', rowsPerBlock);
    const positions = ['__segment', '__row', 'ts_ns'];
    // Each block's unit and rows, read whole.
    const blocks = (await store.runSql(`SELECT ${unit} AS u, count(*) AS n, count(DISTINCT __row) AS d FROM ${store.relation(strings, positions, all)} AS s GROUP BY __segment, __row // ${rowsPerBlock} ORDER BY u`, [], { timeoutMs: 10_000 })).rows
      .map(([u, n, d]) => ({ unit: Number(u), rows: Number(n), distinct: Number(d) }));
    assert.equal(blocks.reduce((sum, b) => sum + b.rows, 0), ROWS);
    assert.ok(blocks.every((b) => b.rows === b.distinct && b.rows <= rowsPerBlock));
    assert.ok(blocks.length >= 3, `${blocks.length} blocks`);
    // A rate between the first and the second block's unit reads the first block alone.
    const rate = (blocks[0]!.unit + blocks[1]!.unit) / 2;
    const count = async (sample: Parameters<DuckDbSpanStore['relation']>[3]): Promise<number> =>
      Number((await store.runSql(`SELECT count(*) FROM ${store.relation(strings, positions, all, sample)} AS s`, [], { timeoutMs: 10_000 })).rows[0]?.[0]);
    assert.equal(await count({ rate }), blocks[0]!.rows);
    assert.equal(await count({ rate: 0 }), 0);
    assert.equal(await count({ rate: 1 }), ROWS);
    // Within a time range, its own rate: rows 1 000..1 999 whole, nothing elsewhere.
    const within = { startNs: BASE_NS + 1_000n * 1_000n, endNs: BASE_NS + 2_000n * 1_000n, rate: 1 };
    assert.equal(await count({ rate: 0, within }), 1_000);
    assert.equal(await count({ rate: 1, within: { ...within, rate: 0 } }), ROWS - 1_000);
  });
});

describe('DuckDbSpanStore row-group commits', () => {
  it('commits whole row groups on its own once enough events are queued', async () => {
    const dir = tempDir();
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, rowGroupSize: 2048 });
    try {
      store.enqueue(splitCommitRequest(0), 1n);
      assert.equal(store.pendingEvents(), SPLIT_COMMIT_REQUEST_EVENTS);
      store.enqueue(splitCommitRequest(1), 2n);
      const deadline = Date.now() + 20_000;
      while (store.pendingEvents() > 2 * SPLIT_COMMIT_REQUEST_EVENTS - 2048 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(store.pendingEvents(), 2 * SPLIT_COMMIT_REQUEST_EVENTS - 2048);
      // Request 2 is only partly committed, so the WAL must keep it.
      assert.equal(await store.committedWalPosition(), 1n);
      await store.flush();
      assert.equal(await store.committedWalPosition(), 2n);
      assert.equal(store.pendingEvents(), 0);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays a request that a row-group commit split before a crash exactly once', async () => {
    const dir = tempDir();
    try {
      const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
      const fixture = fileURLToPath(new URL(`./duckdb-split-commit.fixture${extension}`, import.meta.url));
      const loaderFlags = process.execArgv.filter((arg, i, all) => arg.startsWith('--import') || all[i - 1] === '--import');
      const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
        const child = fork(fixture, [dir], { execArgv: loaderFlags, stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (_code, exitSignal) => resolve(exitSignal));
      });
      assert.equal(signal, 'SIGKILL');

      const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, rowGroupSize: 2048 });
      try {
        const committed = await store.committedWalPosition();
        assert.equal(committed, 1n);
        // What IngestService.replay does: every WAL entry after the committed position, in order.
        store.enqueue(splitCommitRequest(1), 2n);
        assert.equal(store.pendingEvents(), 2 * SPLIT_COMMIT_REQUEST_EVENTS - 2048);
        await store.flush();
        const relation = store.relation({ kind: 'one', name: 'split' }, ['span_id'], { startNs: 0n, endNs: 2n ** 62n });
        const rows = await store.runSql(`SELECT count(*), count(DISTINCT span_id), min(span_id), max(span_id) FROM ${relation} AS s`, [], { timeoutMs: 10_000 });
        assert.deepEqual(rows.rows[0], [3000n, 3000n, 1n, 3000n]);
        assert.equal(await store.committedWalPosition(), 2n);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DuckDbSpanStore spans of one attribute shape in several datasets', () => {
  it('gives each dataset the columns of the spans it received, when the same keys come in the same commit for two datasets', async () => {
    const dir = tempDir();
    const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir });
    try {
      const events: EventRecord[] = [];
      // alpha's spans come first, then beta's with the very same keys and kinds; gamma has one key more.
      for (let n = 0; n < 6; n++) {
        const dataset = n < 3 ? 'alpha' : 'beta';
        events.push(event(n, [attributeLayer([['http.route', 'string', `/r/${n}`], ['http.status', 'integer', 200 + n]])], { dataset, serviceName: dataset }));
      }
      events.push(event(6, [attributeLayer([['http.route', 'string', '/g'], ['http.status', 'integer', 500], ['gamma.only', 'boolean', true]])], { dataset: 'gamma', serviceName: 'gamma' }));
      store.enqueue(events, 1n);
      await store.flush();
      const attributeNames = async (name: string): Promise<string[]> =>
        (await store.listColumns({ kind: 'one', name })).map((c) => c.key_name).filter((key) => key.startsWith('http.') || key.startsWith('gamma.')).sort();
      assert.deepEqual(await attributeNames('alpha'), ['http.route', 'http.status']);
      assert.deepEqual(await attributeNames('beta'), ['http.route', 'http.status']);
      assert.deepEqual(await attributeNames('gamma'), ['gamma.only', 'http.route', 'http.status']);
      for (const n of [0, 2, 3, 5]) {
        const [stored] = await store.getTrace(0x7ace0000000000000000000000000000n + BigInt(n));
        assert.equal(stored?.['http.route'], `/r/${n}`);
        assert.equal(stored?.['http.status'], 200 + n);
      }
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
