import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedBatch, EventRecord } from '../core/event-record.js';
import { largeOtlpJsonBody } from '../../test/support/large-otlp-body.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { decodeOtlpTraceJson, decodeOtlpTraceJsonInPieces } from './otlp-json-decoder.js';

/**
 * A body from 1 MiB on is outlined and parsed a slice at a time instead of parsed whole (see
 * decodeOtlpTraceJsonInPieces). Here both readings meet hostile and odd bodies: they must accept
 * the same bodies with the same events, and refuse the same bodies with the same 400.
 */
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

type Outcome = { batch: DecodedBatch } | { error: string };

function outcome(body: string | Uint8Array, outlineFromBytes: number): Outcome {
  try {
    return { batch: decodeOtlpTraceJson(body, {}, outlineFromBytes) };
  } catch (error) {
    assert.ok(error instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(error)}`);
    assert.equal(error.code, 'bad_request');
    return { error: error.message };
  }
}

/** Both readings alike; malformed JSON is named by each in its own words (JSON.parse's or the scanner's). */
function assertSameOutcome(body: string | Uint8Array): Outcome {
  const whole = outcome(body, Number.POSITIVE_INFINITY);
  const outlined = outcome(body, 0);
  if ('error' in whole && 'error' in outlined && whole.error.includes('the body is not valid JSON')) {
    assert.match(outlined.error, /^invalid OTLP JSON trace request: the body is not valid JSON \(.+\) at \$$/);
  } else {
    assert.deepEqual(outlined, whole);
  }
  return whole;
}

function spanJson(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ traceId: TRACE, spanId: SPAN, name: 'span', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000002000', ...fields });
}

function body(spans: string, extra = ''): string {
  return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[${spans}]}]}]${extra}}`;
}

describe('decodeOtlpTraceJson outlined decodes as when parsed whole', () => {
  it('accepts a large realistic body with the same events, across many slices', () => {
    const text = largeOtlpJsonBody(3 * 1024 * 1024, 1_700_000_000_000);
    const whole = assertSameOutcome(text);
    assert.ok('batch' in whole && whole.batch.acceptedSpans > 4000, 'the body decodes');
  });

  it('reads int64 numbers beyond 2^53 exactly in every field and spacing, and refuses out-of-range ones alike', () => {
    const ok = assertSameOutcome(
      body(
        `{"traceId":"${TRACE}","spanId":"${SPAN}","startTimeUnixNano" :  1700000000000000001,"end_time_unix_nano":1700000000000000003,` +
          `"attributes":[{"key":"big","value":{"intValue":-9223372036854775808}},{"key":"small","value":{"int_value" : 9007199254740993 }}],` +
          `"events":[{"timeUnixNano":1700000000000000002,"name":"e"}]}`,
      ),
    );
    assert.ok('batch' in ok);
    assert.equal(ok.batch.events[0]!.timestampNs, 1_700_000_000_000_000_001n);
    assert.equal(ok.batch.events[0]!.durationNs, 2n);
    assert.deepEqual(ok.batch.events[0]!.attributes[2]!.values, [-9223372036854775808n, 9007199254740993n]);
    assert.equal(ok.batch.events[1]!.timestampNs, 1_700_000_000_000_000_002n);
    assertSameOutcome(body(spanJson({ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] })));
    assertSameOutcome(body(`{"traceId":"${TRACE}","spanId":"${SPAN}","startTimeUnixNano":18446744073709551616}`));
    // The resource's attributes are a slice of their own: exact there too.
    const resource = assertSameOutcome(`{"resourceSpans":[{"resource":{"attributes":[{"key":"n","value":{"intValue":12345678901234567890}}]},"scopeSpans":[{"spans":[${spanJson()}]}]}]}`);
    assert.ok('error' in resource, 'beyond int64 is refused');
  });

  it('refuses AnyValues nested too deep, 10 000 levels too, alike', () => {
    const deep = (levels: number): string => `${'{"arrayValue":{"values":['.repeat(levels)}${']}}'.repeat(levels)}`;
    const spans = `{"traceId":"${TRACE}","spanId":"${SPAN}","attributes":[{"key":"deep","value":${deep(40)}}]}`;
    assert.ok('error' in assertSameOutcome(body(spans)));
    assert.ok('error' in assertSameOutcome(body(`{"traceId":"${TRACE}","spanId":"${SPAN}","attributes":[{"key":"deep","value":${deep(10_000)}}]}`)));
    assert.ok('batch' in assertSameOutcome(body(`{"traceId":"${TRACE}","spanId":"${SPAN}","attributes":[{"key":"ok","value":${deep(20)}}]}`)));
  });

  it('treats huge strings alike, in a span and in an unknown member', () => {
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const rejected = assertSameOutcome(body(spanJson({ attributes: [{ key: 'huge', value: { stringValue: huge } }] })));
    assert.ok('batch' in rejected && rejected.batch.rejectedSpans === 1);
    assert.ok('batch' in assertSameOutcome(body(spanJson(), `,"unknown":"${huge}"`)));
  });

  it('refuses every truncation of a body alike', () => {
    const text = body(`${spanJson({ attributes: [{ key: 'a', value: { kvlistValue: { values: [{ key: 'b', value: { boolValue: true } }] } } }] })},${spanJson({ name: 'é ☃ "q"' })}`);
    assert.ok('batch' in assertSameOutcome(text));
    for (let length = 0; length < text.length; length++) {
      const cut = assertSameOutcome(text.slice(0, length));
      assert.ok('error' in cut, `a body cut at ${length} is refused`);
    }
  });

  it('refuses malformed JSON alike wherever it lies, in members it ignores too', () => {
    const malformed = [
      '',
      ' ',
      '\uFEFF{}',
      '{"resourceSpans":[]} x',
      '{"resourceSpans":[]}}',
      '{"resourceSpans":[],}',
      '{"resourceSpans" [] }',
      '{resourceSpans:[]}',
      "{'resourceSpans':[]}",
      '{"resourceSpans":[,]}',
      '{"resourceSpans":[{}{}]}',
      '{"unknown":[tru],"resourceSpans":[]}',
      '{"unknown":{"a":1]}',
      '{"unknown":"a\u0001b"}',
      '{"unknown":"\\x"}',
      '{"unknown":01}',
      `{"unknown":[${'1,'.repeat(600_000)}x]}`,
      `{"unknown":{${'"k":[1],'.repeat(200_000)}"z":[1}}`,
      body(`{"name":"a"]`),
      body(`${spanJson()},`),
      body(spanJson(), ',"resourceSpans":5'),
      // The first of two spans arrays is overwritten, but its text must still be valid JSON.
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":tru}],"spans":[]}]}]}',
    ];
    for (const text of malformed) assert.ok('error' in assertSameOutcome(text), `refuses ${text.slice(0, 60)}`);
  });

  it('reads members in any order, repeated members as the last one, null and snake_case alike', () => {
    const resource = '"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}';
    const accepted = [
      `{"resourceSpans":[{"scopeSpans":[{"spans":[${spanJson()}],"scope":{"name":"after"}}],${resource}}]}`,
      `{"resourceSpans":[{"scopeSpans":[{"spans":[${spanJson({ name: 'first' })}]}],"scopeSpans":[{"spans":[${spanJson({ name: 'second' })}]}]}]}`,
      `{"resourceSpans":[{"scopeSpans":[{"spans":[${spanJson()}]}]}],"resourceSpans":[]}`,
      `{"resourceSpans":null,"resource_spans":[{"scope_spans":[{"spans":[${spanJson()}]}],"scopeSpans":null}]}`,
      `{"resource_spans":[{"scopeSpans":[{"spans":[${spanJson()}]}],"scope_spans":[{"spans":[]}]}]}`,
      `{"resourceSpans":[null,{"scopeSpans":[null,{"spans":null},{"spans":[null,${spanJson()}]}]}]}`,
      `{"resourceSpans":[{"resource":null,"scopeSpans":[{"scope":null,"spans":[${spanJson()}]}]}]}`,
      `{"resource\\u0053pans":[{"scopeSpans":[{"spans":[${spanJson()}]}]}]}`,
      ` \n\t{ "resourceSpans" : [ { "scopeSpans" : [ { "spans" : [ ${spanJson()} , ${spanJson({ name: 'two' })} ] } ] } ] } \r\n`,
      '{}',
      '{"resourceSpans":[]}',
      `{"unknown":{"resourceSpans":[{"scopeSpans":[{"spans":[${spanJson()}]}]}]},"resourceSpans":[]}`,
    ];
    for (const text of accepted) assert.ok('batch' in assertSameOutcome(text), `accepts ${text.slice(0, 60)}`);
    const refused = [
      'null',
      '[]',
      '"x"',
      '5',
      '{"resourceSpans":"x"}',
      '{"resourceSpans":{}}',
      '{"resourceSpans":[5]}',
      '{"resourceSpans":[{"scopeSpans":{}}]}',
      '{"resourceSpans":[{"scopeSpans":["x"]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[5]}]}]}',
      '{"resourceSpans":[{"resource":[],"scopeSpans":[]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"scope":"x"}]}]}',
      body(spanJson({ name: 5 })),
    ];
    for (const text of refused) assert.ok('error' in assertSameOutcome(text), `refuses ${text}`);
  });

  it('decodes bytes that are not valid UTF-8 alike', () => {
    const text = Buffer.from(body(spanJson({ name: 'AAAA' })));
    const at = text.indexOf('AAAA');
    text[at] = 0xff;
    text[at + 1] = 0xc3;
    const decoded = assertSameOutcome(text);
    assert.ok('batch' in decoded);
    assert.equal(decoded.batch.events[0]!.name, '\uFFFD\uFFFDAA');
  });
});

