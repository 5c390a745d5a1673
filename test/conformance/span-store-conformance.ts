import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../src/core/event-record.js';
import { withCalculatedFields } from '../../src/derived/calculated-field-schema.js';
import { SqlParameters } from '../../src/query/compile/sql-parameters.js';
import { dialectOf } from '../../src/query/compile/store-dialects.js';
import type { SpanStore } from '../../src/store/span-store.js';
import { attributeLayer, eventRecord } from '../support/event-record-fixture.js';

/** What a conformance test may set on the store it opens (the rest as the backend's test file chose). */
export interface ConformanceStoreOptions {
  readonly maxDiskBytes?: number;
  readonly log?: (message: string) => void;
}

/** Opens a store on a directory; reopening the same directory must find the same data. */
export type StoreFactory = (dataDir: string, options?: ConformanceStoreOptions) => Promise<SpanStore>;

const BASE_NS = 1_763_770_000_000_000_000n;
const MS = 1_000_000n;

export function spanEvent(overrides: Partial<EventRecord> & { traceId: bigint; spanId: bigint }): EventRecord {
  return eventRecord({ dataset: 'api', timestampNs: BASE_NS, durationNs: 5n * MS, name: 'GET /', serviceName: 'api', ...overrides });
}

/**
 * The behaviour every SpanStore backend must have. Run it from a test file per backend with a
 * factory that opens that backend on a fresh directory.
 */
