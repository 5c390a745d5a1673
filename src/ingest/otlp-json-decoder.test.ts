import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { expectedSampleRecords, hexId, layer, record } from '../../test/fixtures/otlp/expected-records-fixture.js';
import { makeSampleSpans } from '../../test/fixtures/otlp/sample-spans-fixture.js';
import type { DecodedBatch } from '../core/event-record.js';
import { decodeOtlpTraceJson } from './otlp-json-decoder.js';
import type { OtlpDecodeOptions } from './otlp-event-mapping.js';
import { OtlpDecodeError } from './otlp-decode-error.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = '0102030405060708';

type Json = Record<string, unknown>;

function request(spans: Json[], resourceAttributes: Json[] = [{ key: 'service.name', value: { stringValue: 'svc' } }]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'lib', version: '1.0' }, spans }] }],
  });
}

function span(fields: Json = {}): Json {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: 'span',
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000000002000',
    ...fields,
  };
}

function attributesOf(anyValues: Record<string, unknown>): Json[] {
  return Object.entries(anyValues).map(([key, value]) => ({ key, value }));
}

const BASE = {
  dataset: 'svc',
  serviceName: 'svc',
  libraryName: 'lib',
  libraryVersion: '1.0',
  timestampNs: 1_700_000_000_000_000_000n,
  durationNs: 2_000n,
  traceId: hexId(TRACE),
  spanId: hexId(SPAN),
  name: 'span',
  kind: 'server',
} as const;

/**
 * Every case runs twice: on the body parsed whole (how bodies under 1 MiB are read) and outlined
 * (how larger ones are read, a slice at a time); both must decode alike.
 */
const MODES = { 'parsed whole': undefined, outlined: 0 } as const;

