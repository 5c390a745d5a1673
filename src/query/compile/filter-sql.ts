import type { FilterOp } from '../query-spec.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * SQL for each filter op over a column expression and its value placeholders. Every predicate is
 * NULL when the event lacks the column, so WHERE drops the event for negative ops too
 * (`!=`, does-not-*, not-in): a filter on a missing column is false. does-not-exist is the one
 * op that matches missing columns, by definition.
 */
export type FilterSql = (column: string, values: readonly string[], dialect: SqlDialect) => string;

const first = (values: readonly string[]): string => values[0] ?? 'NULL';

export const FILTER_SQL: Record<FilterOp, FilterSql> = {
  '=': (c, v) => `${c} = ${first(v)}`,
  '!=': (c, v) => `${c} <> ${first(v)}`,
  '>': (c, v) => `${c} > ${first(v)}`,
  '>=': (c, v) => `${c} >= ${first(v)}`,
  '<': (c, v) => `${c} < ${first(v)}`,
  '<=': (c, v) => `${c} <= ${first(v)}`,
  'starts-with': (c, v, d) => d.startsWith(c, first(v)),
  'does-not-start-with': (c, v, d) => `NOT ${d.startsWith(c, first(v))}`,
  'ends-with': (c, v, d) => d.endsWith(c, first(v)),
  'does-not-end-with': (c, v, d) => `NOT ${d.endsWith(c, first(v))}`,
  exists: (c) => `${c} IS NOT NULL`,
  'does-not-exist': (c) => `${c} IS NULL`,
  contains: (c, v, d) => d.contains(c, first(v)),
  'does-not-contain': (c, v, d) => `NOT ${d.contains(c, first(v))}`,
  in: (c, v) => `${c} IN (${v.join(', ')})`,
  'not-in': (c, v) => `${c} NOT IN (${v.join(', ')})`,
};
