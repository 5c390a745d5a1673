import type { SpanRow } from './span-table-fixture.js';

/** Start of the conformance window, a multiple of 60 s so minute buckets start at T0. */
export const T0 = 1_699_999_980;
export const RANGE = { start_time: T0, end_time: T0 + 600 };

const NS = 1_000_000_000n;
const at = (seconds: number): bigint => BigInt(T0 + seconds) * NS;
const ms = (millis: number): bigint => BigInt(millis) * 1_000_000n;

export const TRACE_A = 0xa0000000000000000000000000000001n;
export const TRACE_B = 0xb0000000000000000000000000000002n;
export const TRACE_C = 0xc0000000000000000000000000000003n;
export const TRACE_D = 0xd0000000000000000000000000000004n;
export const NASTY_ROUTE = 'q"uote\\';
export const NASTY_USER = "'); DROP TABLE x; --";

/**
 * Seven events inside [T0, T0+600) and one after it.
 * trace A: frontend root (1) with children db (2) and api (3, an error)
 * trace B: frontend root (4, 130 s long, sample rate 2) with child db (5, sample rate 2)
 * trace C: frontend root (6, an error)
 * event 8: a Honeycomb event without trace, duration or service
 * trace D: outside the range (610 s)
 */
export const CONFORMANCE_ROWS: readonly SpanRow[] = [
  { tsNs: at(10), durationNs: ms(100), traceId: TRACE_A, spanId: 0xa1n, name: 'GET /cart', serviceName: 'frontend', statusCode: 'ok', attributes: { 'http.route': '/cart', 'user.id': 'u1', 'http.status_code': 200, 'cart.value': 10.5 } },
  { tsNs: at(20), durationNs: ms(40), traceId: TRACE_A, spanId: 0xa2n, parentId: 0xa1n, name: 'SELECT', serviceName: 'db', attributes: { 'cache.hit': true } },
  { tsNs: at(70), durationNs: ms(30), traceId: TRACE_A, spanId: 0xa3n, parentId: 0xa1n, name: 'GET /price', serviceName: 'api', statusCode: 'error', attributes: { 'http.route': '/price', 'user.id': 'u1', 'http.status_code': 500, 'cache.hit': false } },
  { tsNs: at(130), durationNs: ms(130_000), traceId: TRACE_B, spanId: 0xb1n, name: 'GET /checkout', serviceName: 'frontend', statusCode: 'ok', sampleRate: 2, attributes: { 'http.route': '/checkout', 'user.id': 'u2', 'http.status_code': 200, 'cart.value': 99.25 } },
  { tsNs: at(140), durationNs: ms(60), traceId: TRACE_B, spanId: 0xb2n, parentId: 0xb1n, name: 'SELECT', serviceName: 'db', sampleRate: 2, attributes: { 'cache.hit': false } },
  { tsNs: at(200), durationNs: ms(20), traceId: TRACE_C, spanId: 0xc1n, name: 'GET /cart', serviceName: 'frontend', statusCode: 'error', attributes: { 'http.route': '/cart', 'user.id': 'u3', 'http.status_code': 404, 'cart.value': 0 } },
  { tsNs: at(300), name: 'deploy', attributes: { 'http.route': NASTY_ROUTE, 'user.id': NASTY_USER } },
  { tsNs: at(610), durationNs: ms(10), traceId: TRACE_D, spanId: 0xd1n, name: 'GET /cart', serviceName: 'api', statusCode: 'ok', attributes: { 'http.route': '/cart' } },
];