for (const [mode, outlineFromBytes] of Object.entries(MODES)) {
  const decode = (text: string, options: OtlpDecodeOptions): DecodedBatch => decodeOtlpTraceJson(text, options, outlineFromBytes);

  function assertDecodeError(text: string, message: RegExp | string): void {
    assert.throws(
      () => decode(text, {}),
      (error: unknown) => {
        assert.ok(error instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(error)}`);
        assert.equal(error.code, 'bad_request');
        if (typeof message === 'string') assert.equal(error.message, message);
        else assert.match(error.message, message);
        return true;
      },
    );
  }

  describe(`decodeOtlpTraceJson (${mode}) on the OpenTelemetry JSON serializer`, () => {
    it('maps every span, span event and link field to the exact EventRecords', async () => {
      const json = JsonTraceSerializer.serializeRequest(await makeSampleSpans());
      assert.ok(json);
      assert.deepEqual(decode(new TextDecoder().decode(json), {}), {
        events: expectedSampleRecords(),
        acceptedSpans: 6,
        rejectedSpans: 0,
        rejectionMessage: '',
      });
    });
  });

  describe(`decodeOtlpTraceJson (${mode}) on the variants OTLP/JSON allows`, () => {
    it('accepts an empty request, with or without resourceSpans', () => {
      const empty = { events: [], acceptedSpans: 0, rejectedSpans: 0, rejectionMessage: '' };
      assert.deepEqual(decode('{}', {}), empty);
      assert.deepEqual(decode('{"resourceSpans":[]}', {}), empty);
      assert.deepEqual(decode('{"resourceSpans":null}', {}), empty);
    });

    it('reads ids in any case, int64 as strings or numbers, enums as names and ignores unknown fields', () => {
      const text = JSON.stringify({
        unknownTop: { nested: [1, 2] },
        resourceSpans: [
          {
            futureField: true,
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'Svc' } }], droppedAttributesCount: 0, entityRefs: [] },
            scopeSpans: [
              {
                scope: { name: 'lib', version: '1.0', attributes: [{ key: 'scope.attr', value: { intValue: '3' } }] },
                schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
                spans: [
                  {
                    traceId: TRACE.toUpperCase(),
                    spanId: 'EEE19b7EC3C1B174',
                    parentSpanId: PARENT,
                    traceState: 'k=v',
                    name: 'span',
                    kind: 'SPAN_KIND_SERVER',
                    startTimeUnixNano: 1_700_000_000_000_000_000,
                    endTimeUnixNano: '1700000000000002000',
                    attributes: attributesOf({
                      'as.string': { intValue: '-9223372036854775808' },
                      'as.number': { intValue: 42 },
                      'as.big.string': { intValue: '9007199254740993' },
                      'double.word': { doubleValue: 'NaN' },
                      'double.string': { doubleValue: '2.5' },
                      'bytes.url.safe': { bytesValue: '-_8' },
                      'no.value': {},
                      'null.value': null,
                      'unknown.member': { futureValue: 1 },
                      'null.member': { stringValue: null, boolValue: false },
                    }),
                    flags: 257,
                    status: { code: 'STATUS_CODE_ERROR', message: 'boom', extra: 1 },
                    events: [{ timeUnixNano: '1700000000000001000', name: 'e', attributes: [], extra: 'x' }],
                    links: [{ traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'ABCDEF0123456789', attributes: [] }],
                  },
                ],
              },
            ],
          },
        ],
      });
      const batch = decode(text, {});
      const scope = layer(['scope.attr', 'integer', 3]);
      const resource = layer();
      assert.deepEqual(batch, {
        events: [
          record({
            ...BASE,
            dataset: 'Svc',
            serviceName: 'Svc',
            parentId: hexId(PARENT),
            statusCode: 'error',
            statusMessage: 'boom',
            attributes: [
              resource,
              scope,
              layer(
                ['as.string', 'integer', -(2n ** 63n)],
                ['as.number', 'integer', 42],
                ['as.big.string', 'integer', 9007199254740993n],
                ['double.word', 'float', NaN],
                ['double.string', 'float', 2.5],
                ['bytes.url.safe', 'string', '+/8='],
                ['null.member', 'boolean', false],
                ['trace.trace_state', 'string', 'k=v'],
              ),
            ],
          }),
          record({
            ...BASE,
            dataset: 'Svc',
            serviceName: 'Svc',
            annotationType: 'span_event',
            timestampNs: 1_700_000_000_000_001_000n,
            durationNs: 0n,
            spanId: null,
            parentId: hexId(SPAN),
            name: 'e',
            kind: null,
            statusCode: null,
            attributes: [resource, scope, layer()],
          }),
          record({
            ...BASE,
            dataset: 'Svc',
            serviceName: 'Svc',
            annotationType: 'link',
            durationNs: 0n,
            spanId: null,
            parentId: hexId(SPAN),
            name: null,
            kind: null,
            statusCode: null,
            attributes: [
              resource,
              scope,
              layer(['trace.link.trace_id', 'string', 'abcdef0123456789abcdef0123456789'], ['trace.link.span_id', 'string', 'abcdef0123456789']),
            ],
          }),
        ],
        acceptedSpans: 1,
        rejectedSpans: 0,
        rejectionMessage: '',
      });
    });

    it('reads every int64 field written as a JSON number beyond 2^53 exactly, in either spelling', () => {
      const text =
        `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","startTimeUnixNano":1700000000123456789,` +
        `"end_time_unix_nano" :\n 1700000000223456789 ,"events":[{"time_unix_nano":1700000000123456999,"name":"e"}],"attributes":[` +
        `{"key":"a","value":{"intValue":9007199254740993}},{"key":"b","value":{"int_value":-9223372036854775808}},` +
        `{"key":"c","value":{"doubleValue":12345678901234567890}},{"key":"s","value":{"stringValue":"\\"intValue\\":12345678901234567890"}}]}]}]}]}`;
      const batch = decode(text, {});
      const [spanRecord, event] = batch.events;
      assert.equal(spanRecord!.timestampNs, 1_700_000_000_123_456_789n);
      assert.equal(spanRecord!.durationNs, 100_000_000n);
      assert.equal(event!.timestampNs, 1_700_000_000_123_456_999n);
      assert.deepEqual(spanRecord!.attributes.at(-1)!.values, [9007199254740993n, -9223372036854775808n, 12345678901234567890, '"intValue":12345678901234567890']);
    });

    it('reads the snake_case field names of the proto as well', () => {
      const text = JSON.stringify({
        resource_spans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { string_value: 'svc' } }] },
            scope_spans: [
              {
                scope: { name: 'lib', version: '1.0' },
                spans: [
                  {
                    trace_id: TRACE,
                    span_id: SPAN,
                    parent_span_id: PARENT,
                    trace_state: 'a=b',
                    name: 'span',
                    kind: 2,
                    start_time_unix_nano: '1700000000000000000',
                    end_time_unix_nano: '1700000000000002000',
                    attributes: attributesOf({
                      s: { string_value: 'x' },
                      b: { bool_value: true },
                      i: { int_value: '7' },
                      d: { double_value: 1.5 },
                      a: { array_value: { values: [{ int_value: 1 }, { bytes_value: 'aGk=' }] } },
                      k: { kvlist_value: { values: [{ key: 'x', value: { double_value: 0.5 } }] } },
                      y: { bytes_value: 'aGk=' },
                    }),
                    status: { code: 2, message: 'bad' },
                    events: [{ time_unix_nano: '1700000000000000500', name: 'ev' }],
                    links: [{ trace_id: TRACE, span_id: PARENT }],
                  },
                ],
              },
            ],
          },
        ],
      });
      const batch = decode(text, {});
      assert.equal(batch.events.length, 3);
      assert.deepEqual(batch.events[0], record({
        ...BASE,
        parentId: hexId(PARENT),
        statusCode: 'error',
        statusMessage: 'bad',
        attributes: [
          layer(),
          layer(),
          layer(
            ['s', 'string', 'x'],
            ['b', 'boolean', true],
            ['i', 'integer', 7],
            ['d', 'float', 1.5],
            ['a', 'string', '[1,"aGk="]'],
            ['k', 'string', '{"x":0.5}'],
            ['y', 'string', 'aGk='],
            ['trace.trace_state', 'string', 'a=b'],
          ),
        ],
      }));
      assert.equal(batch.events[1]!.timestampNs, 1_700_000_000_000_000_500n);
      assert.deepEqual(batch.events[2]!.attributes[2], layer(['trace.link.trace_id', 'string', TRACE], ['trace.link.span_id', 'string', PARENT]));
    });

    it('maps enum numbers and names, unknown ones to the default', () => {
      const kinds: [unknown, string][] = [
        [0, 'unspecified'],
        [1, 'internal'],
        ['SPAN_KIND_CLIENT', 'client'],
        ['SPAN_KIND_PRODUCER', 'producer'],
        [5, 'consumer'],
        [17, 'unspecified'],
        ['SPAN_KIND_FUTURE', 'unspecified'],
        [null, 'unspecified'],
      ];
      for (const [kind, expected] of kinds) {
        const [event] = decode(request([span({ kind })]), {}).events;
        assert.equal(event!.kind, expected, `kind ${String(kind)}`);
      }
      const statuses: [unknown, string][] = [
        ['STATUS_CODE_OK', 'ok'],
        [2, 'error'],
        ['STATUS_CODE_UNSET', 'unset'],
        [9, 'unset'],
      ];
      for (const [code, expected] of statuses) {
        const [event] = decode(request([span({ status: { code } })]), {}).events;
        assert.equal(event!.statusCode, expected, `status ${String(code)}`);
      }
    });

    it('falls back to unknown_service without a service.name and honours a dataset override', () => {
      const [withoutName] = decode(request([span()], []), {}).events;
      assert.equal(withoutName!.serviceName, 'unknown_service');
      assert.equal(withoutName!.dataset, 'unknown_service');
      const [overridden] = decode(request([span()]), { datasetOverride: 'Team-A' }).events;
      assert.equal(overridden!.dataset, 'Team-A');
      assert.equal(overridden!.serviceName, 'svc');
    });

    it('clamps an end before the start to a zero duration and treats an all-zero parent as a root', () => {
      const [event] = decode(request([span({ endTimeUnixNano: '1', parentSpanId: '0000000000000000' })]), {}).events;
      assert.equal(event!.durationNs, 0n);
      assert.equal(event!.parentId, null);
    });
  });

  describe(`decodeOtlpTraceJson (${mode}) partial rejection`, () => {
    it('rejects spans with invalid ids, drops their events and links, and counts them', () => {
      const spans = [
        span({ name: 'ok 1' }),
        span({ name: 'GET /x', traceId: '00000000000000000000000000000000', events: [{ name: 'dropped' }] }),
        span({ name: 'seven', spanId: '00000000000001', links: [{ traceId: TRACE, spanId: SPAN }] }),
        span({ name: 'ok 2' }),
      ];
      const batch = decode(request(spans), {});
      assert.deepEqual(batch.events.map((event) => event.name), ['ok 1', 'ok 2']);
      assert.equal(batch.acceptedSpans, 2);
      assert.equal(batch.rejectedSpans, 2);
      assert.equal(batch.rejectionMessage, "rejected 2 of 4 spans: span 'GET /x' has an all-zero trace id");
    });

    it('names each kind of invalid id, the same way as the protobuf decoder', () => {
      const cases: [Json, string][] = [
        [{ traceId: 'aa' }, "span 'span' has a trace id of 1 byte (expected 16 bytes)"],
        [{ traceId: 'not hex at all' }, "span 'span' has a trace id that is not a hex string"],
        [{ traceId: 'S/kvNXezTaajzpKdDg5HNg==' }, "span 'span' has a trace id that is not a hex string"],
        [{ traceId: '' }, "span 'span' has no trace id (expected 16 bytes)"],
        [{ spanId: '00000000000000' }, "span 'span' has a span id of 7 bytes (expected 8 bytes)"],
        [{ spanId: '0000000000000000' }, "span 'span' has an all-zero span id"],
        [{ parentSpanId: '0102030405' }, "span 'span' has a parent span id of 5 bytes (expected none or 8 bytes)"],
      ];
      for (const [fields, reason] of cases) {
        const batch = decode(request([span(fields)]), {});
        assert.deepEqual([batch.events, batch.acceptedSpans, batch.rejectedSpans, batch.rejectionMessage], [[], 0, 1, `rejected 1 of 1 span: ${reason}`]);
      }
    });
  });

  describe(`decodeOtlpTraceJson (${mode}) on malformed input`, () => {
    const spanPath = '$.resourceSpans[0].scopeSpans[0].spans[0]';

    it('refuses a body that is not JSON or not an object', () => {
      assertDecodeError('', /^invalid OTLP JSON trace request: the body is not valid JSON \(.+\) at \$$/);
      assertDecodeError('{"resourceSpans": [', /the body is not valid JSON/);
      assertDecodeError('[]', 'invalid OTLP JSON trace request: expected an object, got an array at $');
      assertDecodeError('null', 'invalid OTLP JSON trace request: the body must be a JSON object, got null at $');
    });

    it('names the path and the problem for values of the wrong shape', () => {
      assertDecodeError('{"resourceSpans": {}}', 'invalid OTLP JSON trace request: resourceSpans must be an array, got an object at $');
      assertDecodeError(request([span({ name: 5 })]), `invalid OTLP JSON trace request: name must be a string, got number 5 at ${spanPath}`);
      assertDecodeError(request([span({ traceId: 12 })]), `invalid OTLP JSON trace request: traceId must be a string, got number 12 at ${spanPath}`);
      assertDecodeError(request([span({ attributes: 'x' })]), /attributes must be an array, got the string "x" at \$\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]$/);
      assertDecodeError(request([span({ kind: true })]), /kind must be an enum number or name, got boolean true/);
      assertDecodeError(request([span({ startTimeUnixNano: '-5' })]), /startTimeUnixNano must be an unsigned 64-bit integer \(a string or a number\), got the string "-5"/);
      assertDecodeError(request([span({ startTimeUnixNano: '18446744073709551616' })]), /startTimeUnixNano must be an unsigned 64-bit integer/);
      assertDecodeError(request([span({ startTimeUnixNano: 1.5 })]), /startTimeUnixNano must be an unsigned 64-bit integer/);
      assertDecodeError(request([span({ links: [{ traceId: 'zz', spanId: SPAN }] })]), `invalid OTLP JSON trace request: traceId must be a hex string, got the string "zz" at ${spanPath}.links[0]`);
      assertDecodeError(request([span({ events: [5] })]), `invalid OTLP JSON trace request: expected an object, got number 5 at ${spanPath}.events[0]`);
    });

    it('refuses attribute values of the wrong shape, naming their path', () => {
      const attributeError = (value: unknown, message: string): void => {
        assertDecodeError(
          request([span({ attributes: [{ key: 'ok', value: { stringValue: 'x' } }, { key: 'bad', value }] })]),
          `invalid OTLP JSON trace request: ${message} at ${spanPath}.attributes[1].value`,
        );
      };
      attributeError({ intValue: '12a' }, 'intValue must be a signed 64-bit integer (a string or a number), got the string "12a"');
      attributeError({ intValue: '9223372036854775808' }, 'intValue must be a signed 64-bit integer (a string or a number), got the string "9223372036854775808"');
      attributeError({ intValue: 1.5 }, 'intValue must be a signed 64-bit integer (a string or a number), got number 1.5');
      attributeError({ boolValue: 'true' }, 'boolValue must be true or false, got the string "true"');
      attributeError({ doubleValue: 'fast' }, 'doubleValue must be a number, got the string "fast"');
      attributeError({ bytesValue: '***' }, 'bytesValue must be a base64 string, got the string "***"');
      attributeError({ stringValue: 'a', intValue: 1 }, 'an AnyValue sets both stringValue and intValue; it may set only one');
      attributeError('plain', 'expected an object, got the string "plain"');
      assertDecodeError(
        request([span({ attributes: [{ key: 'a', value: { arrayValue: { values: [{ stringValue: 1 }] } } }] })]),
        `invalid OTLP JSON trace request: stringValue must be a string, got number 1 at ${spanPath}.attributes[0].value.arrayValue.values[0]`,
      );
    });

    it('refuses AnyValues nested deeper than the limit, even 10 000 levels deep', () => {
      const nested = (levels: number, list: boolean): string => {
        const open = list ? '{"kvlistValue":{"values":[{"key":"k","value":' : '{"arrayValue":{"values":[';
        const close = list ? '}]}}' : ']}}';
        const value = `${open.repeat(levels - 1)}{"stringValue":"bottom"}${close.repeat(levels - 1)}`;
        return request([span({ attributes: [{ key: 'deep', value: JSON.parse(value) as unknown }] })]);
      };
      const [atLimit] = decode(nested(32, false), {}).events;
      assert.equal(atLimit!.attributes[2]!.values[0], `${'['.repeat(31)}"bottom"${']'.repeat(31)}`);
      assertDecodeError(nested(33, false), /^invalid OTLP JSON trace request: an AnyValue is nested deeper than the limit of 32 levels at \$\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[0\]\.value(\.arrayValue\.values\[0\]){32}$/);
      assertDecodeError(nested(40, true), /an AnyValue is nested deeper than the limit of 32 levels/);
      const deepText = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","attributes":[{"key":"deep","value":${'{"arrayValue":{"values":['.repeat(10_000)}${']}}'.repeat(10_000)}}]}]}]}]}`;
      assertDecodeError(deepText, /an AnyValue is nested deeper than the limit of 32 levels/);
      assert.throws(() => decode(nested(3, false), { maxAnyValueDepth: 2 }), OtlpDecodeError);
    });
  });
}