describe('decodeOtlpTraceJsonInPieces', () => {
  it('hands the events over in order, in pieces, as decodeOtlpTraceJson returns them', () => {
    const text = Buffer.from(largeOtlpJsonBody(2 * 1024 * 1024, 1_700_000_000_000));
    const whole = decodeOtlpTraceJson(text, {});
    const pieces = decodeOtlpTraceJsonInPieces(text, {}, 1000, 0);
    const events: EventRecord[] = [];
    let sizes = 0;
    for (let next = pieces.next(); ; next = pieces.next()) {
      if (next.done === true) {
        events.push(...next.value.events);
        assert.deepEqual({ ...next.value, events: [] }, { ...whole, events: [] });
        break;
      }
      assert.ok(next.value.length >= 1000, 'a piece holds at least the events asked for');
      sizes++;
      events.push(...next.value);
    }
    assert.ok(sizes > 2, `several pieces (${sizes})`);
    assert.deepEqual(events, whole.events);
  });

  it('still refuses the whole request when malformed text follows pieces already handed over', () => {
    const spans = Array.from({ length: 3000 }, (_, i) => spanJson({ name: `s${i}` })).join(',');
    const pieces = decodeOtlpTraceJsonInPieces(body(`${spans},{"name":tru}`), {}, 100, 0);
    let handed = 0;
    assert.throws(
      () => {
        for (let next = pieces.next(); next.done !== true; next = pieces.next()) handed += next.value.length;
      },
      (error: unknown) => error instanceof OtlpDecodeError && /the body is not valid JSON/.test(error.message),
    );
    assert.ok(handed >= 100, 'pieces were handed over before the malformed span was met');
  });
});
