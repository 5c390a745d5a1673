import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { EventRecord, SpanKindName } from '../../src/core/event-record.js';
import { QueryRunner } from '../../src/query/query-runner.js';
import { prepareTextQuery } from '../../src/query/query-engine.js';
import { DEFAULT_DUCKDB_STORE_OPTIONS, DuckDbSpanStore, type DuckDbStoreOptions } from '../../src/store/duckdb/duckdb-span-store.js';
import type { DatasetSelector, SpanStore } from '../../src/store/span-store.js';
import { eventRecord } from '../support/event-record-fixture.js';

/**
 * network.* from the DuckDB store's client-parent index (duckdb-client-parent-index.ts) must answer
 * exactly what the read-time join answers, whichever of the two spans is covered by the index, was
 * stored later, delivered twice, or compacted since the index was built.
 */

const T0 = 1_700_000_000;
const S = 1_000_000_000n;
const MS = 1_000_000n;
const BASE = BigInt(T0) * S;

const stores: DuckDbSpanStore[] = [];
after(async () => {
  for (const store of stores) await store.close();
});

async function openStore(options: Partial<DuckDbStoreOptions> = {}): Promise<DuckDbSpanStore> {
  const store = await DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-netidx-')), threads: 1, lifecycleIntervalMs: 0, ...options });
  stores.push(store);
  return store;
}

/** A client span (120 ms, at +10 s) and its server span (80 ms, 30 ms later) of `trace`, each in a sealed segment of its own. */
async function writeClientAndServerInTwoSegments(store: DuckDbSpanStore, trace: bigint): Promise<void> {
  store.enqueue([span(trace, 2n, null, 'client', 'web', BASE + 10n * S, 120n * MS, 'fetch')], 1n);
  await store.flush();
  await store.sealOpenSegment();
  store.enqueue([span(trace, 20n, 2n, 'server', 'api', BASE + 10n * S + 30n * MS, 80n * MS, 'handle')], 2n);
  await store.flush();
  await store.sealOpenSegment();
}

/** The same store seen without its index: the compiler then joins client spans at read time. */
function withoutIndex(store: SpanStore): SpanStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'clientParentSource') return undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function span(trace: bigint, spanId: bigint, parentId: bigint | null, kind: SpanKindName, service: string, startNs: bigint, durationNs: bigint | null, name: string): EventRecord {
  return eventRecord({
    dataset: service,
    timestampNs: startNs,
    durationNs,
    traceId: trace,
    spanId,
    parentId,
    name,
    serviceName: service,
    kind,
    attributes: [{ keys: ['http.route'], kinds: ['string'], values: [`/r${Number(spanId % 5n)}`] }],
  });
}

const PER_SPAN = 'VISUALIZE COUNT GROUP BY name, network.latency_ms, network.request_ms, network.response_ms, network.clock_skew ORDER BY name LIMIT 1000';
const BY_ROUTE = 'VISUALIZE COUNT, P95(network.latency_ms), SUM(network.request_ms) WHERE span.kind = server GROUP BY http.route ORDER BY http.route';

async function answer(store: SpanStore, text: string, from: number, to: number, selector: DatasetSelector = { kind: 'all' }): Promise<unknown[]> {
  const spec = prepareTextQuery(`${text} FROM ${from} TO ${to}`, await store.querySchema(selector), { disableSeries: true });
  const data = await new QueryRunner(store).run(selector, spec, { disableSeries: true, timeoutMs: 30_000 });
  return data.results.map((r) => r.data);
}

/** Both ways of computing, over several ranges and selections: they must agree exactly. */
async function assertSameAsReadTimeJoin(store: DuckDbSpanStore, label: string): Promise<void> {
  const ranges: Array<[number, number]> = [[T0, T0 + 3 * 3600], [T0 + 1800, T0 + 5400], [T0 + 3600, T0 + 3 * 3600], [T0 + 100, T0 + 200]];
  for (const [from, to] of ranges) {
    for (const selector of [{ kind: 'all' }, { kind: 'one', name: 'api' }] as const) {
      for (const text of [PER_SPAN, BY_ROUTE]) {
        const indexed = await answer(store, text, from, to, selector);
        const joined = await answer(withoutIndex(store), text, from, to, selector);
        assert.deepEqual(indexed, joined, `${label}: ${text} FROM ${from} TO ${to} on ${selector.kind}`);
      }
    }
  }
}

