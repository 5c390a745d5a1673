/** Time helpers. Nanoseconds are bigint; they never pass through a JS float. */

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

export function nowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}

/** RFC 3339 with all nine fractional digits, in UTC: 2026-11-22T00:38:50.123456789Z */
export function formatRfc3339Nanos(ns: bigint): string {
  let secs = ns / NS_PER_S;
  let frac = ns % NS_PER_S;
  if (frac < 0n) {
    frac += NS_PER_S;
    secs -= 1n;
  }
  const iso = new Date(Number(secs) * 1000).toISOString(); // ...SS.000Z
  return `${iso.slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}

const RFC3339_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses RFC 3339 keeping nanoseconds; null when malformed. */
export function parseRfc3339Nanos(text: string): bigint | null {
  const match = RFC3339_RE.exec(text);
  if (!match) return null;
  const base = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(base)) return null;
  const fraction = (match[2] ?? '').padEnd(9, '0');
  return BigInt(base) * NS_PER_MS + BigInt(fraction);
}
