import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GeneratedAttribute, GeneratedSpan } from './generated-span.js';
import { encodeJsonRequest } from './otlp-json-encoder.js';
import { encodeProtobufRequest } from './otlp-protobuf-encoder.js';
import { RequestPatcher, identityVariant, variantForPass, type PassVariant } from './request-patcher.js';
import { BENCH_WORLD, SpanGenerator, formatUserId } from './span-generator.js';

const WINDOW_START_NS = 1_767_225_600_000_000_000n;
const DAY_NS = 86_400_000_000_000n;

function xorBytes(bytes: Uint8Array, salt: Uint8Array): Uint8Array {
  return bytes.map((byte, i) => byte ^ salt[i]!);
}

/** What the spans would be had the generator produced the variant directly. */
function applyToSpans(spans: readonly GeneratedSpan[], variant: PassVariant): GeneratedSpan[] {
  return spans.map((span) => {
    const attributes: GeneratedAttribute[] = span.attributes.map((a) => {
      if (a.key !== 'user.id' || span.rotatableUserIndex < 0) return a;
      const index = (span.rotatableUserIndex + variant.userShift) % BENCH_WORLD.users;
      return { key: a.key, value: { kind: 'string', value: formatUserId(index) } };
    });
    return {
      ...span,
      traceId: xorBytes(span.traceId, variant.traceSalt),
      spanId: xorBytes(span.spanId, variant.spanSalt),
      parentSpanId: span.parentSpanId === null ? null : xorBytes(span.parentSpanId, variant.spanSalt),
      startTimeNs: span.startTimeNs + variant.timeShiftNs,
      endTimeNs: span.endTimeNs + variant.timeShiftNs,
      attributes,
    };
  });
}

for (const encode of [encodeProtobufRequest, encodeJsonRequest]) {
  test(`patching a ${encode === encodeJsonRequest ? 'JSON' : 'protobuf'} body equals encoding the varied spans, over successive passes`, () => {
    const spans = new SpanGenerator({ seed: 11, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS }).nextBatch(500);
    const patcher = new RequestPatcher(encode(spans));
    for (const pass of [1, 2, 5]) {
      const variant = variantForPass(99, pass, BigInt(pass) * 3_600_000_000_000n);
      patcher.apply(variant);
      const expected = encode(applyToSpans(spans, variant)).body;
      assert.equal(Buffer.compare(Buffer.from(patcher.request.body), Buffer.from(expected)), 0, `pass ${pass}`);
      assert.equal(patcher.traceIdHex(0), Buffer.from(xorBytes(spans[0]!.traceId, variant.traceSalt)).toString('hex'));
    }
    patcher.apply(identityVariant());
    assert.equal(Buffer.compare(Buffer.from(patcher.request.body), Buffer.from(encode(spans).body)), 0);
  });
}

test('user rotation keeps every user in its tenant', () => {
  for (let pass = 0; pass < 50; pass += 1) {
    assert.equal(variantForPass(1, pass, 0n).userShift % BENCH_WORLD.tenants, 0);
  }
});
