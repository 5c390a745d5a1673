import { TextQuerySyntaxError } from './text-query-syntax-error.js';
import type { Token } from './text-query-token.js';

/** Bare column names: words joined by dots, dashes or underscores. */
export const BARE_WORD = /^[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*$/;

const WORD_AT = /[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*/y;
const TIME_AT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})/y;
const DURATION_AT = /(?:\d+[smhdw])+(?![A-Za-z0-9_.])/y;
const NUMBER_AT = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_])/y;
const SYMBOL_AT = /!=|>=|<=|[=><(),]/y;

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '`': '`', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0' };

export interface LexOptions {
  /** Never throw: unterminated quotes run to the end, stray characters become `invalid` tokens. */
  readonly tolerant?: boolean;
}

function match(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

/** Reads a quoted string or column at `at` (the opening quote), JSON-style escapes. */
function readQuoted(text: string, at: number, quote: string, tolerant: boolean): Token {
  let out = '';
  let i = at + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) {
      return { kind: quote === '"' ? 'string' : 'quoted-column', value: out, start: at, end: i + 1 };
    }
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const simple = next === undefined ? undefined : SIMPLE_ESCAPES[next];
      if (simple === undefined) {
        if (tolerant) {
          out += next ?? '';
          i += 2;
          continue;
        }
        throw new TextQuerySyntaxError(`at ${i}: invalid escape \\${next ?? ''}`, i, ['an escape such as \\" \\\\ \\n \\u0041']);
      }
      out += simple;
      i += 2;
      continue;
    }
    out += ch;
    i += 1;
  }
  if (!tolerant) {
    const what = quote === '"' ? 'string' : 'column name';
    throw new TextQuerySyntaxError(`at ${at}: unterminated ${what}`, text.length, [`closing ${quote}`]);
  }
  return { kind: quote === '"' ? 'string' : 'quoted-column', value: out, start: at, end: text.length, unterminated: true };
}

/** Splits a text query into tokens, ending with one `eof` token. */
export function lexTextQuery(text: string, options: LexOptions = {}): Token[] {
  const tolerant = options.tolerant === true;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '"' || ch === '`') {
      const token = readQuoted(text, i, ch, tolerant);
      tokens.push(token);
      i = token.end;
      continue;
    }
    const raw =
      match(TIME_AT, text, i) ?? match(DURATION_AT, text, i);
    if (raw !== undefined) {
      tokens.push({ kind: raw.includes('T') ? 'time' : 'duration', value: raw, start: i, end: i + raw.length });
      i += raw.length;
      continue;
    }
    const number = match(NUMBER_AT, text, i);
    if (number !== undefined) {
      tokens.push({ kind: 'number', value: number, start: i, end: i + number.length });
      i += number.length;
      continue;
    }
    const matched = match(WORD_AT, text, i);
    if (matched !== undefined) {
      // While typing, `root.` or `user.` is a column name being written, not a word and a stray
      // dot: autocomplete must see it whole to offer what comes after the dot.
      const trailing = text[i + matched.length];
      const word = tolerant && (trailing === '.' || trailing === '-') ? matched + trailing : matched;
      tokens.push({ kind: 'word', value: word, start: i, end: i + word.length });
      i += word.length;
      continue;
    }
    const symbol = match(SYMBOL_AT, text, i);
    if (symbol !== undefined) {
      tokens.push({ kind: 'symbol', value: symbol, start: i, end: i + symbol.length });
      i += symbol.length;
      continue;
    }
    if (!tolerant) throw new TextQuerySyntaxError(`at ${i}: unexpected character '${ch}'`, i);
    // Keep a bad run together so autocomplete can still replace it as one word.
    let end = i + 1;
    while (end < text.length && !/[\s"`(),=<>!]/.test(text[end]!)) end += 1;
    tokens.push({ kind: 'invalid', value: text.slice(i, end), start: i, end });
    i = end;
  }
  tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return tokens;
}
