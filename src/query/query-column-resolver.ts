import { InvalidQueryError } from '../core/errors.js';
import { CALCULATION_OP_TRAITS } from './calculation-op-traits.js';
import { calculationLabel } from './calculation-label.js';
import { suggestColumnName } from './column-name-suggester.js';
import { FILTER_OP_TRAITS } from './filter-op-traits.js';
import type { ColumnBinding, ColumnType, QuerySchema } from './query-schema.js';
import type { FilterScalar, QuerySpec } from './query-spec.js';
import type { ColumnRelation, ResolvedColumn, ResolvedFilter, ResolvedQuery, TypedValue } from './resolved-query.js';

const PREFIX_RELATIONS: ReadonlyArray<readonly [string, ColumnRelation]> = [
  ['root.', 'root'],
  ['parent.', 'parent'],
  ['any.', 'any'],
  ['none.', 'none'],
];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fail(field: string, message: string): never {
  throw new InvalidQueryError(`${field}: ${message}`, field);
}

function isNumeric(type: ColumnType): boolean {
  return type === 'integer' || type === 'float';
}

/**
 * Finds the column a written name refers to. A name the dataset has verbatim wins over a
 * relational reading of it (a real attribute called `parent.id` stays reachable); otherwise a
 * `root.`/`parent.`/`any.`/`none.` prefix selects the related event.
 */
function lookup(
  schema: QuerySchema,
  written: string,
  allowed: readonly ColumnRelation[],
  field: string,
): ResolvedColumn {
  const direct = schema.column(written);
  if (direct) return { written, relation: 'event', binding: direct };
  for (const [prefix, relation] of PREFIX_RELATIONS) {
    if (!written.startsWith(prefix)) continue;
    const binding = schema.column(written.slice(prefix.length));
    if (!binding) continue;
    if (!allowed.includes(relation)) {
      const where = relation === 'any' || relation === 'none' ? 'filters' : 'filters and breakdowns';
      fail(field, `the ${prefix} prefix is only allowed in ${where}`);
    }
    // A derived column is computed with the event's own relatives; those of another event are not joined.
    if (binding.derivation !== undefined) fail(field, `${binding.name} is derived from a span and its parent; the ${prefix} prefix does not apply to it`);
    return { written, relation, binding };
  }
  const names = schema.columns().map((c) => c.name);
  const prefix = PREFIX_RELATIONS.find(([p]) => written.startsWith(p))?.[0];
  const suggestion =
    suggestColumnName(written, names) ??
    (prefix === undefined ? undefined : mapDefined(suggestColumnName(written.slice(prefix.length), names), (s) => prefix + s));
  fail(field, suggestion === undefined ? `no column ${written}` : `no column ${written}; did you mean ${suggestion}?`);
}

function mapDefined<T, U>(value: T | undefined, f: (v: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}

function toNumber(value: FilterScalar, binding: ColumnBinding, field: string): TypedValue {
  let text: string;
  if (typeof value === 'number') {
    if (binding.type === 'integer' && Number.isSafeInteger(value)) return { type: 'integer', value: BigInt(value) };
    return { type: 'float', value };
  }
  if (typeof value === 'boolean') return fail(field, `${value} is not a number (${binding.name} is ${binding.type})`);
  text = value.trim();
  if (!NUMERIC_TEXT.test(text)) return fail(field, `'${value}' is not a number (${binding.name} is ${binding.type})`);
  if (binding.type === 'integer' && /^[+-]?\d+$/.test(text)) {
    const big = BigInt(text);
    if (big >= INT64_MIN && big <= INT64_MAX) return { type: 'integer', value: big };
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return fail(field, `'${value}' is out of range`);
  return { type: 'float', value: n === 0 ? 0 : n };
}

/** Converts a spec value to the column's type, as comparisons follow the column's type. */
function typedValue(value: FilterScalar, binding: ColumnBinding, field: string): TypedValue {
  switch (binding.type) {
    case 'string':
      return { type: 'string', value: String(value) };
    case 'integer':
    case 'float':
      return toNumber(value, binding, field);
    case 'boolean': {
      if (typeof value === 'boolean') return { type: 'boolean', value };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return { type: 'boolean', value: value.trim().toLowerCase() === 'true' };
      return fail(field, `${typeof value === 'string' ? `'${value}'` : value} is not a boolean (${binding.name} is boolean)`);
    }
  }
}

/**
 * Binds every column of a validated spec to the dataset's schema, checks column types against the
 * ops, and converts filter values to the column types.
 * @throws InvalidQueryError naming the field, with the nearest column name when one is close.
 */
export function resolveQueryColumns(spec: QuerySpec, schema: QuerySchema): ResolvedQuery {
  const calculations = spec.calculations.map((calc, i) => {
    const field = `calculations[${i}].column`;
    if (calc.column === undefined) return { op: calc.op, label: calculationLabel(calc) };
    const column = lookup(schema, calc.column, ['event'], field);
    if (CALCULATION_OP_TRAITS[calc.op].numericColumn && !isNumeric(column.binding.type)) {
      fail(field, `${calc.op} needs a numeric column; ${calc.column} is ${column.binding.type}`);
    }
    return { op: calc.op, column, label: calculationLabel(calc) };
  });

  const filters: ResolvedFilter[] = spec.filters.map((f, i) => {
    const column = lookup(schema, f.column, ['event', 'root', 'parent', 'any', 'none'], `filters[${i}].column`);
    const traits = FILTER_OP_TRAITS[f.op];
    if (!traits.columnTypes.includes(column.binding.type)) {
      fail(`filters[${i}].op`, `${f.op} does not apply to ${f.column} (${column.binding.type})`);
    }
    const raw = f.value === undefined ? [] : Array.isArray(f.value) ? f.value : [f.value as FilterScalar];
    const values = raw.map((v, j) => typedValue(v, column.binding, Array.isArray(f.value) ? `filters[${i}].value[${j}]` : `filters[${i}].value`));
    return { column, op: f.op, values };
  });

  const breakdowns = spec.breakdowns.map((b, i) => lookup(schema, b, ['event', 'root', 'parent'], `breakdowns[${i}]`));

  return { spec, calculations, filters, breakdowns };
}
