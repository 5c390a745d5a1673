import { InvalidQueryError } from '../../core/errors.js';
import { parseRfc3339Nanos } from '../../core/unix-nanos.js';
import { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, type CalculationOp, type FilterOp, type FilterScalar, type QuerySpec } from '../query-spec.js';
import { validateQuerySpec, type ValidateQueryOptions } from '../query-spec-validator.js';
import { resolveQueryColumns } from '../query-column-resolver.js';
import type { QuerySchema } from '../query-schema.js';
import { FILTER_OP_TRAITS } from '../filter-op-traits.js';
import { parseDurationText } from './duration-text.js';
import { CLAUSE_STARTS, isReservedWord, type Clause } from './text-query-keywords.js';
import { lexTextQuery } from './text-query-lexer.js';
import { TextQuerySyntaxError } from './text-query-syntax-error.js';
import type { Token } from './text-query-token.js';

type RawCalc = { op: CalculationOp; column?: string };

/** What the parser collects before validation, with where each list item started. */
interface Draft {
  spec: Record<string, unknown>;
  positions: Map<string, number>;
}

class TokenCursor {
  private index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.value.toLowerCase() === word;
  }

  isSymbol(symbol: string): boolean {
    const t = this.peek();
    return t.kind === 'symbol' && t.value === symbol;
  }

  fail(expected: readonly string[], token: Token = this.peek()): never {
    const found = token.kind === 'eof' ? 'the end of the query' : `'${token.value}'`;
    throw new TextQuerySyntaxError(`at ${token.start}: expected ${expected.join(' or ')}, found ${found}`, token.start, expected);
  }

  expectSymbol(symbol: string): Token {
    if (!this.isSymbol(symbol)) this.fail([`'${symbol}'`]);
    return this.next();
  }

  expectWord(word: string): Token {
    if (!this.isWord(word)) this.fail([word.toUpperCase()]);
    return this.next();
  }
}

function calcOpOf(token: Token): CalculationOp | undefined {
  if (token.kind !== 'word') return undefined;
  const upper = token.value.toUpperCase();
  return (CALCULATION_OPS as readonly string[]).includes(upper) ? (upper as CalculationOp) : undefined;
}

function column(cur: TokenCursor): string {
  const t = cur.peek();
  if (t.kind === 'quoted-column') return cur.next().value;
  if (t.kind === 'word' && !isReservedWord(t.value)) return cur.next().value;
  if (t.kind === 'word') {
    throw new TextQuerySyntaxError(`at ${t.start}: expected a column, found the keyword '${t.value}' (write \`${t.value}\` for a column of that name)`, t.start, ['a column']);
  }
  return cur.fail(['a column']);
}

/** `columnAt` is told where the column starts, so an error about the column underlines the column. */
function calculation(cur: TokenCursor, columnAt?: (start: number) => void): RawCalc {
  const op = calcOpOf(cur.peek());
  if (op === undefined) cur.fail(['a calculation such as COUNT or P99(duration_ms)']);
  cur.next();
  if (!cur.isSymbol('(')) return { op };
  cur.next();
  columnAt?.(cur.peek().start);
  const col = column(cur);
  cur.expectSymbol(')');
  return { op, column: col };
}

function filterOp(cur: TokenCursor): FilterOp {
  const t = cur.peek();
  const candidate = t.kind === 'symbol' ? t.value : t.kind === 'word' ? t.value.toLowerCase() : '';
  if ((FILTER_OPS as readonly string[]).includes(candidate)) {
    cur.next();
    return candidate as FilterOp;
  }
  return cur.fail(['an operator such as = != > starts-with exists in']);
}

function scalar(cur: TokenCursor): FilterScalar {
  const t = cur.peek();
  if (t.kind === 'string') return cur.next().value;
  if (t.kind === 'number') return Number(cur.next().value);
  if (t.kind === 'word' && (t.value.toLowerCase() === 'true' || t.value.toLowerCase() === 'false')) return cur.next().value.toLowerCase() === 'true';
  // A bare word reads as a string (`service.name = api`); the printer always quotes.
  if (t.kind === 'word' && !isReservedWord(t.value)) return cur.next().value;
  return cur.fail(['a value: "text", a number, true or false']);
}