export function runSpanStoreConformance(backend: string, factory: StoreFactory, makeDir: () => string): void {
  describe(`SpanStore conformance: ${backend}`, () => {
    let store: SpanStore;
    let dir: string;
    before(async () => {
      dir = makeDir();
      store = await factory(dir);
    });
    after(async () => {
      await store.close();
    });

    it('returns every field of a committed span under its column name, attribute kinds intact', async () => {
      const resource = attributeLayer([['deployment.environment', 'string', 'prod']]);
      store.enqueue(
        [
          spanEvent({
            traceId: 0x0af7651916cd43dd8448eb211c80319cn,
            spanId: 0xb7ad6b7169203331n,
            parentId: 0x00f067aa0ba902b7n,
            statusCode: 'error',
            statusMessage: 'boom',
            libraryName: 'lib',
            libraryVersion: '1.0',
            kind: 'client',
            attributes: [
              resource,
              attributeLayer([
                ['http.response.status_code', 'integer', 503],
                ['ratio', 'float', 0.5],
                ['cached', 'boolean', true],
                ['user.id', 'string', "o'brien \"quoted\" \\ back ünïcødé 🐝"],
                ['huge', 'integer', 2n ** 62n],
                ["'); DROP TABLE waggle_columns; --", 'string', 'still here'],
                ['name', 'string', 'an attribute called name'],
              ]),
            ],
          }),
        ],
        1n,
      );
      await store.flush();
      const events = await store.getTrace(0x0af7651916cd43dd8448eb211c80319cn);
      assert.deepEqual(events, [
        {
          timestamp: '2025-11-22T00:06:40.000000000Z',
          duration_ms: 5,
          'trace.trace_id': '0af7651916cd43dd8448eb211c80319c',
          'trace.span_id': 'b7ad6b7169203331',
          'trace.parent_id': '00f067aa0ba902b7',
          name: 'GET /',
          'service.name': 'api',
          'span.kind': 'client',
          status_code: 'error',
          error: true,
          status_message: 'boom',
          'library.name': 'lib',
          'library.version': '1.0',
          'deployment.environment': 'prod',
          'http.response.status_code': 503,
          ratio: 0.5,
          cached: true,
          'user.id': "o'brien \"quoted\" \\ back ünïcødé 🐝",
          huge: '4611686018427387904',
          "'); DROP TABLE waggle_columns; --": 'still here',
          'attr.name': 'an attribute called name',
        },
      ]);
    });

    it('advances the committed WAL position with each commit', async () => {
      assert.equal(await store.committedWalPosition(), 1n);
      store.enqueue([spanEvent({ traceId: 77n, spanId: 1n })], 2n);
      store.enqueue([spanEvent({ traceId: 77n, spanId: 2n, parentId: 1n, timestampNs: BASE_NS + MS })], 3n);
      assert.equal(store.pendingEvents(), 2);
      await store.flush();
      assert.equal(store.pendingEvents(), 0);
      assert.equal(await store.committedWalPosition(), 3n);
    });

    it('keeps events queued while a commit is under way for the next commit', async () => {
      store.enqueue([spanEvent({ traceId: 66n, spanId: 1n })], 4n);
      const first = store.flush();
      store.enqueue([spanEvent({ traceId: 66n, spanId: 2n, timestampNs: BASE_NS + 1n })], 5n);
      await first;
      await store.flush();
      assert.equal(store.pendingEvents(), 0);
      assert.equal(await store.committedWalPosition(), 5n);
      assert.deepEqual((await store.getTrace(66n)).map((e) => e['trace.span_id']), ['0000000000000001', '0000000000000002']);
    });

    it('keeps a column type fixed by its first value and stores conflicting values beside it', async () => {
      store.enqueue([spanEvent({ traceId: 88n, spanId: 1n, attributes: [attributeLayer([['retries', 'integer', 3]])] })], 6n);
      await store.flush();
      store.enqueue(
        [
          spanEvent({ traceId: 88n, spanId: 2n, timestampNs: BASE_NS + 1n, attributes: [attributeLayer([['retries', 'string', 'many']])] }),
          spanEvent({ traceId: 88n, spanId: 3n, timestampNs: BASE_NS + 2n, attributes: [attributeLayer([['retries', 'float', 4]])] }),
        ],
        7n,
      );
      await store.flush();
      const events = await store.getTrace(88n);
      assert.deepEqual(
        events.map((e) => [e['retries'], e['retries#string']]),
        [
          [3, undefined],
          [undefined, 'many'],
          [4, undefined],
        ],
      );
      const columns = await store.listColumns({ kind: 'one', name: 'api' });
      const types = Object.fromEntries(columns.map((c) => [c.key_name, c.type]));
      assert.equal(types['retries'], 'integer');
      assert.equal(types['retries#string'], 'string');
    });

    it('lists datasets and their columns with types, core columns included', async () => {
      store.enqueue(
        [spanEvent({ dataset: 'billing', serviceName: 'billing', traceId: 99n, spanId: 9n, timestampNs: BASE_NS + 100n, attributes: [attributeLayer([['invoice.total', 'float', 12.5]])] })],
        8n,
      );
      await store.flush();
      const datasets = (await store.listDatasets()).map((d) => d.name);
      assert.deepEqual(datasets, ['api', 'billing']);
      const billing = (await store.listColumns({ kind: 'one', name: 'billing' })).map((c) => `${c.key_name}:${c.type}`);
      assert.ok(billing.includes('invoice.total:float'));
      assert.ok(billing.includes('duration_ms:float'));
      assert.ok(billing.includes('service.name:string'));
      assert.ok(!billing.includes('user.id:string'));
      const all = (await store.listColumns({ kind: 'all' })).map((c) => c.key_name);
      assert.ok(all.includes('invoice.total') && all.includes('user.id'));
      assert.deepEqual(await store.listColumns({ kind: 'one', name: 'nope' }), []);
    });

    it('lists recent traces newest first, filtered by service', async () => {
      const traces = await store.listTraces({ limit: 10 });
      assert.deepEqual(
        traces.map((t) => t.trace_id),
        [formatId(77n), formatId(99n), formatId(88n), formatId(66n), '0af7651916cd43dd8448eb211c80319c'],
      );
      const t77 = traces[0]!;
      assert.equal(t77.root_name, 'GET /');
      assert.equal(t77.span_count, 2);
      assert.equal(t77.duration_ms, 6);
      const billing = await store.listTraces({ limit: 10, serviceName: 'billing' });
      assert.deepEqual(billing.map((t) => t.trace_id), [formatId(99n)]);
    });

    it('summarises only the traces asked for by id, whole, and none for an empty list', async () => {
      const asked = await store.listTraces({ limit: 10, traceIds: [88n, 77n, 12345n] });
      assert.deepEqual(asked.map((t) => t.trace_id), [formatId(77n), formatId(88n)]);
      assert.equal(asked[0]!.span_count, 2);
      assert.deepEqual(await store.listTraces({ limit: 10, traceIds: [] }), []);
    });

    it('finds the same data after a reopen', async () => {
      await store.close();
      store = await factory(dir);
      assert.equal(await store.committedWalPosition(), 8n);
      const events = await store.getTrace(77n);
      assert.deepEqual(events.map((e) => e['trace.span_id']), ['0000000000000001', '0000000000000002']);
      store.enqueue([spanEvent({ traceId: 77n, spanId: 3n, parentId: 1n, timestampNs: BASE_NS + 2n * MS, attributes: [attributeLayer([['late.key', 'boolean', false]])] })], 9n);
      await store.flush();
      const again = await store.getTrace(77n);
      assert.deepEqual(again.map((e) => e['late.key'] ?? null), [null, null, false]);
    });

    it('offers the top values of a column for autocomplete', async () => {
      const values = await store.topValues({ kind: 'one', name: 'api' }, 'retries', 5);
      assert.deepEqual(values, [
        { value: 3, count: 1 },
        { value: 4, count: 1 },
      ]);
    });

    it('exposes data through a relation that reads only the requested columns, NULL where a segment lacks one', async () => {
      const schema = await store.querySchema({ kind: 'one', name: 'api' });
      const retries = schema.column('retries');
      assert.ok(retries);
      const relation = store.relation({ kind: 'one', name: 'api' }, [...retries.physicalColumns, 'trace_id'], { startNs: 0n, endNs: 2n ** 62n });
      const result = await store.runSql(`SELECT count(*), count(${retries.sql}), sum(${retries.sql}) FROM ${relation} AS r`, [], { timeoutMs: 5_000 });
      assert.deepEqual(result.rows, [[9n, 2n, 7n]]);
    });

    it("keeps each request's receive time for INGEST_TIMESTAMP() across a reopen, in no listed column", async () => {
      // Spans that started ten minutes before they arrived; the last request's arrival is unknown (an old WAL record).
      const startedNs = BASE_NS + 5n * MS;
      const receivedNs = startedNs + 600_000_123_456_789n;
      store.enqueue(
        [
          spanEvent({ dataset: 'arrivals', traceId: 501n, spanId: 1n, timestampNs: startedNs }),
          spanEvent({ dataset: 'arrivals', traceId: 501n, spanId: 2n, parentId: 1n, timestampNs: startedNs + MS }),
        ],
        10n,
        receivedNs,
      );
      store.enqueue([spanEvent({ dataset: 'arrivals', traceId: 502n, spanId: 3n, timestampNs: startedNs + 2n * MS })], 11n, null);
      await store.flush();
      await store.close();
      store = await factory(dir);
      const selector = { kind: 'one', name: store.findDataset('arrivals')!.selector.name } as const;
      const dialect = dialectOf(store.capabilities);
      const params = new SqlParameters(dialect);
      const schema = withCalculatedFields(await store.querySchema(selector), [{ name: 'delay', expression: 'SUB(INGEST_TIMESTAMP(), EVENT_TIMESTAMP())' }, { name: 'arrived', expression: 'INGEST_TIMESTAMP()' }], { dialect, params });
      const delay = schema.column('delay')!;
      const arrived = schema.column('arrived')!;
      const relation = store.relation(selector, [...delay.physicalColumns, ...arrived.physicalColumns, 'ts_ns'], { startNs: 0n, endNs: 2n ** 62n });
      const rows = await store.runSql(`SELECT ${arrived.sql}, ${delay.sql} FROM ${relation} AS r ORDER BY ts_ns`, params.values(), { timeoutMs: 5_000 });
      // Stored in whole milliseconds: 1763770600005.123 s received, spans at ...000.005 and ...000.006 s.
      const arrivedSeconds = Number(receivedNs / MS) / 1e3;
      assert.deepEqual(rows.rows, [
        [arrivedSeconds, arrivedSeconds - Number(startedNs) / 1e9],
        [arrivedSeconds, arrivedSeconds - Number(startedNs + MS) / 1e9],
        [null, null],
      ]);
      assert.equal(delay.type, 'float');
      // Honeycomb shows no ingest time as a column: not listed, not queryable by name, not in a trace.
      const listed = (await store.listColumns(selector)).map((c) => c.key_name);
      assert.ok(!listed.some((name) => /ingest/i.test(name)), listed.join(', '));
      assert.equal(schema.column('ingest_time'), undefined);
      assert.ok(!(await store.querySchema(selector)).columns().some((c) => c.physicalColumns.includes(schema.roles.ingestTime.physicalColumns[0]!)));
      assert.ok((await store.getTrace(501n)).every((event) => Object.keys(event).every((key) => !/ingest/i.test(key))));
    });

    it('reads at most maxSpans events of a trace, the earliest, and the whole of a trace that has no more', async () => {
      // Sent in time order over two commits (a store may keep a live segment's rows in arrival order).
      const span = (n: number): EventRecord => spanEvent({ dataset: 'big-trace', traceId: 0x7aceen, spanId: BigInt(n), parentId: n === 1 ? null : 1n, timestampNs: BASE_NS + BigInt(n) * MS });
      store.enqueue([1, 2, 3, 4].map(span), 12n);
      await store.flush();
      store.enqueue([5, 6, 7].map(span), 13n);
      await store.flush();
      const ids = async (maxSpans?: number): Promise<unknown[]> => (await store.getTrace(0x7aceen, maxSpans === undefined ? {} : { maxSpans })).map((e) => e['trace.span_id']);
      assert.deepEqual(await ids(3), ['0000000000000001', '0000000000000002', '0000000000000003']);
      assert.deepEqual(await ids(5), ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004', '0000000000000005']);
      assert.deepEqual(await ids(7), ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004', '0000000000000005', '0000000000000006', '0000000000000007']);
      assert.equal((await ids()).length, 7);
    });
  });

  describe(`SpanStore conformance, disk budget: ${backend}`, () => {
    it('deletes the oldest data first beyond WAGGLE_MAX_DISK_BYTES, keeps the newest, and says so in the log', async () => {
      const lines: string[] = [];
      // A budget of one byte: everything but what is being written now is over it.
      const budgeted = await factory(makeDir(), { maxDiskBytes: 1, log: (line) => lines.push(line) });
      try {
        // Four batches a day apart (ClickHouse drops day partitions; DuckDB, in this suite, segments of 3 rows).
        for (let day = 0n; day < 4n; day++) {
          const at = BASE_NS + day * 86_400_000n * MS;
          budgeted.enqueue([1n, 2n, 3n].map((span) => spanEvent({ traceId: 500n + day, spanId: span, timestampNs: at + span * MS })), day + 1n);
          await budgeted.flush();
        }
        await budgeted.runLifecycle();
        const stats = budgeted.lifecycleStats();
        assert.deepEqual(stats.diskBudget.events, 9);
        assert.deepEqual(stats.diskBudget.segments, 3);
        assert.deepEqual(stats.retention.events, 0);
        assert.deepEqual(await Promise.all([500n, 501n, 502n, 503n].map(async (id) => (await budgeted.getTrace(id)).length)), [0, 0, 0, 3]);
        assert.equal(lines.filter((l) => l.startsWith('disk budget: ')).length, 1);
        // Writes go on after the deletion.
        budgeted.enqueue([spanEvent({ traceId: 504n, spanId: 1n, timestampNs: BASE_NS + 4n * 86_400_000n * MS })], 5n);
        await budgeted.flush();
        assert.equal((await budgeted.getTrace(504n)).length, 1);
      } finally {
        await budgeted.close();
      }
    });
  });
}

function formatId(id: bigint): string {
  return id.toString(16).padStart(32, '0');
}
