/**
 * Large, realistic OTLP/JSON trace requests for tests and benchmarks of big bodies: several
 * resources, scopes, spans with attributes of every kind (arrays included), span events and links.
 */
const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

/** One request of about `targetBytes` bytes (within a few kB), spans timed around `nowMs`. */
export function largeOtlpJsonBody(targetBytes: number, nowMs: number = Date.now()): string {
  const resources: string[] = [];
  let size = 0;
  let span = 0;
  for (let r = 0; size < targetBytes; r++) {
    const spans: string[] = [];
    for (let i = 0; i < 500 && size < targetBytes; i++, span++) {
      const startNs = `${nowMs - (span % 60_000)}${hex(span % 1000, 3).replace(/[a-f]/g, '7')}000`;
      const endNs = `${nowMs - (span % 60_000) + (span % 97) + 1}000000`;
      const text = JSON.stringify({
        traceId: hex(Math.floor(span / 8) + 1, 32),
        spanId: hex(span + 1, 16),
        parentSpanId: span % 8 === 0 ? '' : hex(span - (span % 8) + 1, 16),
        name: `GET /api/items/${span % 50}`,
        kind: span % 8 === 0 ? 2 : 3,
        startTimeUnixNano: startNs,
        endTimeUnixNano: endNs,
        status: span % 17 === 0 ? { code: 2, message: 'upstream failed' } : {},
        attributes: [
          { key: 'http.route', value: { stringValue: `/api/items/${span % 50}` } },
          { key: 'http.status_code', value: { intValue: String(200 + (span % 5)) } },
          { key: 'user.id', value: { stringValue: `user-${span % 1000}` } },
          { key: 'cart.total', value: { doubleValue: (span % 1000) / 7 } },
          { key: 'cache.hit', value: { boolValue: span % 3 === 0 } },
          { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: String(span) }] } } },
        ],
        events: span % 10 === 0 ? [{ timeUnixNano: endNs, name: 'retry', attributes: [{ key: 'attempt', value: { intValue: '2' } }] }] : [],
        links: span % 25 === 0 ? [{ traceId: hex(span + 7, 32), spanId: hex(span + 9, 16), attributes: [] }] : [],
      });
      spans.push(text);
      size += text.length + 1;
    }
    resources.push(
      JSON.stringify({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${r % 8}` } }, { key: 'host.name', value: { stringValue: `host-${r}` } }] },
        scopeSpans: [{ scope: { name: 'big-test', version: '1.0' }, spans: [] }],
      }).replace('"spans":[]', `"spans":[${spans.join(',')}]`),
    );
  }
  return `{"resourceSpans":[${resources.join(',')}]}`;
}