function list<T>(cur: TokenCursor, item: () => T): T[] {
  const items = [item()];
  while (cur.isSymbol(',')) {
    cur.next();
    items.push(item());
  }
  return items;
}

function wholeSeconds(token: Token): number {
  if (token.kind === 'number' && /^\d+$/.test(token.value)) return Number(token.value);
  if (token.kind === 'time') {
    const ns = parseRfc3339Nanos(token.value);
    if (ns === null) throw new TextQuerySyntaxError(`at ${token.start}: invalid time '${token.value}'`, token.start, ['an RFC 3339 time']);
    if (ns % 1_000_000_000n !== 0n) throw new TextQuerySyntaxError(`at ${token.start}: times are whole seconds`, token.start, ['a time in whole seconds']);
    return Number(ns / 1_000_000_000n);
  }
  throw new TextQuerySyntaxError(`at ${token.start}: expected a time (RFC 3339 or Unix seconds), found '${token.value}'`, token.start, ['an RFC 3339 time', 'Unix seconds']);
}

function seconds(cur: TokenCursor): number {
  const t = cur.next();
  const value = t.kind === 'duration' ? parseDurationText(t.value) : t.kind === 'number' && /^\d+$/.test(t.value) ? Number(t.value) : undefined;
  if (value === undefined) cur.fail(['a duration such as 30s, 15m, 2h, 7d'], t);
  return value;
}

function clause(cur: TokenCursor, which: Clause, draft: Draft): void {
  const { spec, positions } = draft;
  const mark = (field: string, i: number): void => {
    positions.set(`${field}[${i}]`, cur.peek().start);
  };
  switch (which) {
    case 'VISUALIZE': {
      let i = 0;
      spec['calculations'] = list(cur, () => {
        const k = i++;
        mark('calculations', k);
        return calculation(cur, (start) => positions.set(`calculations[${k}].column`, start));
      });
      return;
    }
    case 'WHERE': {
      const filters: Record<string, unknown>[] = [];
      let combination: string | undefined;
      for (;;) {
        mark('filters', filters.length);
        const col = column(cur);
        const op = filterOp(cur);
        positions.set(`filters[${filters.length}].value`, cur.peek().start);
        const arity = FILTER_OP_TRAITS[op].arity;
        if (arity === 'none') filters.push({ column: col, op });
        else if (arity === 'scalar') filters.push({ column: col, op, value: scalar(cur) });
        else {
          cur.expectSymbol('(');
          const values = list(cur, () => scalar(cur));
          cur.expectSymbol(')');
          filters.push({ column: col, op, value: values });
        }
        if (!cur.isWord('and') && !cur.isWord('or')) break;
        const joiner = cur.next();
        const upper = joiner.value.toUpperCase();
        if (combination !== undefined && combination !== upper) {
          throw new TextQuerySyntaxError(`at ${joiner.start}: cannot mix AND and OR; a query has one filter combination`, joiner.start, [combination]);
        }
        combination = upper;
      }
      spec['filters'] = filters;
      if (combination !== undefined) spec['filter_combination'] = combination;
      return;
    }
    case 'GROUP BY': {
      let i = 0;
      spec['breakdowns'] = list(cur, () => (mark('breakdowns', i++), column(cur)));
      return;
    }
    case 'ORDER BY': {
      let i = 0;
      spec['orders'] = list(cur, () => {
        mark('orders', i++);
        const item: Record<string, unknown> = calcOpOf(cur.peek()) !== undefined ? { ...calculation(cur) } : { column: column(cur) };
        if (cur.isWord('asc') || cur.isWord('desc')) item['order'] = cur.next().value.toLowerCase() === 'asc' ? 'ascending' : 'descending';
        return item;
      });
      return;
    }
    case 'HAVING': {
      let i = 0;
      spec['havings'] = list(cur, () => {
        const k = i++;
        mark('havings', k);
        const calc = calculation(cur, (start) => positions.set(`havings[${k}].column`, start));
        const t = cur.peek();
        if (t.kind !== 'symbol' || !(HAVING_OPS as readonly string[]).includes(t.value)) cur.fail(['a comparison: = != > >= < <=']);
        cur.next();
        const v = cur.peek();
        if (v.kind !== 'number') cur.fail(['a number']);
        cur.next();
        return { calculate_op: calc.op, ...(calc.column === undefined ? {} : { column: calc.column }), op: t.value, value: Number(v.value) };
      });
      return;
    }
    case 'LIMIT': {
      const t = cur.peek();
      if (t.kind !== 'number' || !/^\d+$/.test(t.value)) cur.fail(['a whole number']);
      positions.set('limit', t.start);
      spec['limit'] = Number(cur.next().value);
      return;
    }
    case 'LAST':
      positions.set('time_range', cur.peek().start);
      spec['time_range'] = seconds(cur);
      return;
    case 'FROM':
      positions.set('start_time', cur.peek().start);
      spec['start_time'] = wholeSeconds(cur.next());
      cur.expectWord('to');
      positions.set('end_time', cur.peek().start);
      spec['end_time'] = wholeSeconds(cur.next());
      return;
    case 'GRANULARITY':
      positions.set('granularity', cur.peek().start);
      spec['granularity'] = seconds(cur);
      return;
  }
}

