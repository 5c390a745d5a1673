import { parse as parseLosslessJson } from 'lossless-json';

/**
 * JSON.parse, except that an integer literal beyond ±(2^53 − 1) becomes an exact bigint instead of
 * the nearest double. OTLP/JSON lets senders write int64 fields (times in nanoseconds, intValue)
 * as JSON numbers, and Honeycomb events carry whatever integers the sender has; both must be kept
 * to the last digit.
 *
 * Node 20's JSON.parse gives a reviver no access to a number's source text, so a body that may
 * hold such a literal is parsed by lossless-json instead (≈ 3-4× slower than JSON.parse, see
 * bench/decode-throughput.ts). Deciding which bodies "may" is a cheap scan: every JSON number
 * follows `:`, `,`, `[` (or starts the text), optionally after whitespace, so a body where no such
 * place is followed by 16 digits holds no integer that a double could round. Digits inside
 * strings can only cause a false alarm (the exact parser, same result), never a miss.
 *
 * Literals with a fraction or an exponent stay doubles, as in JSON.parse. Duplicate keys: the last
 * one wins, as in JSON.parse. `__proto__` is an ordinary own key, as in JSON.parse.
 * Throws SyntaxError for malformed text, RangeError when the nesting is too deep for the stack.
 */
export function parseJsonKeepingIntegers(text: string): unknown {
  if (!MAYBE_UNSAFE_INTEGER_RE.test(text)) return JSON.parse(text) as unknown;
  return parseLosslessJson(text, null, { parseNumber: exactNumber, onDuplicateKey: lastValueWins });
}

/** 16 digits is the shortest literal that can exceed 2^53 − 1 = 9007199254740991. */
const MAYBE_UNSAFE_INTEGER_RE = /(?:^|[:,[])[ \t\r\n]*-?\d{16}/;
const INTEGER_RE = /^-?\d+$/;

function exactNumber(literal: string): number | bigint {
  if (literal.length < 16 || !INTEGER_RE.test(literal)) return Number(literal);
  const rounded = Number(literal);
  return Number.isSafeInteger(rounded) ? rounded : BigInt(literal);
}

function lastValueWins({ newValue }: { newValue: unknown }): unknown {
  return newValue;
}
