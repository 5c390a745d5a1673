import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError } from '../core/errors.js';
import type { AttributeList } from '../core/attribute-value.js';
import type { EventRecord } from '../core/event-record.js';
import { decodeHoneycombBatch, decodeHoneycombEvent } from './honeycomb-event-decoder.js';

const RECEIVED = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z

function attrs(record: EventRecord): Array<[string, string, unknown]> {
  assert.equal(record.attributes.length, 1);
  const list = record.attributes[0] as AttributeList;
  return list.keys.map((key, i) => [key, list.kinds[i]!, list.values[i]]);
}

function single(data: unknown, extra: { eventTime?: string; sampleRate?: string } = {}): EventRecord {
  return decodeHoneycombEvent(data, { dataset: 'My-Dataset', receivedAtNs: RECEIVED, ...extra });
}

describe('decodeHoneycombEvent', () => {
  it('lifts well-formed known keys into core fields and keeps the rest as typed attributes', () => {
    const record = single({
      'trace.trace_id': '0AF7651916CD43DD8448EB211C80319C',
      'trace.span_id': 'b7ad6b7169203331',
      'trace.parent_id': '00f067aa0ba902b7',
      name: 'GET /cart',
      'service.name': 'shop',
      duration_ms: 12.3456789,
      'span.kind': 'SERVER',
      status_code: 'error',
      status_message: 'boom',
      'library.name': 'beeline',
      'library.version': '3.0.0',
      'meta.annotation_type': 'span_event',
      'user.id': 'u-42',
      'cart.items': 3,
      'order.total': 19.5,
      cached: false,
      tags: ['a', 'b'],
      nested: { deep: { x: 1 } },
      skipped: null,
    });
    assert.deepEqual(
      { ...record, attributes: undefined },
      {
        dataset: 'My-Dataset',
        timestampNs: RECEIVED,
        durationNs: 12_345_679n,
        traceId: 0x0af7651916cd43dd8448eb211c80319cn,
        spanId: 0xb7ad6b7169203331n,
        parentId: 0x00f067aa0ba902b7n,
        name: 'GET /cart',
        serviceName: 'shop',
        kind: 'server',
        statusCode: 'error',
        statusMessage: 'boom',
        libraryName: 'beeline',
        libraryVersion: '3.0.0',
        annotationType: 'span_event',
        sampleRate: 1,
        attributes: undefined,
      },
    );
    assert.deepEqual(attrs(record), [
      ['user.id', 'string', 'u-42'],
      ['cart.items', 'integer', 3],
      ['order.total', 'float', 19.5],
      ['cached', 'boolean', false],
      ['tags', 'string', '["a","b"]'],
      ['nested', 'string', '{"deep":{"x":1}}'],
    ]);
  });

  it('reads a UUID trace id as its 32 hex digits', () => {
    const record = single({ 'trace.trace_id': '0af76519-16cd-43dd-8448-eb211c80319c' });
    assert.equal(record.traceId, 0x0af7651916cd43dd8448eb211c80319cn);
    assert.deepEqual(attrs(record), []);
  });

  it('keeps ill-formed known keys as ordinary attributes', () => {
    const record = single({
      'trace.trace_id': 'not-a-trace-id',
      'trace.span_id': '00000000000000000000000000000001',
      'trace.parent_id': 42,
      name: '',
      'service.name': 7,
      duration_ms: '12',
      'span.kind': 'sideways',
      status_code: 404,
      status_message: { text: 'x' },
      'meta.annotation_type': 'marker',
      error: 'TimeoutError',
    });
    assert.equal(record.traceId, null);
    assert.equal(record.spanId, null);
    assert.equal(record.parentId, null);
    assert.equal(record.name, null);
    assert.equal(record.serviceName, null);
    assert.equal(record.durationNs, null);
    assert.equal(record.kind, null);
    assert.equal(record.statusCode, null);
    assert.equal(record.statusMessage, null);
    assert.equal(record.annotationType, null);
    assert.deepEqual(attrs(record), [
      ['trace.trace_id', 'string', 'not-a-trace-id'],
      ['trace.span_id', 'string', '00000000000000000000000000000001'],
      ['trace.parent_id', 'integer', 42],
      ['name', 'string', ''],
      ['service.name', 'integer', 7],
      ['duration_ms', 'string', '12'],
      ['span.kind', 'string', 'sideways'],
      ['status_code', 'integer', 404],
      ['status_message', 'string', '{"text":"x"}'],
      ['meta.annotation_type', 'string', 'marker'],
      ['error', 'string', 'TimeoutError'],
    ]);
  });

  it('rejects an all-zero trace id as a core field', () => {
    const record = single({ 'trace.trace_id': '00000000000000000000000000000000' });
    assert.equal(record.traceId, null);
    assert.deepEqual(attrs(record), [['trace.trace_id', 'string', '00000000000000000000000000000000']]);
  });

  it('keeps a negative duration as an attribute', () => {
    const record = single({ duration_ms: -1 });
    assert.equal(record.durationNs, null);
    assert.deepEqual(attrs(record), [['duration_ms', 'integer', -1]]);
  });

  it('turns error=true into an error status unless status_code says otherwise', () => {
    assert.equal(single({ error: true }).statusCode, 'error');
    assert.deepEqual(attrs(single({ error: true })), []);
    assert.equal(single({ error: false }).statusCode, null);
    assert.equal(single({ error: true, status_code: 'ok' }).statusCode, 'ok');
    assert.equal(single({ status_code: 'ok', error: true }).statusCode, 'ok');
  });

  it('accepts OTLP status codes as integers', () => {
    assert.equal(single({ status_code: 0 }).statusCode, 'unset');
    assert.equal(single({ status_code: 1 }).statusCode, 'ok');
    assert.equal(single({ status_code: 2 }).statusCode, 'error');
  });

  it('prefers service.name over service_name, in either key order', () => {
    const a = single({ service_name: 'old', 'service.name': 'new' });
    assert.equal(a.serviceName, 'new');
    assert.deepEqual(attrs(a), [['service_name', 'string', 'old']]);
    const b = single({ 'service.name': 'new', service_name: 'old' });
    assert.equal(b.serviceName, 'new');
    assert.equal(single({ service_name: 'only' }).serviceName, 'only');
  });

  it('uses service_name when service.name is ill-formed, whatever the key order', () => {
    const record = single({ service_name: 'legacy', 'service.name': 5 });
    assert.equal(record.serviceName, 'legacy');
    assert.deepEqual(attrs(record), [['service.name', 'integer', 5]]);
  });

  it('rounds duration_ms to whole nanoseconds', () => {
    assert.equal(single({ duration_ms: 0.0000004 }).durationNs, 0n);
    assert.equal(single({ duration_ms: 0.0000006 }).durationNs, 1n);
    assert.equal(single({ duration_ms: 1500 }).durationNs, 1_500_000_000n);
  });

  it('types numbers: safe integers, large integers as bigint, others as float', () => {
    const record = single({ a: 5, b: 2 ** 60, c: 1e300, d: -0.25 });
    assert.deepEqual(attrs(record), [
      ['a', 'integer', 5],
      ['b', 'integer', 2n ** 60n],
      ['c', 'float', 1e300],
      ['d', 'float', -0.25],
    ]);
  });

  it('narrows msgpack bigints: safe ones to numbers, int64 as bigint, beyond int64 as text', () => {
    const record = single({ a: 7n, b: 2n ** 62n, c: 2n ** 64n - 1n });
    assert.deepEqual(attrs(record), [
      ['a', 'integer', 7],
      ['b', 'integer', 2n ** 62n],
      ['c', 'string', '18446744073709551615'],
    ]);
  });

  it('stores msgpack dates as RFC 3339 text and bytes as base64', () => {
    const record = single({ when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), raw: new Uint8Array([1, 2, 255]) });
    assert.deepEqual(attrs(record), [
      ['when', 'string', '2024-01-02T03:04:05.006Z'],
      ['raw', 'string', 'AQL/'],
    ]);
  });

  it('stores prototype-named keys as ordinary attributes without touching any prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "prototype": 1}') as unknown;
    const record = single(data);
    assert.deepEqual(attrs(record), [
      ['__proto__', 'string', '{"polluted":true}'],
      ['constructor', 'string', 'c'],
      ['prototype', 'integer', 1],
    ]);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
  });

  it('keeps the case of the dataset and refuses a name that cannot name one', () => {
    assert.equal(decodeHoneycombEvent({}, { dataset: 'My Dataset', receivedAtNs: RECEIVED }).dataset, 'My Dataset');
    assert.throws(() => decodeHoneycombEvent({}, { dataset: ' ', receivedAtNs: RECEIVED }), { name: 'BadRequestError', message: 'dataset name must not be empty' });
    assert.throws(() => decodeHoneycombEvent({}, { dataset: 'a\u0000', receivedAtNs: RECEIVED }), { name: 'BadRequestError', message: 'dataset name must not contain control characters (found U+0000)' });
    assert.throws(() => decodeHoneycombEvent({}, { dataset: '__all__', receivedAtNs: RECEIVED }), { name: 'BadRequestError', message: "'__all__' is reserved: it means every dataset" });
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'text', 5, [{ a: 1 }]]) {
      assert.throws(() => single(body), { name: 'BadRequestError', message: 'event data must be a JSON object' });
    }
  });

  it('reads the event time header as RFC 3339 or Unix seconds', () => {
    assert.equal(single({}, { eventTime: '2023-11-14T22:00:00.123456789Z' }).timestampNs, 1_699_999_200_123_456_789n);
    assert.equal(single({}, { eventTime: '2023-11-14T23:00:00+01:00' }).timestampNs, 1_699_999_200_000_000_000n);
    assert.equal(single({}, { eventTime: '1699999200' }).timestampNs, 1_699_999_200_000_000_000n);
    assert.equal(single({}, { eventTime: '1699999200.5' }).timestampNs, 1_699_999_200_500_000_000n);
  });

  it('uses the receive time for a missing or far-future event time', () => {
    assert.equal(single({}).timestampNs, RECEIVED);
    assert.equal(single({}, { eventTime: '' }).timestampNs, RECEIVED);
    assert.equal(single({}, { eventTime: String(1_700_000_000 + 3601) }).timestampNs, RECEIVED);
    assert.equal(single({}, { eventTime: String(1_700_000_000 + 3599) }).timestampNs, RECEIVED + 3_599_000_000_000n);
  });

  it('refuses an event time that is not a time instead of replacing it', () => {
    assert.throws(() => single({}, { eventTime: 'yesterday' }), {
      name: 'BadRequestError',
      message: 'time "yesterday" is not a time: send RFC 3339 text or a Unix time in seconds or milliseconds (a number or a string)',
    });
    assert.throws(() => single({}, { eventTime: '2023-02-30T00:00:00Z' }), BadRequestError);
    assert.throws(() => single({}, { eventTime: '-5' }), { message: 'time "-5" is before 1970; times before the Unix epoch are not accepted' });
  });

  it('reads Unix milliseconds, told from seconds by magnitude, with fractions, as text or numbers', () => {
    const batch = decodeHoneycombBatch(
      [
        { data: {}, time: 1_452_759_330_927 },
        { data: {}, time: '1452759330927' },
        { data: {}, time: 1_452_759_330_927.5 },
        { data: {}, time: '1452759330.927' },
        { data: {}, time: '2016-01-14T08:15:30.927123456789-00:00' },
        { data: {}, time: '2016-01-14 09:15:30.9+01:00' },
      ],
      { dataset: 'ds', receivedAtNs: RECEIVED },
    );
    assert.deepEqual(
      batch.events.map((e) => e.timestampNs),
      [
        1_452_759_330_927_000_000n,
        1_452_759_330_927_000_000n,
        1_452_759_330_927_500_000n,
        1_452_759_330_927_000_000n,
        1_452_759_330_927_123_456n,
        1_452_759_330_900_000_000n,
      ],
    );
  });

  it('reads the sample rate header as a positive integer, defaulting to 1', () => {
    assert.equal(single({}, { sampleRate: '10' }).sampleRate, 10);
    assert.equal(single({}, { sampleRate: '2.9' }).sampleRate, 2);
    for (const bad of ['0', '-3', 'abc', '', '0.5']) assert.equal(single({}, { sampleRate: bad }).sampleRate, 1);
  });

  it('refuses an event with more than 2000 fields and accepts exactly 2000', () => {
    const fields = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    assert.equal(attrs(single(fields(2000))).length, 2000);
    assert.throws(() => single(fields(2001)), {
      name: 'BadRequestError',
      message: 'event has 2001 fields; at most 2000 are accepted',
    });
  });

  it('refuses a string over 64 KB counted in UTF-8 bytes, including lifted fields and keys', () => {
    assert.equal(attrs(single({ s: 'a'.repeat(65536) }))[0]![2], 'a'.repeat(65536));
    assert.throws(() => single({ s: 'a'.repeat(65537) }), {
      message: 'value of field "s" is 65537 bytes; at most 65536 bytes are accepted',
    });
    assert.throws(() => single({ s: 'é'.repeat(32769) }), { message: 'value of field "s" is 65538 bytes; at most 65536 bytes are accepted' });
    assert.throws(() => single({ name: 'n'.repeat(70000) }), BadRequestError);
    assert.throws(() => single({ obj: { s: 'x'.repeat(65536) } }), BadRequestError);
    assert.throws(() => single({ ['k'.repeat(65537)]: 1 }), BadRequestError);
  });

  it('refuses absurdly nested values instead of crashing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    assert.throws(() => single({ deep }), { name: 'BadRequestError', message: 'value of field "deep" is nested too deeply' });
  });
});