function clauseAt(cur: TokenCursor): Clause | undefined {
  const t = cur.peek();
  if (t.kind !== 'word') return undefined;
  return CLAUSE_STARTS.get(t.value.toLowerCase());
}

/**
 * Position of the validator's field: the field itself when the parser marked it
 * (`calculations[1].column`, `filters[0].value`), else where its item starts (`calculations[1].op`
 * → where calculation 1 starts).
 */
function positionOf(field: string | undefined, positions: Map<string, number>): number {
  if (field === undefined) return 0;
  const exact = positions.get(field) ?? positions.get(field.replace(/\[\d+\]$/, ''));
  if (exact !== undefined) return exact;
  const item = /^[a-z_]+(\[\d+\])?/.exec(field)?.[0] ?? field;
  return positions.get(item) ?? positions.get(item.replace(/\[\d+\]$/, '[0]')) ?? 0;
}

export interface ParseTextQueryOptions extends ValidateQueryOptions {
  /** When given, columns are checked against it too, so their errors carry a position. */
  readonly schema?: QuerySchema;
}

/**
 * Parses the text query language into a validated, normalized Query Specification.
 * `VISUALIZE P95(duration_ms), COUNT WHERE service.name = "api" GROUP BY user.id LAST 2h`
 * @throws TextQuerySyntaxError with the character position and what was expected there.
 */
export function parseTextQuery(text: string, options: ParseTextQueryOptions = {}): QuerySpec {
  const cur: TokenCursor = new TokenCursor(lexTextQuery(text));
  const draft: Draft = { spec: {}, positions: new Map() };
  const seen = new Set<Clause>();
  while (cur.peek().kind !== 'eof') {
    const which = clauseAt(cur);
    if (which === undefined) cur.fail(['a clause: VISUALIZE WHERE GROUP BY ORDER BY HAVING LIMIT LAST FROM GRANULARITY']);
    const start = cur.next();
    if (seen.has(which) || (which === 'LAST' && seen.has('FROM')) || (which === 'FROM' && seen.has('LAST'))) {
      throw new TextQuerySyntaxError(`at ${start.start}: ${which} given twice`, start.start, []);
    }
    seen.add(which);
    if (which === 'GROUP BY' || which === 'ORDER BY') cur.expectWord('by');
    clause(cur, which, draft);
  }
  try {
    const spec = validateQuerySpec(draft.spec, options);
    if (options.schema !== undefined) resolveQueryColumns(spec, options.schema);
    return spec;
  } catch (error) {
    if (!(error instanceof InvalidQueryError)) throw error;
    const position = positionOf(error.field, draft.positions);
    throw new TextQuerySyntaxError(`at ${position}: ${error.message}`, position, [], error.field);
  }
}