/** A seeded pseudo-random sequence (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Traces over three hours: a client span (some delivered twice, the copies apart in time; some
 * without a duration) with zero to two server children, some servers a few minutes or over an hour
 * after their client, and orphans of both kinds.
 */
function generate(seed: number, traces: number): EventRecord[] {
  const next = random(seed);
  const events: EventRecord[] = [];
  let id = 1n;
  for (let t = 0; t < traces; t++) {
    const trace = BigInt(t + 1) * 0x1000000000001n;
    const start = BASE + BigInt(Math.floor(next() * 3 * 3600 * 1000)) * MS;
    const clientId = id++;
    const clientDuration = 100n * MS + BigInt(Math.floor(next() * 50)) * MS;
    events.push(span(trace, clientId, null, 'client', 'web', start, next() < 0.05 ? null : clientDuration, `c${clientId}`));
    if (next() < 0.15) events.push(span(trace, clientId, null, 'client', 'web', start + BigInt(Math.floor(next() * 7200)) * S - 3600n * S, clientDuration + 7n * MS, `c${clientId}`));
    const children = Math.floor(next() * 3);
    for (let c = 0; c < children; c++) {
      const serverId = id++;
      const late = next() < 0.1 ? BigInt(Math.floor(next() * 5400)) * S : BigInt(Math.floor(next() * 60)) * MS;
      events.push(span(trace, serverId, clientId, 'server', 'api', start + late, next() < 0.05 ? null : 40n * MS + BigInt(Math.floor(next() * 30)) * MS, `s${serverId}`));
    }
    if (next() < 0.05) events.push(span(trace, id++, 999_999n, 'server', 'api', start, 10n * MS, `orphan${id}`));
  }
  return events;
}

