import { DEFAULT_LIMIT, type Calculation, type CalculationOp, type Filter, type FilterScalar, type QuerySpec } from '../query-spec.js';
import { formatDurationText } from './duration-text.js';
import { isReservedWord } from './text-query-keywords.js';
import { BARE_WORD } from './text-query-lexer.js';

/** Latest second toISOString can write with a four-digit year (9999-12-31T23:59:59Z). */
const MAX_ISO_SECONDS = 253_402_300_799;

export interface PrintOptions {
  /** One clause per line instead of one line. */
  readonly multiline?: boolean;
}

/** A column bare when the lexer reads it back as the same word, in backticks otherwise. */
export function printColumn(name: string): string {
  if (BARE_WORD.test(name) && !isReservedWord(name)) return name;
  // JSON string escapes, re-delimited with backticks.
  const inner = JSON.stringify(name).slice(1, -1).replace(/\\"/g, '"').replace(/`/g, '\\`');
  return `\`${inner}\``;
}

function printCalc(calc: { readonly op: CalculationOp; readonly column?: string }): string {
  return calc.column === undefined ? calc.op : `${calc.op}(${printColumn(calc.column)})`;
}

function printScalar(value: FilterScalar): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function printFilter(filter: Filter): string {
  const head = `${printColumn(filter.column)} ${filter.op}`;
  if (filter.value === undefined) return head;
  if (Array.isArray(filter.value)) return `${head} (${filter.value.map(printScalar).join(', ')})`;
  return `${head} ${printScalar(filter.value as FilterScalar)}`;
}

function printTime(seconds: number): string {
  if (seconds > MAX_ISO_SECONDS) return String(seconds);
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Writes a spec in the text language; parseTextQuery of the result gives back the same
 * normalized spec. The default limit is left out.
 */
export function printTextQuery(spec: QuerySpec, options: PrintOptions = {}): string {
  const clauses: string[] = [`VISUALIZE ${spec.calculations.map(printCalc).join(', ')}`];
  if (spec.filters.length > 0) clauses.push(`WHERE ${spec.filters.map(printFilter).join(` ${spec.filter_combination} `)}`);
  if (spec.breakdowns.length > 0) clauses.push(`GROUP BY ${spec.breakdowns.map(printColumn).join(', ')}`);
  if (spec.orders.length > 0) {
    const items = spec.orders.map((o) => {
      const target = o.op === undefined ? printColumn(o.column ?? '') : printCalc({ op: o.op, ...(o.column === undefined ? {} : { column: o.column }) });
      return `${target} ${o.order === 'descending' ? 'DESC' : 'ASC'}`;
    });
    clauses.push(`ORDER BY ${items.join(', ')}`);
  }
  if (spec.havings.length > 0) {
    const items = spec.havings.map((h) => {
      const calc: Calculation = { op: h.calculate_op, ...(h.column === undefined ? {} : { column: h.column }) };
      return `${printCalc(calc)} ${h.op} ${String(h.value)}`;
    });
    clauses.push(`HAVING ${items.join(', ')}`);
  }
  if (spec.limit !== DEFAULT_LIMIT) clauses.push(`LIMIT ${spec.limit}`);
  if (spec.start_time !== undefined && spec.end_time !== undefined) {
    clauses.push(`FROM ${printTime(spec.start_time)} TO ${printTime(spec.end_time)}`);
  } else {
    clauses.push(`LAST ${formatDurationText(spec.time_range)}`);
  }
  if (spec.granularity !== undefined) clauses.push(`GRANULARITY ${formatDurationText(spec.granularity)}`);
  return clauses.join(options.multiline === true ? '\n' : ' ');
}

