import crypto from 'node:crypto';

/**
 * One OTLP/JSON request of `spans` server spans of one new trace, starting now, each carrying a
 * random `padding` string of about `paddingBytes` (so that a disk fills, or a replay takes a
 * while, in seconds) and its index as `i`.
 */
export function paddedOtlpJsonRequest(options: { service: string; spans: number; paddingBytes: number; durationMs: number }): string {
  const now = Date.now();
  const traceId = crypto.randomBytes(16).toString('hex');
  const spans = Array.from({ length: options.spans }, (_, i) => ({
    traceId,
    spanId: crypto.randomBytes(8).toString('hex'),
    name: `op-${i % 7}`,
    kind: 2,
    startTimeUnixNano: `${now}000000`,
    endTimeUnixNano: `${now + options.durationMs}000000`,
    attributes: [
      { key: 'padding', value: { stringValue: crypto.randomBytes(Math.ceil((options.paddingBytes * 3) / 4)).toString('base64') } },
      { key: 'i', value: { intValue: String(i) } },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: options.service } }] }, scopeSpans: [{ spans }] }] });
}
