/** An attribute as OTLP/JSON writes it. */
export interface OtlpJsonAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
}

/** One span of a hand-written OTLP/JSON request: small numbers stand for the ids, which the builder pads to hex. */
export interface TestSpan {
  trace: number;
  span: number;
  parent?: number;
  name: string;
  /** Epoch milliseconds, a whole number (it is written as `${startMs}000000` nanoseconds). */
  startMs: number;
  ms: number;
  error?: boolean;
  attributes?: readonly OtlpJsonAttribute[];
  /** Adds an `exception` span event 1 ms after the start. */
  withEvent?: boolean;
}

/** `n` in lowercase hex, zero-padded to `digits`: how the builder turns span and trace numbers into ids. */
export const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

/** String values as strings, whole numbers as OTLP's int64 (a decimal string), other numbers as doubles, booleans as booleans. */
export function otlpAttributes(values: Readonly<Record<string, string | number | boolean>>): OtlpJsonAttribute[] {
  return Object.entries(values).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

/**
 * An OTLP/JSON ExportTraceServiceRequest of one service's spans: a root (no parent) is a server span,
 * a child a client span; `error` sets status ERROR "failed". `scope` names the instrumentation scope.
 */
export function otlpSpansJson(service: string, spans: readonly TestSpan[], scope?: { name: string; version: string }): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            ...(scope === undefined ? {} : { scope }),
            spans: spans.map((s) => ({
              traceId: hex(s.trace, 32),
              spanId: hex(s.span, 16),
              parentSpanId: s.parent === undefined ? '' : hex(s.parent, 16),
              name: s.name,
              kind: s.parent === undefined ? 2 : 3,
              startTimeUnixNano: `${s.startMs}000000`,
              endTimeUnixNano: `${s.startMs + s.ms}000000`,
              status: s.error ? { code: 2, message: 'failed' } : {},
              attributes: s.attributes ?? [],
              ...(s.withEvent ? { events: [{ name: 'exception', timeUnixNano: `${s.startMs + 1}000000` }] } : {}),
            })),
          },
        ],
      },
    ],
  });
}

/** POSTs an OTLP/JSON body to a running Waggle's /v1/traces; the caller asserts on the response. */
export function postOtlpJson(waggle: { baseUrl: string }, body: string): Promise<Response> {
  return fetch(`${waggle.baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}
