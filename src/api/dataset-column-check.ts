import { InvalidQueryError } from '../core/errors.js';
import type { QuerySchema } from '../query/query-schema.js';
import { RELATIONAL_PREFIXES, type QuerySpec } from '../query/query-spec.js';

/**
 * Every column a spec names must be a column of its dataset, as `/1/columns/:dataset` lists them
 * (the spec was already checked against every dataset's columns, which `__all__` uses). A column
 * with a relational prefix (`root.`, `any.`, ...) names a related span, which may be in any dataset
 * (a trace crosses services), so it is left to that check.
 */
export function checkSpecColumnsInDataset(spec: QuerySpec, datasetSchema: QuerySchema, dataset: string): void {
  const check = (column: string | undefined, field: string): void => {
    if (column === undefined || datasetSchema.column(column) !== undefined) return;
    if (RELATIONAL_PREFIXES.some((prefix) => column.startsWith(prefix))) return;
    throw new InvalidQueryError(`${field}: no column '${column}' in dataset '${dataset}'`, field);
  };
  spec.calculations.forEach((c, i) => check(c.column, `calculations[${i}].column`));
  spec.filters.forEach((f, i) => check(f.column, `filters[${i}].column`));
  spec.breakdowns.forEach((b, i) => check(b, `breakdowns[${i}]`));
  spec.orders.forEach((o, i) => check(o.column, `orders[${i}].column`));
  spec.havings.forEach((h, i) => check(h.column, `havings[${i}].column`));
}
