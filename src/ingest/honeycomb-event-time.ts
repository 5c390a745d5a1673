import { BadRequestError } from '../core/errors.js';

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;
/** Honeycomb replaces timestamps more than an hour ahead of the receive time. */
const MAX_FUTURE_NS = 3_600n * NS_PER_S;

/**
 * RFC 3339 as Honeycomb's clients write it (Go's time.RFC3339Nano, JavaScript's toISOString):
 * `T` or a space between date and time (RFC 3339 §5.6 allows both), any number of fractional
 * digits (nanoseconds kept, further digits truncated), `Z` or a numeric offset.
 */
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** A decimal number, maybe with a fraction and an exponent: `1452759330927`, `1452759330.927`, `1.452759330927e12`. */
const DECIMAL_RE = /^\+?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;

/**
 * Which unit a Unix time is in, told from its magnitude, as Honeycomb's own examples need
 * (`1452759330927` is milliseconds, `1452759330` seconds). Each bound is the value where the
 * smaller unit would be before the year 5138 and the larger one before March 1973, so each range
 * is unambiguous for every time from 1973 to 5138:
 *   below 1e11 → seconds, below 1e14 → milliseconds, below 1e17 → microseconds, else nanoseconds.
 */
const UNIT_BY_MAGNITUDE: ReadonlyArray<{ below: bigint; nsPerUnitExponent: number }> = [
  { below: 100_000_000_000n, nsPerUnitExponent: 9 },
  { below: 100_000_000_000_000n, nsPerUnitExponent: 6 },
  { below: 100_000_000_000_000_000n, nsPerUnitExponent: 3 },
];

/** Longer than any real time in any unit, with every fractional digit: a bound on bigint work. */
const MAX_UNIX_TIME_CHARS = 64;

const FORMS = 'RFC 3339 text or a Unix time in seconds or milliseconds (a number or a string)';

/**
 * The time of a Honeycomb event, from the X-Honeycomb-Event-Time header or a batch item's `time`:
 * RFC 3339 text, or a Unix time (seconds, milliseconds; fractions allowed) as a number or a string.
 * Absent (undefined, null, an empty string) → `receivedAtNs`. More than an hour after
 * `receivedAtNs` → `receivedAtNs`, Honeycomb's documented rule. Anything else that cannot be read
 * as a time, or a time before 1970, throws BadRequestError naming the value: a time that was sent
 * is never silently replaced.
 */
export function resolveHoneycombEventTime(raw: unknown, receivedAtNs: bigint): bigint {
  const parsed = parseHoneycombTime(raw);
  if (parsed === undefined) return receivedAtNs;
  if (parsed === null) throw new BadRequestError(`time ${describe(raw)} is not a time: send ${FORMS}`);
  if (parsed < 0n) throw new BadRequestError(`time ${describe(raw)} is before 1970; times before the Unix epoch are not accepted`);
  return parsed > receivedAtNs + MAX_FUTURE_NS ? receivedAtNs : parsed;
}

/** Nanoseconds; undefined when no time was given, null when what was given is not a time. */
function parseHoneycombTime(raw: unknown): bigint | null | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === '') return undefined;
    return parseRfc3339(text) ?? parseUnixTime(text);
  }
  if (typeof raw === 'number') return Number.isFinite(raw) ? parseUnixTime(String(raw)) : null;
  // An exact JSON integer beyond 2^53, or a msgpack int64.
  if (typeof raw === 'bigint') return parseUnixTime(raw.toString());
  // msgpack's timestamp extension decodes to a Date.
  if (raw instanceof Date) {
    const ms = raw.getTime();
    return Number.isFinite(ms) ? BigInt(ms) * NS_PER_MS : null;
  }
  return null;
}

function parseRfc3339(text: string): bigint | null {
  const match = RFC3339_RE.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // 60 is a leap second; like Go and JavaScript, it is read as the next second's start.
  if (hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  if (match[8] === undefined) {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const fraction = (match[7] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(epochMs) * NS_PER_MS + BigInt(fraction);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A non-negative decimal Unix time, read digit by digit (no float), its unit told by magnitude. */
function parseUnixTime(text: string): bigint | null {
  if (text.length > MAX_UNIX_TIME_CHARS) return null;
  const match = DECIMAL_RE.exec(text);
  if (match === null) return text.startsWith('-') && DECIMAL_RE.test(text.slice(1)) ? -1n : null;
  const fractionDigits = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  // The value is digits × 10^scale.
  const digits = BigInt(`${match[1]!}${fractionDigits}`);
  const scale = exponent - fractionDigits.length;
  const whole = scale >= 0 ? digits * 10n ** BigInt(scale) : digits / 10n ** BigInt(-scale);
  const unit = UNIT_BY_MAGNITUDE.find((candidate) => whole < candidate.below);
  const toNs = scale + (unit?.nsPerUnitExponent ?? 0);
  return toNs >= 0 ? digits * 10n ** BigInt(toNs) : digits / 10n ** BigInt(-toNs);
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}...` : raw);
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  return Array.isArray(raw) ? 'an array' : `a value of type ${typeof raw}`;
}
