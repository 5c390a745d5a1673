import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshChdbLocation, openChdbStore } from '../../../test/support/chdb-test-store.js';
import { attributeLayer, eventRecord } from '../../../test/support/event-record-fixture.js';
import { RowBinaryBuffer } from './clickhouse-row-encoder.js';

const BASE_NS = 1_763_770_000_000_000_000n;
/** Bytes 0x0A 0x0A in its binary form: chdb's native insert would end the data there (why the rows go through a file). */
const NEWLINE_TRACE_ID = 0x0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0an;

describe('ClickHouse RowBinary encoding', () => {
  it('writes LEB128 string lengths, little-endian numbers and null flags', () => {
    const out = new RowBinaryBuffer(4);
    out.string('ab');
    out.string('é');
    out.string('x'.repeat(200));
    out.nullableString(null);
    out.int64FromNumber(-2);
    out.uint128(0x0102n | (0x03n << 64n));
    out.uint32(2 ** 32 + 5);
    const bytes = out.bytes();
    assert.deepEqual([...bytes.subarray(0, 6)], [2, 0x61, 0x62, 2, 0xc3, 0xa9]);
    assert.deepEqual([...bytes.subarray(6, 8)], [0xc8, 0x01]);
    assert.equal(bytes.subarray(8, 208).toString('latin1'), 'x'.repeat(200));
    assert.deepEqual([...bytes.subarray(208, 209)], [1]);
    assert.deepEqual([...bytes.subarray(209, 217)], [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...bytes.subarray(217, 233)], [2, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...bytes.subarray(233, 237)], [5, 0, 0, 0]);
    assert.equal(bytes.length, 237);
  });

  it('stores every kind of value at the edges of the encoding exactly as sent', async () => {
    const store = await openChdbStore(freshChdbLocation());
    try {
      const text = {
        ascii127: 'a'.repeat(127),
        ascii128: 'b'.repeat(128),
        accented42: 'é'.repeat(42),
        accented43: 'ü'.repeat(43),
        emoji: '🐝 waggle',
        long: 'z'.repeat(70_000),
        controls: 'line\n\nbreak\ttab\u0000nul\\back',
      };
      store.enqueue(
        [
          eventRecord({
            dataset: 'api',
            timestampNs: BASE_NS,
            durationNs: null,
            traceId: NEWLINE_TRACE_ID,
            spanId: 0xffff_ffff_ffff_ffffn,
            parentId: 0x0a0an,
            name: '\n\n',
            statusMessage: 'ünïcødé',
            libraryName: null,
            sampleRate: 7,
            attributes: [
              attributeLayer([
                ...Object.entries(text).map(([key, value]) => [key, 'string', value] as const),
                ['negative', 'integer', -4_294_967_296],
                ['minSafe', 'integer', Number.MIN_SAFE_INTEGER],
                ['int64Min', 'integer', -(2n ** 63n)],
                ['int64Max', 'integer', 2n ** 63n - 1n],
                ['float', 'float', -0.5],
                ['large', 'float', 1e300],
                ['yes', 'boolean', true],
                ['no', 'boolean', false],
              ]),
            ],
          }),
        ],
        1n,
      );
      await store.flush();
      const [event, ...rest] = await store.getTrace(NEWLINE_TRACE_ID);
      assert.equal(rest.length, 0);
      assert.deepEqual(event, {
        timestamp: '2025-11-22T00:06:40.000000000Z',
        'trace.trace_id': '0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a',
        'trace.span_id': 'ffffffffffffffff',
        'trace.parent_id': '0000000000000a0a',
        name: '\n\n',
        'service.name': 'test',
        'span.kind': 'server',
        status_code: 'unset',
        error: false,
        status_message: 'ünïcødé',
        'meta.sample_rate': 7,
        ...text,
        negative: -4_294_967_296,
        minSafe: Number.MIN_SAFE_INTEGER,
        int64Min: '-9223372036854775808',
        int64Max: '9223372036854775807',
        float: -0.5,
        large: 1e300,
        yes: true,
        no: false,
      });
    } finally {
      await store.close();
    }
  });
});
