import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  concatParts,
  doubleField,
  lenField,
  requestWithSpans,
  spanBody,
  stringField,
  varintField,
} from '../../test/fixtures/otlp/protobuf-bytes-fixture.js';
import { makeSampleSpans } from '../../test/fixtures/otlp/sample-spans-fixture.js';
import { decodeOtlpTraceJson } from './otlp-json-decoder.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { decodeOtlpTraceProtobuf } from './otlp-protobuf-decoder.js';

/** Decoding either succeeds or throws OtlpDecodeError: never another exception. */
function decodesOrRefuses(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw error;
  }
}

/** A model AnyValue, encoded both ways below. */
type Model =
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'array'; value: Model[] }
  | { kind: 'kvlist'; value: [string, Model][] }
  | { kind: 'empty' };

const { model } = fc.letrec<{ model: Model }>((tie) => ({
  model: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('string' as const), value: fc.string({ unit: 'binary' }) }),
    fc.record({ kind: fc.constant('bool' as const), value: fc.boolean() }),
    fc.record({ kind: fc.constant('int' as const), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
    // -0 is left out: JSON cannot carry its sign.
    fc.record({ kind: fc.constant('double' as const), value: fc.double().filter((d) => !Object.is(d, -0)) }),
    fc.record({ kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 12 }) }),
    fc.record({ kind: fc.constant('empty' as const) }),
    fc.record({ kind: fc.constant('array' as const), value: fc.array(tie('model'), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('kvlist' as const), value: fc.array(fc.tuple(fc.string(), tie('model')), { maxLength: 3 }) }),
  ),
}));

function toProtobuf(value: Model): Uint8Array {
  switch (value.kind) {
    case 'string':
      return stringField(1, value.value);
    case 'bool':
      return varintField(2, value.value ? 1 : 0);
    case 'int':
      return varintField(3, value.value);
    case 'double':
      return doubleField(4, value.value);
    case 'bytes':
      return lenField(7, value.value);
    case 'array':
      return lenField(5, ...value.value.map((item) => lenField(1, toProtobuf(item))));
    case 'kvlist':
      return lenField(6, ...value.value.map(([key, item]) => lenField(1, stringField(1, key), lenField(2, toProtobuf(item)))));
    case 'empty':
      return new Uint8Array(0);
  }
}

/** OTLP/JSON, alternating between the spellings a sender may use. */
function toJson(value: Model, variant: boolean): unknown {
  switch (value.kind) {
    case 'string':
      return { stringValue: value.value };
    case 'bool':
      return { boolValue: value.value };
    case 'int':
      return { intValue: variant || Number(value.value) > Number.MAX_SAFE_INTEGER || Number(value.value) < Number.MIN_SAFE_INTEGER ? value.value.toString() : Number(value.value) };
    case 'double':
      return { doubleValue: Number.isFinite(value.value) ? value.value : String(value.value) };
    case 'bytes':
      return { [variant ? 'bytes_value' : 'bytesValue']: Buffer.from(value.value).toString('base64') };
    case 'array':
      return { arrayValue: { values: value.value.map((item) => toJson(item, !variant)) } };
    case 'kvlist':
      return { kvlist_value: { values: value.value.map(([key, item]) => ({ key, value: toJson(item, !variant) })) } };
    case 'empty':
      return {};
  }
}

describe('OTLP decoders on arbitrary input', () => {
  it('decode the same attribute values from protobuf and from JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), model), { maxLength: 6 }), fc.boolean(), (attributes, variant) => {
        const protobuf = requestWithSpans([
          spanBody({ extra: attributes.map(([key, value]) => lenField(9, stringField(1, key), lenField(2, toProtobuf(value)))) }),
        ]);
        const json = JSON.stringify({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  scope: { name: 'test-scope' },
                  spans: [
                    {
                      traceId: '5B8EFFF798038103D269B633813FC60C',
                      spanId: 'eee19b7ec3c1b174',
                      name: 'span',
                      // A number that a double holds exactly, and a string.
                      startTimeUnixNano: 1_700_000_000_000_000_000,
                      endTimeUnixNano: '1700000000001000000',
                      attributes: attributes.map(([key, value]) => ({ key, value: toJson(value, variant) })),
                    },
                  ],
                },
              ],
            },
          ],
        });
        assert.deepEqual(decodeOtlpTraceJson(json, {}), decodeOtlpTraceProtobuf(protobuf, {}));
      }),
      { numRuns: 300 },
    );
  });

  it('never throw anything but OtlpDecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        decodesOrRefuses(() => decodeOtlpTraceProtobuf(bytes, {}));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throw anything but OtlpDecodeError on mutations of a real protobuf message', async () => {
    const original = ProtobufTraceSerializer.serializeRequest(await makeSampleSpans());
    assert.ok(original);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(original.length),
        fc.uint8Array({ maxLength: 4 }),
        (changes, insertAt, inserted) => {
          const mutated = Uint8Array.from(original);
          for (const [index, value] of changes) mutated[index] = value;
          decodesOrRefuses(() => decodeOtlpTraceProtobuf(mutated, {}));
          const withInsertion = concatParts(mutated.subarray(0, insertAt), inserted, mutated.subarray(insertAt));
          decodesOrRefuses(() => decodeOtlpTraceProtobuf(withInsertion, {}));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throw anything but OtlpDecodeError when any part of a real JSON request is replaced by any JSON value', async () => {
    const original = JsonTraceSerializer.serializeRequest(await makeSampleSpans());
    assert.ok(original);
    const text = new TextDecoder().decode(original);
    // Every object and array of the request, addressed by its path.
    const paths: (string | number)[][] = [];
    const collect = (node: unknown, path: (string | number)[]): void => {
      if (node === null || typeof node !== 'object') return;
      paths.push(path);
      for (const [key, child] of Object.entries(node)) collect(child, [...path, Array.isArray(node) ? Number(key) : key]);
    };
    collect(JSON.parse(text), []);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.string(), fc.jsonValue({ maxDepth: 3 }), (pathIndex, key, replacement) => {
        const root = JSON.parse(text) as Record<string, unknown>;
        const path = paths[pathIndex]!;
        let node: Record<string | number, unknown> = root;
        for (const segment of path) node = node[segment] as Record<string | number, unknown>;
        if (Array.isArray(node)) {
          node[0] = replacement;
        } else {
          node[Object.keys(node)[0] ?? key] = replacement;
          node[key] = replacement;
        }
        decodesOrRefuses(() => decodeOtlpTraceJson(JSON.stringify(root), {}));
      }),
      { numRuns: 1000 },
    );
  });
});
