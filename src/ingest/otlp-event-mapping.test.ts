import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexId, layer } from '../../test/fixtures/otlp/expected-records-fixture.js';
import { datasetForService, OtlpBatchBuilder, type OtlpSpanFields } from './otlp-event-mapping.js';

function spanFields(fields: Partial<OtlpSpanFields> = {}): OtlpSpanFields {
  return {
    traceId: hexId('5b8efff798038103d269b633813fc60c'),
    traceIdBytes: 16,
    spanId: hexId('eee19b7ec3c1b174'),
    spanIdBytes: 8,
    parentId: 0n,
    parentIdBytes: 0,
    traceState: '',
    name: 'span',
    kind: 2,
    startNs: 10n,
    endNs: 25n,
    statusCode: 0,
    statusMessage: '',
    attributes: layer(),
    ...fields,
  };
}

describe('OtlpBatchBuilder', () => {
  it('lifts the last service.name out of the resource layer and keeps the other keys in order', () => {
    const builder = new OtlpBatchBuilder({});
    builder.beginResource(
      layer(['a', 'string', '1'], ['service.name', 'string', 'first'], ['b', 'integer', 2], ['service.name', 'string', 'Second']),
    );
    builder.beginScope('', '', layer());
    const record = builder.addSpan(spanFields());
    assert.equal(record?.serviceName, 'Second');
    assert.equal(record?.dataset, 'Second');
    assert.deepEqual(record?.attributes[0], layer(['a', 'string', '1'], ['b', 'integer', 2]));
  });

  it('uses unknown_service for an empty or non-string service.name, and drops that entry', () => {
    for (const value of ['', 42, true] as const) {
      const builder = new OtlpBatchBuilder({});
      builder.beginResource(layer(['service.name', typeof value === 'string' ? 'string' : 'integer', value]));
      builder.beginScope('', '', layer());
      const record = builder.addSpan(spanFields());
      assert.equal(record?.serviceName, 'unknown_service');
      assert.deepEqual(record?.attributes[0], layer());
    }
  });

  it('keeps the resource layer object itself when it has no service.name', () => {
    const resource = layer(['host.name', 'string', 'h']);
    const builder = new OtlpBatchBuilder({});
    builder.beginResource(resource);
    builder.beginScope('', '', layer());
    assert.equal(builder.addSpan(spanFields())?.attributes[0], resource);
  });

  it('appends trace.trace_state to the span layer only when the trace state is set', () => {
    const builder = new OtlpBatchBuilder({});
    builder.beginResource(layer());
    builder.beginScope('lib', '', layer());
    const withState = builder.addSpan(spanFields({ traceState: 'v=1', attributes: layer(['k', 'string', 'x']) }));
    const withoutState = builder.addSpan(spanFields({ attributes: layer(['k', 'string', 'x']) }));
    assert.deepEqual(withState?.attributes[2], layer(['k', 'string', 'x'], ['trace.trace_state', 'string', 'v=1']));
    assert.deepEqual(withoutState?.attributes[2], layer(['k', 'string', 'x']));
    assert.equal(withState?.libraryName, 'lib');
    assert.equal(withState?.libraryVersion, null);
  });

  it('writes the rejection message in the singular for one span and shortens long span names', () => {
    const builder = new OtlpBatchBuilder({});
    builder.beginResource(layer());
    builder.beginScope('', '', layer());
    assert.equal(builder.addSpan(spanFields({ name: 'x'.repeat(150), traceId: 0n })), null);
    assert.deepEqual(builder.finish(), {
      events: [],
      acceptedSpans: 0,
      rejectedSpans: 1,
      rejectionMessage: `rejected 1 of 1 span: span '${'x'.repeat(100)}...' has an all-zero trace id`,
    });
  });

  it('caps the AnyValue depth option at 1000 levels and defaults it to 32', () => {
    assert.equal(new OtlpBatchBuilder({}).maxAnyValueDepth, 32);
    assert.equal(new OtlpBatchBuilder({ maxAnyValueDepth: 8 }).maxAnyValueDepth, 8);
    assert.equal(new OtlpBatchBuilder({ maxAnyValueDepth: 1_000_000 }).maxAnyValueDepth, 1000);
  });

  it('dates links at the span start and points span events and links at the span', () => {
    const builder = new OtlpBatchBuilder({ datasetOverride: null });
    builder.beginResource(layer(['service.name', 'string', 'svc']));
    builder.beginScope('lib', '2', layer(['scope.k', 'boolean', true]));
    const span = builder.addSpan(spanFields());
    assert.ok(span);
    builder.addSpanEvent(span, 12n, 'ev', layer());
    builder.addLink(span, 'ab', 'cd', layer(['l', 'float', 1.5]));
    const { events } = builder.finish();
    assert.deepEqual(
      events.map((event) => [event.annotationType, event.timestampNs, event.durationNs, event.spanId, event.parentId, event.name, event.kind]),
      [
        [null, 10n, 15n, span.spanId, null, 'span', 'server'],
        ['span_event', 12n, 0n, null, span.spanId, 'ev', null],
        ['link', 10n, 0n, null, span.spanId, null, null],
      ],
    );
    assert.deepEqual(events[2]!.attributes[2], layer(['l', 'float', 1.5], ['trace.link.trace_id', 'string', 'ab'], ['trace.link.span_id', 'string', 'cd']));
  });

  it('rejects a span whose resource, scope and own attributes together pass 2000, naming the limit', () => {
    const builder = new OtlpBatchBuilder({});
    const many = (prefix: string, n: number) => layer(...Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'integer', i] as [string, 'integer', number]));
    builder.beginResource(many('r', 1000));
    builder.beginScope('', '', many('s', 500));
    assert.notEqual(builder.addSpan(spanFields({ attributes: many('a', 500) })), null);
    assert.equal(builder.addSpan(spanFields({ name: 'wide', attributes: many('a', 501) })), null);
    const batch = builder.finish();
    assert.deepEqual([batch.acceptedSpans, batch.rejectedSpans, batch.events.length], [1, 1, 1]);
    assert.equal(batch.rejectionMessage, "rejected 1 of 2 spans: span 'wide' has 2001 attributes (resource, scope and its own); at most 2000 are accepted per span, span event or link");
  });

  it('withdraws a span, and the span events already added, when one of its links breaks a limit', () => {
    const builder = new OtlpBatchBuilder({});
    builder.beginResource(layer());
    builder.beginScope('', '', layer());
    const span = builder.addSpan(spanFields({ name: 'parent' }))!;
    builder.addSpanEvent(span, 11n, 'ok event', layer(['k', 'string', 'v']));
    builder.addLink(span, 'ab'.repeat(16), 'cd'.repeat(8), layer([`big`, 'string', 'x'.repeat(64 * 1024 + 1)]));
    builder.addSpanEvent(span, 12n, 'after', layer());
    const batch = builder.finish();
    assert.deepEqual([batch.acceptedSpans, batch.rejectedSpans, batch.events.length], [0, 1, 0]);
    assert.equal(batch.rejectionMessage, "rejected 1 of 1 span: span 'parent' has a link that has an attribute 'big' of 65537 bytes; at most 65536 are accepted");
  });

  it('rejects a span with an attribute key over 1024 bytes', () => {
    const builder = new OtlpBatchBuilder({});
    builder.beginResource(layer());
    builder.beginScope('', '', layer());
    assert.equal(builder.addSpan(spanFields({ attributes: layer(['k'.repeat(1025), 'integer', 1]) })), null);
    assert.equal(builder.finish().rejectionMessage, "rejected 1 of 1 span: span 'span' has an attribute key of 1025 bytes; at most 1024 are accepted");
  });
});

describe('datasetForService', () => {
  it('keeps the case and spaces of a service.name and trims it', () => {
    assert.equal(datasetForService('  My Service '), 'My Service');
  });

  it('sends spans of a service.name that cannot name a dataset to unknown_service', () => {
    for (const bad of ['__all__', 'a\u0000b', 'a/b', 'x'.repeat(256), '   ']) assert.equal(datasetForService(bad), 'unknown_service');
  });
});
