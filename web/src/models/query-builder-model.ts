/**
 * The query builder's editable rows and their two-way mapping to the Query Specification.
 * Rows hold text as typed (a half-written filter is a valid row); `specFromBuilder` keeps only
 * complete rows and says which ones it left out, so the builder never loses what the user typed
 * and the text editor always shows a query that runs.
 */
import { calculationLabel } from '../../../src/query/calculation-label.js';
import { CALCULATION_OP_TRAITS } from '../../../src/query/calculation-op-traits.js';
import { FILTER_OP_TRAITS } from '../../../src/query/filter-op-traits.js';
import type { ColumnType } from '../../../src/query/query-schema.js';
import {
  CALCULATION_OPS,
  DEFAULT_LIMIT,
  type Calculation,
  type CalculationOp,
  type Filter,
  type FilterCombination,
  type FilterOp,
  type FilterScalar,
  type Having,
  type HavingOp,
  type Order,
  type OrderDirection,
  type QuerySpec,
} from '../../../src/query/query-spec.js';

export interface CalculationRow {
  op: CalculationOp;
  column: string;
}
export interface FilterRow {
  column: string;
  op: FilterOp;
  /** As typed; lists are comma-separated, items in double quotes when they hold a comma. */
  value: string;
}
export interface OrderRow {
  /** A calculation's written form (`P95(duration_ms)`) or a breakdown column. */
  key: string;
  order: OrderDirection;
}
export interface HavingRow {
  /** A calculation's written form. */
  calculation: string;
  op: HavingOp;
  value: string;
}

export interface BuilderState {
  calculations: CalculationRow[];
  filters: FilterRow[];
  filterCombination: FilterCombination;
  breakdowns: string[];
  orders: OrderRow[];
  havings: HavingRow[];
  limit: string;
}

/** Looks up a column's type; undefined for a column the dataset does not have (yet). */
export type ColumnTypeOf = (column: string) => ColumnType | undefined;

function scalarText(value: FilterScalar): string {
  return String(value);
}