describe('decodeHoneycombBatch', () => {
  const meta = { dataset: 'Shop', receivedAtNs: RECEIVED };

  it('answers one status per item in order and keeps the good items', () => {
    const result = decodeHoneycombBatch(
      [
        { data: { a: 1 }, time: '2023-11-14T22:00:00Z', samplerate: 5 },
        { data: 'nope' },
        { time: '2023-11-14T22:00:00Z' },
        7,
        { data: { b: true } },
      ],
      meta,
    );
    assert.deepEqual(result.statuses, [
      { status: 202 },
      { status: 400, error: 'event data must be a JSON object' },
      { status: 400, error: 'event data must be a JSON object' },
      { status: 400, error: 'batch item must be an object {data, time?, samplerate?}' },
      { status: 202 },
    ]);
    assert.equal(result.events.length, 2);
    assert.equal(result.events[0]!.dataset, 'Shop');
    assert.equal(result.events[0]!.timestampNs, 1_699_999_200_000_000_000n);
    assert.equal(result.events[0]!.sampleRate, 5);
    assert.deepEqual(attrs(result.events[0]!), [['a', 'integer', 1]]);
    assert.equal(result.events[1]!.timestampNs, RECEIVED);
    assert.equal(result.events[1]!.sampleRate, 1);
  });

  it('accepts item times as Unix seconds numbers and dates', () => {
    const result = decodeHoneycombBatch(
      [
        { data: {}, time: 1_699_999_200.25 },
        { data: {}, time: new Date(1_699_999_200_000) },
      ],
      meta,
    );
    assert.deepEqual(
      result.events.map((e) => e.timestampNs),
      [1_699_999_200_250_000_000n, 1_699_999_200_000_000_000n],
    );
  });

  it('refuses one oversized item without spoiling its neighbours', () => {
    const result = decodeHoneycombBatch([{ data: { ok: 1 } }, { data: { s: 'x'.repeat(70_000) } }, { data: { ok: 2 } }], meta);
    assert.deepEqual(
      result.statuses.map((s) => s.status),
      [202, 400, 202],
    );
    assert.equal(result.statuses[1]!.error, 'value of field "s" is 70000 bytes; at most 65536 bytes are accepted');
    assert.equal(result.events.length, 2);
  });

  it('treats a prototype-named item key as absent rather than inherited', () => {
    const items = JSON.parse('[{"__proto__": {"data": {"x": 1}}}]') as unknown;
    const result = decodeHoneycombBatch(items, meta);
    assert.deepEqual(result.statuses, [{ status: 400, error: 'event data must be a JSON object' }]);
  });

  it('refuses a body that is not an array', () => {
    assert.throws(() => decodeHoneycombBatch({ data: {} }, meta), BadRequestError);
  });

  it('accepts an empty batch', () => {
    assert.deepEqual(decodeHoneycombBatch([], meta), { events: [], statuses: [] });
  });
});
