import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { expectedSampleRecords, hexId, layer, record } from '../../test/fixtures/otlp/expected-records-fixture.js';
import {
  concatParts,
  doubleField,
  fixed32Field,
  fixed64Field,
  hexBytes,
  lenField,
  requestWithSpans,
  spanBody,
  stringAttribute,
  stringField,
  tag,
  varint,
  varintField,
  type ProtoPart,
} from '../../test/fixtures/otlp/protobuf-bytes-fixture.js';
import { makeSampleSpans } from '../../test/fixtures/otlp/sample-spans-fixture.js';
import { BadRequestError } from '../core/errors.js';
import { decodeOtlpTraceJson } from './otlp-json-decoder.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { decodeOtlpTraceProtobuf } from './otlp-protobuf-decoder.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const START = 1_700_000_000_000_000_000n;

async function sampleProtobuf(): Promise<Uint8Array> {
  const bytes = ProtobufTraceSerializer.serializeRequest(await makeSampleSpans());
  assert.ok(bytes);
  return bytes;
}

/** KeyValue with an arbitrary AnyValue body. */
function attribute(key: string, ...anyValue: ProtoPart[]): Uint8Array {
  return concatParts(stringField(1, key), lenField(2, ...anyValue));
}

function decodeOneSpan(span: Uint8Array, resourceAttributes: Uint8Array[] = []) {
  return decodeOtlpTraceProtobuf(requestWithSpans([span], resourceAttributes), {});
}

