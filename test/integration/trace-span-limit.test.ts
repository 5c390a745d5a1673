import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUERY_LIMITS } from '../../src/core/limits/query-limits.js';
import { startTestWaggle, getJson } from '../support/waggle-test-server.js';
import { hex, otlpSpansJson, postOtlpJson, type TestSpan } from '../support/otlp-json-spans.js';
import { until } from '../support/poll-until.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const LIMIT = QUERY_LIMITS.traceSpans.value;
const BIG_TRACE = 7;
const SMALL_TRACE = 8;
const START_MS = Date.now() - 3_600_000;

interface TraceAnswer {
  trace_id: string;
  spans: Array<Record<string, unknown>>;
  truncated: boolean;
}

describe('a trace of more spans than one lookup answers', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
    // LIMIT + 1 spans, one a millisecond, sent in time order in requests of 8 000.
    const spans: TestSpan[] = Array.from({ length: LIMIT + 1 }, (_, i) => ({ trace: BIG_TRACE, span: i + 1, ...(i === 0 ? {} : { parent: 1 }), name: `op-${i % 10}`, startMs: START_MS + i, ms: 1 }));
    for (let from = 0; from < spans.length; from += 8_000) assert.equal((await postOtlpJson(waggle, otlpSpansJson('big', spans.slice(from, from + 8_000)))).status, 200);
    const small: TestSpan[] = [1, 2, 3].map((n) => ({ trace: SMALL_TRACE, span: 100_000 + n, ...(n === 1 ? {} : { parent: 100_001 }), name: 'small', startMs: START_MS + n, ms: 1 }));
    assert.equal((await postOtlpJson(waggle, otlpSpansJson('big', small))).status, 200);
  });
  after(async () => {
    await waggle.stop();
  });

  it(`answers its earliest ${LIMIT} spans with truncated: true`, async () => {
    const answer = await until('the big trace committed', async () => {
      const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${hex(BIG_TRACE, 32)}`);
      const trace = body as TraceAnswer;
      return status === 200 && trace.truncated ? trace : null;
    });
    assert.equal(answer.trace_id, hex(BIG_TRACE, 32));
    assert.equal(answer.spans.length, LIMIT);
    assert.equal(answer.spans[0]?.['trace.span_id'], hex(1, 16));
    assert.equal(answer.spans[LIMIT - 1]?.['trace.span_id'], hex(LIMIT, 16));
    assert.equal(new Set(answer.spans.map((s) => s['trace.span_id'])).size, LIMIT);
  });

  it('says so in the trace logs answer too', async () => {
    const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${hex(BIG_TRACE, 32)}/logs`);
    assert.equal(status, 200);
    assert.deepEqual(body, { trace_id: hex(BIG_TRACE, 32), logs: [], truncated: true });
  });

  it('answers a trace within the bound whole, with truncated: false', async () => {
    const { status, body } = await getJson(`${waggle.baseUrl}/api/traces/${hex(SMALL_TRACE, 32)}`);
    assert.equal(status, 200);
    const trace = body as TraceAnswer;
    assert.equal(trace.truncated, false);
    assert.deepEqual(trace.spans.map((s) => s['trace.span_id']), [hex(100_001, 16), hex(100_002, 16), hex(100_003, 16)]);
  });
});
