import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWaterfall } from './waterfall-layout-model.js';
import { groupTraceLogs, logMarkerOffsets, logMessage, logTimeOfDay, severityBand } from './trace-logs-model.js';

const span = (id: string, parent: string | null, ms: number, durationMs: number): Record<string, unknown> => ({
  timestamp: `2026-11-22T01:02:03.${String(ms).padStart(3, '0')}000000Z`,
  duration_ms: durationMs,
  'trace.span_id': id,
  ...(parent ? { 'trace.parent_id': parent } : {}),
  name: id,
  'service.name': 'svc',
});
const log = (spanId: string | null, ms: number, body: Record<string, unknown>): Record<string, unknown> => ({
  timestamp: `2026-11-22T01:02:03.${String(ms).padStart(3, '0')}000000Z`,
  ...(spanId ? { 'trace.span_id': spanId } : {}),
  'meta.annotation_type': 'log',
  'service.name': 'svc',
  ...body,
});

describe('trace logs model', () => {
  const rows = [span('aaaaaaaaaaaaaaaa', null, 0, 100), log('aaaaaaaaaaaaaaaa', 50, { body: 'second' }), log('aaaaaaaaaaaaaaaa', 10, { 'body.message': 'first', body: '{}' }), log(null, 5, { body: 'no span' }), log('ffffffffffffffff', 7, { body: 'gone span' })];

  it('puts a span\'s logs on it, oldest first, and keeps logs out of the span rows', () => {
    const model = buildWaterfall(rows);
    assert.equal(model.spans.size, 1);
    const root = model.spans.get('aaaaaaaaaaaaaaaa')!;
    assert.deepEqual(root.logs.map(logMessage), ['first', 'second']);
  });

  it('lists the logs naming no span of the trace apart, oldest first', () => {
    assert.deepEqual(buildWaterfall(rows).unattachedLogs.map(logMessage), ['no span', 'gone span']);
  });

  it('places markers along the bar as fractions of the span, clamped to its ends', () => {
    const { logsBySpan } = groupTraceLogs([...rows, log('aaaaaaaaaaaaaaaa', 200, { body: 'after' })]);
    const startNs = 1795309323000000000n;
    assert.deepEqual(logMarkerOffsets(logsBySpan.get('aaaaaaaaaaaaaaaa')!, startNs, 100_000_000n), [0.1, 0.5, 1]);
    assert.deepEqual(logMarkerOffsets([log(null, 0, {})], startNs, 0n), [0]);
  });

  it('shows a log\'s time as local time of day to the millisecond, not a nanosecond RFC 3339 string', () => {
    const at = new Date(2026, 10, 30, 9, 33, 30, 194);
    const timestamp = at.toISOString().replace('Z', '000000Z');
    assert.equal(logTimeOfDay({ timestamp }), '09:33:30.194');
    assert.equal(logTimeOfDay({}), '');
  });

  it('names the severity band by number, else by text', () => {
    assert.equal(severityBand({ severity_number: 17 }), 'error');
    assert.equal(severityBand({ severity_number: 13, severity_text: 'INFO' }), 'warn');
    assert.equal(severityBand({ severity_text: 'Warning' }), 'warn');
    assert.equal(severityBand({}), 'unspecified');
  });
});