function assertDecodeError(bytes: Uint8Array, message: RegExp | string): void {
  assert.throws(
    () => decodeOtlpTraceProtobuf(bytes, {}),
    (error: unknown) => {
      assert.ok(error instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(error)}`);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

describe('decodeOtlpTraceProtobuf on bytes from the OpenTelemetry serializer', () => {
  it('maps every span, span event and link field to the exact EventRecords', async () => {
    const batch = decodeOtlpTraceProtobuf(await sampleProtobuf(), {});
    assert.deepEqual(batch, {
      events: expectedSampleRecords(),
      acceptedSpans: 6,
      rejectedSpans: 0,
      rejectionMessage: '',
    });
  });

  it('gives the same records as the JSON decoder on the same spans serialized as OTLP/JSON', async () => {
    const spans = await makeSampleSpans();
    const protobuf = ProtobufTraceSerializer.serializeRequest(spans);
    const json = JsonTraceSerializer.serializeRequest(spans);
    assert.ok(protobuf && json);
    assert.deepEqual(decodeOtlpTraceJson(new TextDecoder().decode(json), {}), decodeOtlpTraceProtobuf(protobuf, {}));
  });

  it('shares one resource layer and one scope layer between the events of a resource', async () => {
    const { events } = decodeOtlpTraceProtobuf(await sampleProtobuf(), {});
    const checkoutEvents = events.filter((event) => event.serviceName === 'Checkout');
    assert.equal(checkoutEvents.length, 8);
    for (const event of checkoutEvents) {
      assert.equal(event.attributes[0], checkoutEvents[0]!.attributes[0]);
      assert.equal(event.attributes[1], checkoutEvents[0]!.attributes[1]);
    }
  });

  it('sends every event to the override dataset, its case kept, when one is given', async () => {
    const { events } = decodeOtlpTraceProtobuf(await sampleProtobuf(), { datasetOverride: 'Shop-Prod' });
    assert.deepEqual(new Set(events.map((event) => event.dataset)), new Set(['Shop-Prod']));
    assert.deepEqual(new Set(events.map((event) => event.serviceName)), new Set(['Checkout', 'unknown_service']));
  });

  it('decodes a Buffer that is a slice of a larger pooled ArrayBuffer', async () => {
    const bytes = await sampleProtobuf();
    const padded = Buffer.alloc(bytes.length + 20, 0xff);
    padded.set(bytes, 7);
    const batch = decodeOtlpTraceProtobuf(padded.subarray(7, 7 + bytes.length), {});
    assert.deepEqual(batch.events, expectedSampleRecords());
  });

  it('never throws anything but OtlpDecodeError on any truncation of a real message', async () => {
    const bytes = await sampleProtobuf();
    let decodedPrefixes = 0;
    for (let length = 0; length < bytes.length; length++) {
      try {
        const batch = decodeOtlpTraceProtobuf(bytes.subarray(0, length), {});
        assert.ok(batch.events.length <= 9);
        decodedPrefixes++;
      } catch (error) {
        assert.ok(error instanceof OtlpDecodeError, `at length ${length}: ${String(error)}`);
        assert.ok(error instanceof BadRequestError);
        assert.equal(error.code, 'bad_request');
      }
    }
    // Only the empty prefix and the end of the first ResourceSpans are whole messages.
    assert.equal(decodedPrefixes, 2);
  });
});

describe('decodeOtlpTraceProtobuf on hand-made messages', () => {
  it('accepts an empty request as a success with no events', () => {
    assert.deepEqual(decodeOtlpTraceProtobuf(new Uint8Array(0), {}), {
      events: [],
      acceptedSpans: 0,
      rejectedSpans: 0,
      rejectionMessage: '',
    });
  });

  it('skips unknown fields of every wire type at every level', () => {
    const unknown = concatParts(
      varintField(90, 300),
      fixed64Field(91, 12345n),
      lenField(92, [1, 2, 3]),
      fixed32Field(93, 7),
    );
    const bytes = concatParts(
      unknown,
      lenField(
        1,
        unknown,
        lenField(1, unknown, lenField(1, stringAttribute('service.name', 'svc'), unknown)),
        lenField(2, unknown, lenField(1, unknown, stringField(1, 'scope')), lenField(2, spanBody({ extra: [unknown] }))),
        stringField(3, 'https://opentelemetry.io/schemas/1.21.0'),
      ),
    );
    const batch = decodeOtlpTraceProtobuf(bytes, {});
    assert.deepEqual(batch.events, [
      record({
        dataset: 'svc',
        serviceName: 'svc',
        libraryName: 'scope',
        timestampNs: START,
        durationNs: 1_000_000n,
        traceId: hexId(TRACE),
        spanId: hexId(SPAN),
        name: 'span',
        attributes: [layer(), layer(), layer()],
      }),
    ]);
  });

  it('reads a resource that follows its scope spans', () => {
    const scopeSpans = lenField(2, lenField(1, stringField(1, 'scope')), lenField(2, spanBody({})));
    const resource = lenField(1, lenField(1, stringAttribute('service.name', 'late')));
    const batch = decodeOtlpTraceProtobuf(lenField(1, scopeSpans, resource), {});
    assert.equal(batch.events[0]!.serviceName, 'late');
  });

  it('maps attribute values of every kind, including int64 extremes and nested non-finite doubles', () => {
    const span = spanBody({
      extra: [
        lenField(9, attribute('min', varintField(3, -(2n ** 63n)))),
        lenField(9, attribute('max', varintField(3, 2n ** 63n - 1n))),
        lenField(9, attribute('safe', varintField(3, 2 ** 53 - 1))),
        lenField(9, attribute('unsafe', varintField(3, 2n ** 53n))),
        lenField(9, attribute('minus.one', varintField(3, -1))),
        lenField(9, attribute('off', varintField(2, 0))),
        lenField(9, attribute('nan', doubleField(4, NaN))),
        lenField(9, attribute('bytes', lenField(7, [0xde, 0xad, 0xbe, 0xef]))),
        lenField(9, attribute('empty.bytes', lenField(7))),
        lenField(9, attribute('empty.string', stringField(1, ''))),
        lenField(9, attribute('utf8', stringField(1, 'héllo wörld ✓ 𝄞'))),
        lenField(
          9,
          attribute(
            'mixed',
            lenField(
              5,
              lenField(1, doubleField(4, Infinity)),
              lenField(1, doubleField(4, -Infinity)),
              lenField(1, varintField(3, -(2n ** 63n))),
              lenField(1),
              lenField(1, lenField(6, lenField(1, stringField(1, 'k"ey'), lenField(2, stringField(1, 'v\n'))))),
            ),
          ),
        ),
        lenField(9, attribute('last.member.wins', stringField(1, 'first'), varintField(3, 7))),
        lenField(9, attribute('no.value')),
        lenField(9, concatParts(stringField(1, 'no.value.field'))),
      ],
    });
    const [event] = decodeOneSpan(span).events;
    assert.deepEqual(
      event!.attributes[2],
      layer(
        ['min', 'integer', -(2n ** 63n)],
        ['max', 'integer', 2n ** 63n - 1n],
        ['safe', 'integer', 2 ** 53 - 1],
        ['unsafe', 'integer', 2n ** 53n],
        ['minus.one', 'integer', -1],
        ['off', 'boolean', false],
        ['nan', 'float', NaN],
        ['bytes', 'string', '3q2+7w=='],
        ['empty.bytes', 'string', ''],
        ['empty.string', 'string', ''],
        ['utf8', 'string', 'héllo wörld ✓ 𝄞'],
        ['mixed', 'string', '["Infinity","-Infinity","-9223372036854775808",null,{"k\\"ey":"v\\n"}]'],
        ['last.member.wins', 'integer', 7],
      ),
    );
  });

  it('lifts service.name out of the resource layer, and falls back to unknown_service when it is not a string', () => {
    const span = spanBody({});
    const named = decodeOneSpan(span, [stringAttribute('host.name', 'h'), stringAttribute('service.name', 'API')]);
    assert.equal(named.events[0]!.serviceName, 'API');
    assert.equal(named.events[0]!.dataset, 'API');
    assert.deepEqual(named.events[0]!.attributes[0], layer(['host.name', 'string', 'h']));

    const numeric = decodeOneSpan(span, [attribute('service.name', varintField(3, 5))]);
    assert.equal(numeric.events[0]!.serviceName, 'unknown_service');
    assert.equal(numeric.events[0]!.dataset, 'unknown_service');
    assert.deepEqual(numeric.events[0]!.attributes[0], layer());
  });

  it('clamps a negative duration to zero, maps unknown kinds to unspecified and unknown status codes to unset', () => {
    const span = spanBody({
      extra: [fixed64Field(8, START - 5n), varintField(6, 9), lenField(15, varintField(3, 7), stringField(2, ''))],
    });
    const [event] = decodeOneSpan(span).events;
    assert.equal(event!.durationNs, 0n);
    assert.equal(event!.kind, 'unspecified');
    assert.equal(event!.statusCode, 'unset');
    assert.equal(event!.statusMessage, null);
  });

  it('treats an all-zero parent span id as a root span', () => {
    const [event] = decodeOneSpan(spanBody({ parentIdHex: '0000000000000000' })).events;
    assert.equal(event!.parentId, null);
  });

  it('keeps a link whose ids have unusual lengths, as lowercase hex of the bytes sent', () => {
    const span = spanBody({ extra: [lenField(13, lenField(1, hexBytes('ABCD')), lenField(2, hexBytes('')))] });
    const [, link] = decodeOneSpan(span).events;
    assert.deepEqual(link!.attributes[2], layer(['trace.link.trace_id', 'string', 'abcd'], ['trace.link.span_id', 'string', '']));
  });
});

describe('decodeOtlpTraceProtobuf partial rejection', () => {
  it('rejects spans with invalid ids and counts them, naming the first reason', () => {
    const good = (i: number) => spanBody({ spanIdHex: `00000000000000${(i + 1).toString(16).padStart(2, '0')}`, name: `ok ${i}` });
    const spans = [
      good(0),
      spanBody({ traceIdHex: '00000000000000000000000000000000', name: 'GET /x' }),
      good(1),
      spanBody({
        spanIdHex: '00000000000001',
        name: 'short id',
        extra: [lenField(11, fixed64Field(1, START), stringField(2, 'dropped event'))],
      }),
      ...Array.from({ length: 6 }, (_, i) => good(i + 2)),
    ];
    const batch = decodeOtlpTraceProtobuf(requestWithSpans(spans), {});
    assert.equal(batch.acceptedSpans, 8);
    assert.equal(batch.rejectedSpans, 2);
    assert.equal(batch.rejectionMessage, "rejected 2 of 10 spans: span 'GET /x' has an all-zero trace id");
    assert.equal(batch.events.length, 8);
    assert.deepEqual(
      batch.events.map((event) => event.name),
      ['ok 0', 'ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5', 'ok 6', 'ok 7'],
    );
  });

  it('names each kind of invalid id', () => {
    const cases: [Uint8Array, string][] = [
      [spanBody({ traceIdHex: 'aa' }), "rejected 1 of 1 span: span 'span' has a trace id of 1 byte (expected 16 bytes)"],
      [spanBody({ spanIdHex: '00000000000000' }), "rejected 1 of 1 span: span 'span' has a span id of 7 bytes (expected 8 bytes)"],
      [spanBody({ spanIdHex: '0000000000000000' }), "rejected 1 of 1 span: span 'span' has an all-zero span id"],
      [spanBody({ parentIdHex: '0102030405' }), "rejected 1 of 1 span: span 'span' has a parent span id of 5 bytes (expected none or 8 bytes)"],
      [concatParts(stringField(5, 'no ids')), "rejected 1 of 1 span: span 'no ids' has no trace id (expected 16 bytes)"],
    ];
    for (const [span, message] of cases) {
      const batch = decodeOneSpan(span);
      assert.deepEqual([batch.events, batch.acceptedSpans, batch.rejectedSpans, batch.rejectionMessage], [[], 0, 1, message]);
    }
  });
});

describe('decodeOtlpTraceProtobuf on malformed input', () => {
  it('refuses a declared length of 1 GB without allocating it', () => {
    const bytes = Uint8Array.from([0x0a, ...varint(2 ** 30), 1, 2, 3]);
    assertDecodeError(
      bytes,
      'invalid OTLP protobuf trace request: field 1 (resource_spans) of ExportTraceServiceRequest declares a length of 1073741824 bytes but only 3 are left in the enclosing message at byte offset 1',
    );
  });

  it('refuses a length larger than what is left of the enclosing message', () => {
    // The span's name claims 10 bytes while the span itself has 4 left.
    const span = concatParts(tag(5, 2), [10], [0x61, 0x62, 0x63]);
    assertDecodeError(requestWithSpans([span]), /^invalid OTLP protobuf trace request: field 5 \(name\) of Span declares a length of 10 bytes but only 3 are left in the enclosing message at byte offset \d+$/);
  });

  it('refuses a varint longer than 10 bytes, as a tag, as an unknown field and as an int value', () => {
    const eleven = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assertDecodeError(Uint8Array.from(eleven), 'invalid OTLP protobuf trace request: a varint is longer than 10 bytes at byte offset 0');
    assertDecodeError(concatParts(tag(99, 0), eleven), 'invalid OTLP protobuf trace request: a varint is longer than 10 bytes at byte offset 2');
    assertDecodeError(
      requestWithSpans([spanBody({ extra: [lenField(9, attribute('n', tag(3, 0), eleven))] })]),
      /^invalid OTLP protobuf trace request: a varint is longer than 10 bytes at byte offset \d+$/,
    );
  });

  it('refuses known fields with the wrong wire type', () => {
    assertDecodeError(
      requestWithSpans([spanBody({ extra: [varintField(5, 1)] })]),
      /^invalid OTLP protobuf trace request: field 5 \(name\) of Span has wire type 0 \(varint\), expected 2 \(length-delimited\) at byte offset \d+$/,
    );
    assertDecodeError(
      requestWithSpans([spanBody({ extra: [varintField(7, 1)] })]),
      /field 7 \(start_time_unix_nano\) of Span has wire type 0 \(varint\), expected 1 \(fixed64\)/,
    );
    assertDecodeError(varintField(1, 5), 'invalid OTLP protobuf trace request: field 1 (resource_spans) of ExportTraceServiceRequest has wire type 0 (varint), expected 2 (length-delimited) at byte offset 0');
  });

  it('refuses groups, invalid wire types, field number 0 and values cut short', () => {
    assertDecodeError(Uint8Array.from([...tag(7, 3), ...tag(7, 4)]), /field 7 uses groups \(wire type 3\), which OTLP never does at byte offset 0/);
    assertDecodeError(Uint8Array.from(tag(7, 6)), /field 7 has the invalid wire type 6 at byte offset 0/);
    assertDecodeError(Uint8Array.from([0x02, 0x00]), /field number 0 is not allowed at byte offset 0/);
    assertDecodeError(Uint8Array.from([...tag(9, 1), 1, 2, 3]), /the message ends inside field 9 at byte offset 1/);
    assertDecodeError(Uint8Array.from([...tag(9, 5), 1]), /the message ends inside field 9 at byte offset 1/);
    assertDecodeError(Uint8Array.from([0x80]), /the message ends inside a varint at byte offset 0/);
    assertDecodeError(
      requestWithSpans([concatParts(tag(7, 1), [1, 2, 3])]),
      /the message ends inside field 7 \(start_time_unix_nano\) of Span/,
    );
  });

  it('refuses AnyValues nested deeper than the limit, even 10 000 levels deep', () => {
    // Built inside out with one final copy: nesting by repeated concatenation is quadratic.
    const nested = (levels: number): Uint8Array => {
      const core = stringField(1, 'bottom');
      const headers: number[][] = [];
      let length = core.length;
      for (let i = 1; i < levels; i++) {
        const arrayValue = [...tag(1, 2), ...varint(length)];
        length += arrayValue.length;
        const anyValue = [...tag(5, 2), ...varint(length)];
        length += anyValue.length;
        headers.push(anyValue.concat(arrayValue));
      }
      const value = concatParts(...headers.reverse(), core);
      return requestWithSpans([spanBody({ extra: [lenField(9, attribute('deep', value))] })]);
    };
    const atLimit = decodeOtlpTraceProtobuf(nested(32), {});
    assert.equal(atLimit.events[0]!.attributes[2]!.values[0], `${'['.repeat(31)}"bottom"${']'.repeat(31)}`);
    assertDecodeError(nested(33), /an AnyValue is nested deeper than the limit of 32 levels at byte offset \d+/);
    assertDecodeError(nested(10_000), /an AnyValue is nested deeper than the limit of 32 levels/);
    assert.throws(() => decodeOtlpTraceProtobuf(nested(5), { maxAnyValueDepth: 4 }), OtlpDecodeError);
    assert.equal(decodeOtlpTraceProtobuf(nested(4), { maxAnyValueDepth: 4 }).acceptedSpans, 1);
  });

  it('refuses nesting through key-value lists as well as arrays', () => {
    let value = stringField(1, 'bottom');
    for (let i = 1; i < 40; i++) value = lenField(6, lenField(1, stringField(1, 'k'), lenField(2, value)));
    assertDecodeError(requestWithSpans([spanBody({ extra: [lenField(9, attribute('deep', value))] })]), /nested deeper than the limit of 32 levels/);
  });
});
