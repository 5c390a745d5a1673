import { CALCULATION_OPS, FILTER_OPS } from '../query-spec.js';

/** Clauses in the order the printer writes them; the parser accepts them in any order, once each. */
export const CLAUSES = ['VISUALIZE', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'LIMIT', 'LAST', 'FROM', 'GRANULARITY'] as const;
export type Clause = (typeof CLAUSES)[number];

/** Words that are never read as a bare column name; such columns are written in backticks. */
const RESERVED = new Set<string>([
  'visualize',
  'where',
  'group',
  'order',
  'by',
  'having',
  'limit',
  'last',
  'from',
  'to',
  'granularity',
  'and',
  'or',
  'asc',
  'desc',
  'true',
  'false',
  ...CALCULATION_OPS.map((op) => op.toLowerCase()),
  ...FILTER_OPS.filter((op) => /^[a-z-]+$/.test(op)),
]);

export function isReservedWord(word: string): boolean {
  return RESERVED.has(word.toLowerCase());
}

/** The first word of each clause, lowercased: what starts a clause. */
export const CLAUSE_STARTS: ReadonlyMap<string, Clause> = new Map([
  ['visualize', 'VISUALIZE'],
  ['where', 'WHERE'],
  ['group', 'GROUP BY'],
  ['order', 'ORDER BY'],
  ['having', 'HAVING'],
  ['limit', 'LIMIT'],
  ['last', 'LAST'],
  ['from', 'FROM'],
  ['granularity', 'GRANULARITY'],
]);
