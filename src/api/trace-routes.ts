import { BadRequestError, NotFoundError } from '../core/errors.js';
import { parseTraceIdHex } from '../core/trace-id.js';
import { QUERY_LIMITS } from '../core/limits/query-limits.js';
import type { SpanStore, StoredEvent } from '../store/span-store.js';
import { sendJson, sendJsonList } from './http-io.js';
import { withNetworkTiming } from './trace-network-timing.js';
import type { HttpRouter } from './http-router.js';
import { QueryAdmission } from '../query/query-admission.js';

/** How long a trace lookup may wait for one of query.traceAnswers (then 504), as long as the store gives its read. */
const TRACE_ANSWER_TIMEOUT_MS = 30_000;

/** GET /api/traces/:traceId and GET /api/traces (recent traces). */
export function addTraceRoutes(router: HttpRouter, store: SpanStore): void {
  // A trace's answer is built under one of these slots, from the read to its JSON (query.traceAnswers).
  const answers = new QueryAdmission({ concurrent: QUERY_LIMITS.traceAnswers.value, queued: QUERY_LIMITS.queuedQueries.value });
  router.add('GET', '/api/traces/:traceId', async ({ res, params }) => {
    const text = params['traceId'] ?? '';
    const traceId = parseTraceIdHex(text);
    if (traceId === null) throw new BadRequestError(`'${text.slice(0, 64)}' is not a trace id: expected 32 hex digits, not all zero`);
    await answers.admit(TRACE_ANSWER_TIMEOUT_MS, async () => {
      const started = process.hrtime.bigint();
      const { events, truncated } = await readTraceEvents(store, traceId);
      const spans = withNetworkTiming(events);
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (spans.length === 0) throw new NotFoundError(`no trace with id ${text.toLowerCase()}`);
      await sendJsonList(res, 200, { trace_id: text.toLowerCase(), truncated }, 'spans', spans, { 'server-timing': `store;dur=${elapsedMs.toFixed(2)}` });
    });
  });

  // A trace's logs (OTLP log records carrying its trace id), oldest first; `span_id` keeps one span's.
  // An unknown trace has no logs: 200 with an empty list, as a filter that matches nothing.
  router.add('GET', '/api/traces/:traceId/logs', async ({ res, params, url }) => {
    const text = params['traceId'] ?? '';
    const traceId = parseTraceIdHex(text);
    if (traceId === null) throw new BadRequestError(`'${text.slice(0, 64)}' is not a trace id: expected 32 hex digits, not all zero`);
    const spanId = url.searchParams.get('span_id');
    if (spanId !== null && !/^[0-9a-fA-F]{16}$/.test(spanId)) throw new BadRequestError(`span_id must be 16 hex digits, got '${spanId.slice(0, 64)}'`);
    await answers.admit(TRACE_ANSWER_TIMEOUT_MS, async () => {
      const { events, truncated } = await readTraceEvents(store, traceId);
      const logs = events.filter((e) => e['meta.annotation_type'] === 'log' && (spanId === null || e['trace.span_id'] === spanId.toLowerCase()));
      sendJson(res, 200, { trace_id: text.toLowerCase(), logs, truncated });
    });
  });

  router.add('GET', '/api/traces', async ({ res, url }) => {
    const limitText = url.searchParams.get('limit') ?? '20';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 1000) throw new BadRequestError(`limit must be an integer from 1 to 1000, got '${limitText}'`);
    const serviceName = url.searchParams.get('service.name') ?? undefined;
    const traces = await store.listTraces({ limit, ...(serviceName ? { serviceName } : {}) });
    sendJson(res, 200, { traces });
  });
}

/**
 * A trace's events, at most QUERY_LIMITS.traceSpans of them (the earliest); one more is read to
 * tell whether the trace has more (`truncated`).
 */
async function readTraceEvents(store: SpanStore, traceId: bigint): Promise<{ events: StoredEvent[]; truncated: boolean }> {
  const limit = QUERY_LIMITS.traceSpans.value;
  const events = await store.getTrace(traceId, { maxSpans: limit + 1 });
  return events.length > limit ? { events: events.slice(0, limit), truncated: true } : { events, truncated: false };
}
