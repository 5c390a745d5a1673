import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GeneratedSpan } from './generated-span.js';
import { encodeProtobufRequest } from './otlp-protobuf-encoder.js';
import { BENCH_WORLD, SpanGenerator } from './span-generator.js';

const WINDOW_START_NS = 1_767_225_600_000_000_000n;
const DAY_NS = 86_400_000_000_000n;

function generate(seed: number, batches: number, size: number): GeneratedSpan[][] {
  const generator = new SpanGenerator({ seed, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS });
  const out: GeneratedSpan[][] = [];
  for (let i = 0; i < batches; i += 1) out.push(generator.nextBatch(size));
  return out;
}

function attribute(span: GeneratedSpan, key: string): string | number | boolean | undefined {
  return span.attributes.find((a) => a.key === key)?.value.value;
}

function resourceAttribute(span: GeneratedSpan, key: string): string | number | boolean | undefined {
  return span.resource.attributes.find((a) => a.key === key)?.value.value;
}

test('the same seed produces the same bytes and another seed different ones', () => {
  const a = generate(42, 4, 500).map((batch) => Buffer.from(encodeProtobufRequest(batch).body));
  const b = generate(42, 4, 500).map((batch) => Buffer.from(encodeProtobufRequest(batch).body));
  const c = generate(43, 1, 500).map((batch) => Buffer.from(encodeProtobufRequest(batch).body));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0], c[0]);
});

test('every batch holds exactly the requested number of spans', () => {
  const batches = generate(1, 7, 500);
  assert.deepEqual(batches.map((batch) => batch.length), [500, 500, 500, 500, 500, 500, 500]);
  assert.deepEqual(generate(1, 3, 137).map((batch) => batch.length), [137, 137, 137]);
});

test('a large sample looks like the world it describes', () => {
  const spans = generate(3, 200, 500).flat();
  assert.equal(spans.length, 100_000);

  const services = new Set(spans.map((span) => resourceAttribute(span, 'service.name')));
  assert.equal(services.size, BENCH_WORLD.services);
  const routes = new Set(spans.map((span) => attribute(span, 'http.route')).filter((route) => route !== undefined));
  assert.equal(routes.size, BENCH_WORLD.routes);

  const users = new Set<string>();
  for (const span of spans) {
    const user = attribute(span, 'user.id');
    const tenant = attribute(span, 'tenant.id');
    assert.equal(user === undefined, tenant === undefined);
    if (typeof user === 'string') {
      users.add(user);
      const index = Number(user.slice('user-'.length));
      assert.ok(index >= 0 && index < BENCH_WORLD.users);
      assert.equal(tenant, `tenant-${String(index % BENCH_WORLD.tenants).padStart(3, '0')}`);
    }
  }
  assert.ok(users.size > 5_000, `only ${users.size} distinct users`);

  const errorShare = spans.filter((span) => span.statusCode === 2).length / spans.length;
  assert.ok(errorShare > 0.005 && errorShare < 0.015, `error share ${errorShare}`);

  // About 20 attributes per span, counting the resource's.
  const meanAttributes = spans.reduce((sum, span) => sum + span.attributes.length + span.resource.attributes.length, 0) / spans.length;
  assert.ok(meanAttributes >= 17 && meanAttributes <= 23, `mean attributes ${meanAttributes}`);

  // Durations: a slow tail well above the median.
  const durations = spans.filter((span) => span.parentSpanId === null)
    .map((span) => Number(span.endTimeNs - span.startTimeNs) / 1e6)
    .sort((x, y) => x - y);
  const p50 = durations[Math.floor(durations.length * 0.5)]!;
  const p999 = durations[Math.floor(durations.length * 0.999)]!;
  assert.ok(p50 > 10 && p50 < 200, `p50 ${p50}`);
  assert.ok(p999 > 5 * p50, `p99.9 ${p999} vs p50 ${p50}`);
});

test('ids are unique and every parent is an earlier span of the same trace that contains its child in time', () => {
  const spans = generate(5, 40, 500).flat();
  const byId = new Map<string, GeneratedSpan>();
  const traces = new Set<string>();
  for (const span of spans) {
    const id = Buffer.from(span.spanId).toString('hex');
    assert.equal(byId.has(id), false);
    byId.set(id, span);
    if (span.parentSpanId === null) traces.add(Buffer.from(span.traceId).toString('hex'));
  }
  assert.ok(spans.length / traces.size > 3, 'traces have several spans');
  for (const span of spans) {
    assert.ok(span.startTimeNs >= WINDOW_START_NS && span.startTimeNs < WINDOW_START_NS + DAY_NS + 10_000_000_000n);
    if (span.parentSpanId === null) continue;
    const parent = byId.get(Buffer.from(span.parentSpanId).toString('hex'));
    assert.ok(parent !== undefined, 'parent present');
    assert.deepEqual(parent.traceId, span.traceId);
    assert.ok(span.startTimeNs >= parent.startTimeNs && span.endTimeNs <= parent.endTimeNs, 'child inside parent');
  }
});

test('extra attributes are added to every span and leave every other attribute as it was', () => {
  const plain = new SpanGenerator({ seed: 7, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS }).nextBatch(2000);
  const wide = new SpanGenerator({ seed: 7, windowStartNs: WINDOW_START_NS, windowNs: DAY_NS, extraAttributes: 8 }).nextBatch(2000);
  const extraKeys = ['bench.extra_00', 'bench.extra_01', 'bench.extra_02', 'bench.extra_03', 'bench.extra_04', 'bench.extra_05', 'bench.extra_06', 'bench.extra_07'];
  const cardinalities = [4, 12, 60, 500, 5000, 4, 12, 60];
  assert.equal(wide.length, plain.length);
  wide.forEach((span, i) => {
    const other = plain[i]!;
    assert.deepEqual(span.attributes.filter((a) => !a.key.startsWith('bench.extra_')), other.attributes);
    assert.equal(span.startTimeNs, other.startTimeNs);
    assert.deepEqual(span.attributes.filter((a) => a.key.startsWith('bench.extra_')).map((a) => a.key), extraKeys);
    extraKeys.forEach((key, k) => {
      const value = attribute(span, key);
      const n = k % 2 === 0 ? Number(String(value).slice(1)) : Number(value);
      assert.equal(typeof value, k % 2 === 0 ? 'string' : 'number');
      assert.ok(Number.isInteger(n) && n >= 0 && n < cardinalities[k]!, `${key} = ${String(value)}`);
    });
  });
  // The small cardinalities are all used.
  assert.equal(new Set(wide.map((s) => attribute(s, 'bench.extra_00'))).size, 4);
});
