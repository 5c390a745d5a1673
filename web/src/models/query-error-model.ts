/**
 * A query error as the editor shows it: words a user reads ("Expected BY, found 'user.id'"
 * rather than "at 22: expected BY, found 'user.id'"), where it is (line and column), and the
 * range to underline: the whole token at the position, not one character.
 */
import { lexTextQuery } from '../../../src/query/text/text-query-lexer.js';

export interface QueryErrorView {
  readonly message: string;
  /** Character range to underline, [from, to); null when the error has no place in the text. */
  readonly range: { readonly from: number; readonly to: number } | null;
}

/**
 * `at 14: expected …` → `Expected …`, `at 14: calculations[0].column: no column nope` → `No
 * column nope`: the underline and the line/column say where; spec field paths mean nothing to
 * someone who wrote text.
 */
function plainWords(message: string): string {
  const rest = message.replace(/^at \d+:\s*/, '').replace(/^[a-z_]+\[\d+\](?:\.[a-z_]+)*(?:\[\d+\])?:\s*/, '');
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

export function describeQueryError(text: string, message: string, position: number | null): QueryErrorView {
  const words = plainWords(message);
  if (position === null || !Number.isFinite(position)) return { message: words, range: null };
  const at = Math.max(0, Math.min(position, text.length));
  const token = lexTextQuery(text, { tolerant: true }).find((t) => t.kind !== 'eof' && t.start <= at && at < t.end);
  // At the end of the text (something is missing) the last character carries the underline.
  const range = token !== undefined ? { from: token.start, to: token.end } : at >= text.length ? { from: Math.max(0, text.length - 1), to: text.length } : { from: at, to: at + 1 };
  const { line, column } = lineAndColumn(text, at);
  const where = text.includes('\n') ? ` (line ${line}, column ${column})` : ` (at character ${column})`;
  return { message: `${words}${where}`, range };
}
