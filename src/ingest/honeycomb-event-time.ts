import { parseRfc3339Nanos } from '../core/unix-nanos.js';

const NS_PER_S = 1_000_000_000n;
/** Honeycomb replaces timestamps more than an hour ahead of the receive time. */
const MAX_FUTURE_NS = 3_600n * NS_PER_S;
const DECIMAL_SECONDS_RE = /^(\d{1,12})(?:\.(\d{1,30}))?$/;

/**
 * Parses Unix seconds written in decimal ("1700000000", "1700000000.123456789") without passing
 * through a float, so nanoseconds survive. Digits beyond the ninth fractional one are truncated.
 */
function parseDecimalSeconds(text: string): bigint | null {
  const match = DECIMAL_SECONDS_RE.exec(text);
  if (!match) return null;
  const fraction = (match[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(match[1]!) * NS_PER_S + BigInt(fraction);
}

function parseSecondsNumber(seconds: number): bigint | null {
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  // String(n) is exact for the usual magnitudes; exponent forms fall back to float arithmetic.
  const exact = parseDecimalSeconds(String(seconds));
  if (exact !== null) return exact;
  const whole = Math.floor(seconds);
  return BigInt(whole) * NS_PER_S + BigInt(Math.round((seconds - whole) * 1e9));
}

/**
 * The time of a Honeycomb event, from the X-Honeycomb-Event-Time header or a batch item's `time`:
 * RFC 3339 text, or Unix seconds as text or a number (fractions allowed).
 * Absent, unparsable, negative, or more than one hour after `receivedAtNs` → `receivedAtNs`
 * (Honeycomb accepts such events and stamps them with the receive time; so do we).
 */
export function resolveHoneycombEventTime(raw: unknown, receivedAtNs: bigint): bigint {
  let parsed: bigint | null = null;
  if (typeof raw === 'string') {
    const text = raw.trim();
    parsed = parseRfc3339Nanos(text) ?? parseDecimalSeconds(text);
  } else if (typeof raw === 'number') {
    parsed = parseSecondsNumber(raw);
  } else if (raw instanceof Date) {
    // msgpack's timestamp extension decodes to a Date.
    const ms = raw.getTime();
    parsed = Number.isFinite(ms) && ms >= 0 ? BigInt(ms) * 1_000_000n : null;
  }
  if (parsed === null || parsed < 0n || parsed > receivedAtNs + MAX_FUTURE_NS) return receivedAtNs;
  return parsed;
}
