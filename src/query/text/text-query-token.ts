/**
 * Tokens of the text query language. `word` covers keywords, ops written as words and bare
 * columns; the parser decides which from the position.
 */
export type TokenKind =
  | 'word'
  | 'quoted-column'
  | 'string'
  | 'number'
  | 'time'
  | 'duration'
  | 'symbol'
  | 'invalid'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Decoded text: the string or column without quotes and escapes; the raw text otherwise. */
  readonly value: string;
  /** Offsets in the query text: [start, end). */
  readonly start: number;
  readonly end: number;
  /** A string or backticked column whose closing quote is missing (only in tolerant lexing). */
  readonly unterminated?: boolean;
}
