import { DERIVED_LIMITS } from '../core/limits/derived-limits.js';
import type { DerivedExpression, DerivedLiteral } from './derived-expression-ast.js';
import { DerivedExpressionError } from './derived-expression-syntax-error.js';

/**
 * Parses Honeycomb's derived-column language: `expr := call | column | literal`,
 * `call := NAME '(' (expr (',' expr)* ','?)? ')'`, columns `$name`, `$"odd name"` or
 * `` $`odd name` ``, literals `"text"` (Go-style escapes), `` `raw text` ``, integers, floats,
 * `true`, `false`, `null`. Names of functions are case-insensitive (kept upper-case).
 * @throws DerivedExpressionError with the character offset of what does not fit.
 */
export function parseDerivedExpression(text: string, field = 'expression'): DerivedExpression {
  const maxChars = DERIVED_LIMITS.expressionChars.value;
  if (text.length > maxChars) throw new DerivedExpressionError(`the expression is ${text.length} characters, more than ${maxChars} (derived.expressionChars)`, maxChars, field);
  const parser = new Parser(text, field);
  parser.skipSpace();
  if (parser.atEnd()) throw new DerivedExpressionError('the expression is empty', 0, field);
  const expression = parser.expression(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail(`unexpected '${text[parser.pos]}' after the end of the expression`);
  return expression;
}

/** Letters, digits and the punctuation Honeycomb allows in a bare `$column`. */
const COLUMN_CHAR = /[\p{L}\p{N}_./:=+?-]/u;
const NAME_START = /[A-Za-z]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const NUMBER = /^-?(\d+(\.\d+)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

class Parser {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly field: string,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new DerivedExpressionError(message, at, this.field);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/u.test(this.text[this.pos]!)) this.pos++;
  }

  expression(depth: number): DerivedExpression {
    this.skipSpace();
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === undefined) return this.fail('the expression ends where a value was expected');
    if (c === '$') return this.column();
    if (c === '"') return { type: 'literal', literal: { kind: 'string', value: this.quoted() }, position: start };
    if (c === '`') return { type: 'literal', literal: { kind: 'string', value: this.raw() }, position: start };
    if (c === '-' || c === '.' || /\d/.test(c)) return this.number();
    if (NAME_START.test(c)) {
      let end = this.pos + 1;
      while (end < this.text.length && NAME_CHAR.test(this.text[end]!)) end++;
      const word = this.text.slice(this.pos, end);
      this.pos = end;
      const lower = word.toLowerCase();
      this.skipSpace();
      if (this.text[this.pos] !== '(') {
        if (lower === 'true' || lower === 'false') return { type: 'literal', literal: { kind: 'boolean', value: lower === 'true' }, position: start };
        if (lower === 'null') return { type: 'literal', literal: { kind: 'null' }, position: start };
        return this.fail(`'${word}' is neither a function call nor a value: write columns as $${word}`, start);
      }
      return this.call(word.toUpperCase(), start, depth);
    }
    return this.fail(`unexpected '${c}' where a value was expected`);
  }

  private call(name: string, start: number, depth: number): DerivedExpression {
    const maxDepth = DERIVED_LIMITS.expressionDepth.value;
    if (depth >= maxDepth) this.fail(`calls are nested more than ${maxDepth} deep (derived.expressionDepth)`, start);
    this.pos++; // '('
    const args: DerivedExpression[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ')') break;
      args.push(this.expression(depth + 1));
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === ')') break;
      this.fail(next === undefined ? `${name}( is not closed` : `expected ',' or ')' in the arguments of ${name}, found '${next}'`);
    }
    this.pos++; // ')'
    return { type: 'call', name, args, position: start };
  }

  private column(): DerivedExpression {
    const start = this.pos;
    this.pos++; // '$'
    const c = this.text[this.pos];
    if (c === '"') return { type: 'column', name: this.quoted(), position: start };
    if (c === '`') return { type: 'column', name: this.raw(), position: start };
    const from = this.pos;
    while (!this.atEnd() && COLUMN_CHAR.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === from) this.fail("'$' must be followed by a column name", start);
    return { type: 'column', name: this.text.slice(from, this.pos), position: start };
  }

  private number(): DerivedExpression {
    const start = this.pos;
    const match = NUMBER.exec(this.text.slice(this.pos));
    if (!match) return this.fail(`unexpected '${this.text[this.pos]}' where a value was expected`);
    const written = match[0];
    this.pos += written.length;
    let literal: DerivedLiteral;
    if (/^-?\d+$/.test(written)) {
      const value = BigInt(written);
      if (value > INT64_MAX || value < INT64_MIN) this.fail(`${written} does not fit a 64-bit integer`, start);
      literal = { kind: 'integer', value };
    } else {
      const value = Number(written);
      if (!Number.isFinite(value)) this.fail(`${written} is out of range`, start);
      literal = { kind: 'float', value };
    }
    return { type: 'literal', literal, position: start };
  }

  /** A backquoted raw string: everything up to the next backquote, no escapes. */
  private raw(): string {
    const start = this.pos;
    const end = this.text.indexOf('`', this.pos + 1);
    if (end < 0) this.fail('the `raw string` is not closed', start);
    this.pos = end + 1;
    return this.text.slice(start + 1, end);
  }

  /** A double-quoted string with Go's escapes (\n, \", \\, \xNN, \uNNNN, \UNNNNNNNN, \ooo). */
  private quoted(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('the "string" is not closed', start);
      if (c === '"') break;
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.pos += 2;
        continue;
      }
      const hexDigits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hexDigits > 0) {
        const hex = this.text.slice(this.pos + 2, this.pos + 2 + hexDigits);
        const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexDigits ? parseInt(hex, 16) : NaN;
        if (!(code <= 0x10ffff)) this.fail(`bad escape \\${e}${hex}`);
        out += String.fromCodePoint(code);
        this.pos += 2 + hexDigits;
        continue;
      }
      const octal = this.text.slice(this.pos + 1, this.pos + 4);
      if (/^[0-7]{3}$/.test(octal) && parseInt(octal, 8) <= 255) {
        out += String.fromCharCode(parseInt(octal, 8));
        this.pos += 4;
        continue;
      }
      this.fail(`unknown escape \\${e ?? ''}`);
    }
    this.pos++;
    return out;
  }
}