describe('network.* from the DuckDB client-parent index', () => {
  for (const rowsPerPass of [undefined, 70]) {
    it(`answers like the read-time join when both spans are indexed, when either arrives after the build, and after compaction${rowsPerPass === undefined ? '' : ` (built in passes of ${rowsPerPass} rows)`}`, async () => {
      const store = await openStore(rowsPerPass === undefined ? {} : { clientParentRowsPerPass: rowsPerPass });
      const events = generate(7, 300);
      const next = random(11);
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [events[i], events[j]] = [events[j]!, events[i]!];
      }
      const quarter = Math.ceil(events.length / 4);
      let position = 1n;
      const store4 = async (part: readonly EventRecord[]): Promise<void> => {
        store.enqueue(part.map((e) => ({ ...e })), position++);
        await store.flush();
      };
      // 1: half the spans in two sealed segments, indexed.
      await store4(events.slice(0, quarter));
      await store.sealOpenSegment();
      await store4(events.slice(quarter, 2 * quarter));
      await store.sealOpenSegment();
      assert.equal(await store.refreshClientParentIndex(), true);
      await assertSameAsReadTimeJoin(store, 'all indexed');
      // 2: partners arrive late, into the open segment (not indexed): both directions.
      await store4(events.slice(2 * quarter, 3 * quarter));
      await assertSameAsReadTimeJoin(store, 'late partners unsealed');
      // 3: sealed, still not indexed; then more in a new open segment.
      await store.sealOpenSegment();
      await store4(events.slice(3 * quarter));
      await assertSameAsReadTimeJoin(store, 'late partners sealed, not indexed');
      // 4: compacted: the indexed segments are replaced by segments the index does not cover.
      await store.sealOpenSegment();
      await store.compactAll();
      await assertSameAsReadTimeJoin(store, 'compacted and indexed again');
    });
  }

  it('answers the exact latencies of a client and server span stored in separate, indexed segments', async () => {
    const store = await openStore();
    await writeClientAndServerInTwoSegments(store, 0xabcdefn);
    assert.equal(await store.refreshClientParentIndex(), true);
    assert.deepEqual(await answer(store, PER_SPAN, T0, T0 + 60), [
      { name: 'fetch', 'network.latency_ms': null, 'network.request_ms': null, 'network.response_ms': null, 'network.clock_skew': null, COUNT: 1 },
      { name: 'handle', 'network.latency_ms': 40, 'network.request_ms': 30, 'network.response_ms': 10, 'network.clock_skew': false, COUNT: 1 },
    ]);
    // The index is what answered: the compiled statement reads its table, not the client spans of the segments.
    const compiled = await new QueryRunner(store).compile({ kind: 'all' }, prepareTextQuery(`${PER_SPAN} FROM ${T0} TO ${T0 + 60}`, await store.querySchema({ kind: 'all' }), { disableSeries: true }), { disableSeries: true });
    assert.match(compiled.sql, /waggle_client_parents_1/);
    assert.doesNotMatch(compiled.sql, /span_kind\) = 'client'/);
  });

  it('answers the exact timings of servers whose client arrived before, after, twice or in another segment, across a restart and a compaction', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waggle-netidx-'));
    const open = async (): Promise<DuckDbSpanStore> => DuckDbSpanStore.open({ ...DEFAULT_DUCKDB_STORE_OPTIONS, dataDir: dir, threads: 1, lifecycleIntervalMs: 0 });
    const pairs = 40;
    const first: EventRecord[] = [];
    const second: EventRecord[] = [];
    const expected: Array<Record<string, unknown>> = [];
    for (let i = 0; i < pairs; i++) {
      const trace = 0x5eed0000n + BigInt(i) * 0x1000001n;
      const clientStart = BASE + BigInt(i) * 10n * S;
      const client = span(trace, 1000n + BigInt(i), null, 'client', 'web', clientStart, 100n * MS + BigInt(i) * MS, `c${i}`);
      const server = span(trace, 2000n + BigInt(i), 1000n + BigInt(i), 'server', 'api', clientStart + 5n * MS + BigInt(i) * MS, 50n * MS, `s${i}`);
      // Every pair crosses segments: even servers arrive a segment before their client, odd ones after.
      (i % 2 === 0 ? first : second).push(server);
      (i % 2 === 0 ? second : first).push(client);
      expected.push({ name: `s${i}`, 'network.latency_ms': 50 + i, 'network.request_ms': 5 + i, 'network.response_ms': 45, 'network.clock_skew': false, COUNT: 1 });
    }
    // Client 0 delivered again 20 s later with another duration: the earliest copy is the client.
    second.push(span(0x5eed0000n, 1000n, null, 'client', 'web', BASE + 20n * S, 300n * MS, 'c0'));
    expected.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const servers = 'VISUALIZE COUNT WHERE span.kind = server GROUP BY name, network.latency_ms, network.request_ms, network.response_ms, network.clock_skew ORDER BY name LIMIT 1000';
    const check = async (store: DuckDbSpanStore, label: string): Promise<void> => {
      // Built here, or already by compactAll; either way it must cover every segment (asserted below).
      await store.refreshClientParentIndex();
      assert.deepEqual(await answer(store, servers, T0, T0 + 3600), expected, label);
      const spec = prepareTextQuery(`${servers} FROM ${T0} TO ${T0 + 3600}`, await store.querySchema({ kind: 'all' }), { disableSeries: true });
      const compiled = await new QueryRunner(store).compile({ kind: 'all' }, spec, { disableSeries: true });
      assert.match(compiled.sql, /waggle_client_parents_\d+/, `${label}: answered from the index`);
      assert.doesNotMatch(compiled.sql, /span_kind\) = 'client'/, `${label}: no client span read at query time`);
    };
    const store = await open();
    try {
      store.enqueue(first, 1n);
      await store.flush();
      await store.sealOpenSegment();
      store.enqueue(second, 2n);
      await store.flush();
      await store.sealOpenSegment();
      await check(store, 'two segments');
    } finally {
      await store.close();
    }
    const reopened = await open();
    stores.push(reopened);
    await check(reopened, 'after a restart');
    await reopened.compactAll();
    await check(reopened, 'after compaction (new rowids)');
  });

  it('answers no client timing for a server whose indexed client has expired by its dataset retention', async () => {
    const store = await openStore({ clock: () => BASE + 7200n * S });
    await writeClientAndServerInTwoSegments(store, 0xfeedn);
    assert.equal(await store.refreshClientParentIndex(), true);
    const servers = 'VISUALIZE COUNT WHERE span.kind = server GROUP BY name, network.latency_ms ORDER BY name';
    assert.deepEqual(await answer(store, servers, T0, T0 + 60), [{ name: 'handle', 'network.latency_ms': 40, COUNT: 1 }]);
    // The client's dataset now keeps an hour: the client (two hours old by the clock) is gone, the server is not.
    await store.setDatasetRetention('web', 3600n * S);
    assert.deepEqual(await answer(store, servers, T0, T0 + 60), [{ name: 'handle', 'network.latency_ms': null, COUNT: 1 }]);
  });
});