function listItemText(value: FilterScalar): string {
  const text = String(value);
  return typeof value === 'string' && (/[,"]/.test(text) || text.trim() !== text || text === '') ? JSON.stringify(text) : text;
}

export function filterValueText(filter: Filter): string {
  const value = filter.value;
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(listItemText).join(', ');
  return scalarText(value as FilterScalar);
}

export function builderFromSpec(spec: QuerySpec): BuilderState {
  return {
    calculations: spec.calculations.map((c) => ({ op: c.op, column: c.column ?? '' })),
    filters: spec.filters.map((f) => ({ column: f.column, op: f.op, value: filterValueText(f) })),
    filterCombination: spec.filter_combination,
    breakdowns: [...spec.breakdowns],
    orders: spec.orders.map((o) => ({
      key: o.op !== undefined ? calculationLabel(o.column === undefined ? { op: o.op } : { op: o.op, column: o.column }) : o.column ?? '',
      order: o.order,
    })),
    havings: spec.havings.map((h) => ({
      calculation: calculationLabel(h.column === undefined ? { op: h.calculate_op } : { op: h.calculate_op, column: h.column }),
      op: h.op,
      value: String(h.value),
    })),
    limit: String(spec.limit),
  };
}

/** `P95(duration_ms)` → {op, column}; `COUNT` → {op}; null when not a calculation. */
export function parseCalculationLabel(text: string): Calculation | null {
  const match = /^([A-Z0-9_]+)(?:\((.+)\))?$/.exec(text.trim());
  if (!match) return null;
  const op = CALCULATION_OPS.find((candidate) => candidate === match[1]);
  if (op === undefined) return null;
  const column = match[2];
  if (CALCULATION_OP_TRAITS[op].takesColumn !== (column !== undefined)) return null;
  return column === undefined ? { op } : { op, column };
}

/** A typed value for a column: numbers for numeric columns, booleans for boolean ones. */
export function typedScalar(text: string, type: ColumnType | undefined): FilterScalar {
  const trimmed = text.trim();
  if ((type === 'integer' || type === 'float') && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (type === 'boolean' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return text;
}

/** Splits `a, "b, c", d` into items; quoted items are JSON strings. */
export function splitListText(text: string): string[] {
  const items: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (re.lastIndex < text.length && (match = re.exec(text)) !== null) {
    const raw = match[1] ?? '';
    if (raw.startsWith('"')) {
      try {
        items.push(JSON.parse(raw) as string);
      } catch {
        items.push(raw);
      }
    } else if (raw !== '') items.push(raw);
    if (match[0] === '') break;
  }
  return items;
}

export interface BuilderConversion {
  spec: QuerySpec;
  /** Rows left out because they are incomplete, in words for the user. */
  skipped: string[];
}

/** The spec the builder rows describe; time fields come from `base`. */
export function specFromBuilder(state: BuilderState, base: QuerySpec, typeOf: ColumnTypeOf): BuilderConversion {
  const skipped: string[] = [];
  const calculations: Calculation[] = [];
  state.calculations.forEach((row, i) => {
    const column = row.column.trim();
    if (!CALCULATION_OP_TRAITS[row.op].takesColumn) calculations.push({ op: row.op });
    else if (column === '') skipped.push(`VISUALIZE ${i + 1}: ${row.op} needs a column`);
    else calculations.push({ op: row.op, column });
  });

  const filters: Filter[] = [];
  state.filters.forEach((row, i) => {
    const column = row.column.trim();
    const arity = FILTER_OP_TRAITS[row.op].arity;
    if (column === '') {
      if (row.value.trim() !== '') skipped.push(`WHERE ${i + 1}: needs a column`);
      return;
    }
    const type = typeOf(column);
    if (arity === 'none') filters.push({ column, op: row.op });
    else if (arity === 'list') {
      const items = splitListText(row.value);
      if (items.length === 0) skipped.push(`WHERE ${i + 1}: ${row.op} needs at least one value`);
      else filters.push({ column, op: row.op, value: items.map((item) => typedScalar(item, type)) });
    } else if (row.value === '' && type !== 'string' && type !== undefined) skipped.push(`WHERE ${i + 1}: ${row.op} needs a value`);
    else filters.push({ column, op: row.op, value: typedScalar(row.value, type) });
  });

  const breakdowns = state.breakdowns.map((b) => b.trim()).filter((b) => b !== '');

  const orders: Order[] = [];
  state.orders.forEach((row, i) => {
    const key = row.key.trim();
    if (key === '') return;
    const calc = parseCalculationLabel(key);
    if (calc !== null) orders.push(calc.column === undefined ? { op: calc.op, order: row.order } : { op: calc.op, column: calc.column, order: row.order });
    else if (breakdowns.includes(key)) orders.push({ column: key, order: row.order });
    else skipped.push(`ORDER BY ${i + 1}: ${key} is neither a calculation nor a GROUP BY column`);
  });

  const havings: Having[] = [];
  state.havings.forEach((row, i) => {
    const calc = parseCalculationLabel(row.calculation);
    const value = Number(row.value.trim());
    if (row.calculation.trim() === '') return;
    if (calc === null) skipped.push(`HAVING ${i + 1}: ${row.calculation} is not a calculation`);
    else if (row.value.trim() === '' || !Number.isFinite(value)) skipped.push(`HAVING ${i + 1}: needs a number`);
    else havings.push(calc.column === undefined ? { calculate_op: calc.op, op: row.op, value } : { calculate_op: calc.op, column: calc.column, op: row.op, value });
  });

  const limitNumber = Number(state.limit.trim());
  let limit = DEFAULT_LIMIT;
  if (state.limit.trim() !== '') {
    if (Number.isInteger(limitNumber) && limitNumber > 0) limit = limitNumber;
    else skipped.push('LIMIT: needs a positive whole number');
  }

  const spec: QuerySpec = {
    ...base,
    calculations,
    filters,
    filter_combination: filters.length < 2 ? 'AND' : state.filterCombination,
    breakdowns,
    orders,
    havings,
    limit,
  };
  return { spec, skipped };
}

/** Filter ops that make sense for a column of this type (all of them when the type is unknown). */
export function filterOpsFor(type: ColumnType | undefined): FilterOp[] {
  return (Object.keys(FILTER_OP_TRAITS) as FilterOp[]).filter((op) => type === undefined || FILTER_OP_TRAITS[op].columnTypes.includes(type));
}
