import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { largeOtlpJsonBody } from '../../test/support/large-otlp-body.js';
import { decodeOtlpTraceJson } from './otlp-json-decoder.js';
import { decodePayload } from './payload-decode-scheduler.js';

function request(spans: Array<Record<string, unknown>>): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 'lib' }, spans }] }] });
}

function span(n: number, attributes: Array<[string, Record<string, unknown>]>): Record<string, unknown> {
  const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');
  return {
    traceId: hex(n, 32),
    spanId: hex(n, 16),
    name: `op-${n}`,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000000002000',
    attributes: attributes.map(([key, value]) => ({ key, value })),
  };
}

describe('decoded events of one request', () => {
  it('share the keys and kinds arrays of layers with the same keys and kinds, and keep their own values', () => {
    const batch = decodeOtlpTraceJson(
      request([
        span(1, [['http.route', { stringValue: '/a' }], ['http.status_code', { intValue: '200' }]]),
        span(2, [['http.route', { stringValue: '/b' }], ['http.status_code', { intValue: '404' }]]),
        // Same keys, another kind for one of them: a shape of its own.
        span(3, [['http.route', { stringValue: '/c' }], ['http.status_code', { stringValue: 'teapot' }]]),
        span(4, [['http.route', { stringValue: '/d' }], ['http.status_code', { intValue: '500' }]]),
      ]),
      {},
    );
    const own = batch.events.map((event) => event.attributes[2]!);
    assert.deepEqual(
      own.map((layer) => ({ keys: layer.keys, kinds: layer.kinds, values: layer.values })),
      [
        { keys: ['http.route', 'http.status_code'], kinds: ['string', 'integer'], values: ['/a', 200] },
        { keys: ['http.route', 'http.status_code'], kinds: ['string', 'integer'], values: ['/b', 404] },
        { keys: ['http.route', 'http.status_code'], kinds: ['string', 'string'], values: ['/c', 'teapot'] },
        { keys: ['http.route', 'http.status_code'], kinds: ['string', 'integer'], values: ['/d', 500] },
      ],
    );
    assert.deepEqual(
      [own[1]!.keys === own[0]!.keys, own[1]!.kinds === own[0]!.kinds, own[3]!.kinds === own[0]!.kinds, own[2]!.kinds === own[0]!.kinds],
      [true, true, true, false],
    );
  });

  it('arrive from the decode worker sharing them too: one keys array per shape for a whole 2 MB body, across its messages', async () => {
    const body = Buffer.from(largeOtlpJsonBody(2 * 1024 * 1024));
    const decoded = await decodePayload('otlp-json', body, { contentType: 'application/json' }, 64 * 1024 * 1024);
    const spans = decoded.batch.events.filter((event) => event.annotationType === null);
    const shapes = new Set(spans.map((event) => event.attributes[2]!.keys));
    assert.equal(spans.length > 1000, true);
    assert.equal(shapes.size, 1);
    assert.deepEqual(spans[0]!.attributes[2]!.keys, ['http.route', 'http.status_code', 'user.id', 'cart.total', 'cache.hit', 'tags']);
  });
});
