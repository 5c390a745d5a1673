import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, TraceFlags, type Attributes, type HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { GeneratedResource, GeneratedScope, GeneratedSpan } from './generated-span.js';
import { encodeJsonRequest } from './otlp-json-encoder.js';
import { encodeProtobufRequest } from './otlp-protobuf-encoder.js';
import { SpanGenerator } from './span-generator.js';

const WINDOW_START_NS = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const DAY_NS = 86_400_000_000_000n;

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The same spans as the OpenTelemetry SDK holds them, for its own serializers. */
function toReadableSpans(spans: readonly GeneratedSpan[]): ReadableSpan[] {
  const resources = new Map<GeneratedResource, Resource>();
  // The SDK shares one scope object per tracer; its protobuf serializer groups by that identity.
  const scopes = new Map<GeneratedScope, InstrumentationScope>();
  return spans.map((span) => {
    let resource = resources.get(span.resource);
    if (resource === undefined) {
      const attributes: Attributes = {};
      for (const a of span.resource.attributes) attributes[a.key] = a.value.value;
      resource = resourceFromAttributes(attributes);
      resources.set(span.resource, resource);
    }
    const attributes: Attributes = {};
    for (const a of span.attributes) attributes[a.key] = a.value.value;
    let scope = scopes.get(span.scope);
    if (scope === undefined) {
      scope = { name: span.scope.name, version: span.scope.version };
      scopes.set(span.scope, scope);
    }
    const traceId = hex(span.traceId);
    const readable: ReadableSpan = {
      name: span.name,
      kind: (span.kind - 1) as SpanKind,
      spanContext: () => ({ traceId, spanId: hex(span.spanId), traceFlags: TraceFlags.SAMPLED }),
      parentSpanContext: span.parentSpanId === null
        ? undefined
        : { traceId, spanId: hex(span.parentSpanId), traceFlags: TraceFlags.SAMPLED },
      startTime: hrTime(span.startTimeNs),
      endTime: hrTime(span.endTimeNs),
      status: span.statusMessage === '' ? { code: span.statusCode } : { code: span.statusCode, message: span.statusMessage },
      attributes,
      links: [],
      events: [],
      duration: hrTime(span.endTimeNs - span.startTimeNs),
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    return readable;
  });
}

test('protobuf bodies are byte for byte what the OpenTelemetry JS serializer produces for the same spans', () => {
  const generator = new SpanGenerator({ seed: 7, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS });
  for (let request = 0; request < 3; request += 1) {
    const spans = generator.nextBatch(500);
    const ours = encodeProtobufRequest(spans).body;
    const theirs = ProtobufTraceSerializer.serializeRequest(toReadableSpans(spans));
    assert.ok(theirs !== undefined);
    assert.equal(ours.length, theirs.length);
    assert.equal(Buffer.compare(Buffer.from(ours), Buffer.from(theirs)), 0);
  }
});

test('JSON bodies parse to exactly what the OpenTelemetry JS JSON serializer produces for the same spans', () => {
  const generator = new SpanGenerator({ seed: 8, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS });
  const spans = generator.nextBatch(500);
  const ours: unknown = JSON.parse(Buffer.from(encodeJsonRequest(spans).body).toString('utf8'));
  const theirsBytes = JsonTraceSerializer.serializeRequest(toReadableSpans(spans));
  assert.ok(theirsBytes !== undefined);
  const theirs: unknown = JSON.parse(Buffer.from(theirsBytes).toString('utf8'));
  assert.deepEqual(ours, theirs);
});

test('patch points of both encodings locate every span id, parent id and time', () => {
  const generator = new SpanGenerator({ seed: 9, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS });
  const spans = generator.nextBatch(500);
  const proto = encodeProtobufRequest(spans);
  const json = encodeJsonRequest(spans);
  const protoView = new DataView(proto.body.buffer, proto.body.byteOffset, proto.body.byteLength);
  const jsonText = Buffer.from(json.body).toString('latin1');
  const protoSpanIds = new Set<string>();
  const jsonSpanIds = new Set<string>();
  const expectedSpanIds = new Set(spans.map((span) => hex(span.spanId)));
  for (let i = 0; i < 500; i += 1) {
    const p = proto.patchPoints;
    protoSpanIds.add(hex(proto.body.subarray(p.spanId[i]!, p.spanId[i]! + 8)));
    const j = json.patchPoints;
    jsonSpanIds.add(jsonText.slice(j.spanId[i]!, j.spanId[i]! + 16));
    assert.equal(p.parentSpanId[i]! < 0, j.parentSpanId[i]! < 0);
    const start = protoView.getBigUint64(p.startTime[i]!, true);
    const end = protoView.getBigUint64(p.endTime[i]!, true);
    assert.ok(end > start);
    assert.equal(BigInt(jsonText.slice(j.startTime[i]!, j.startTime[i]! + 19)) >= WINDOW_START_NS, true);
  }
  assert.deepEqual(protoSpanIds, expectedSpanIds);
  assert.deepEqual(jsonSpanIds, expectedSpanIds);
  const rotatable = spans.filter((span) => span.rotatableUserIndex >= 0).length;
  assert.equal(proto.patchPoints.userDigits.length, rotatable);
  assert.equal(json.patchPoints.userDigits.length, rotatable);
});
