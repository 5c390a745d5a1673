import { InvalidQueryError } from '../core/errors.js';
import { QUERY_LIMITS } from '../core/limits/query-limits.js';
import { parseDerivedExpression } from '../derived/derived-expression-parser.js';
import { valuesPerGroup } from './answer-values.js';
import { CALCULATION_OP_TRAITS } from './calculation-op-traits.js';
import { HEATMAP_BUCKETS } from './compile/calculation-sql.js';
import { calculationLabel } from './calculation-label.js';
import { FILTER_OP_TRAITS } from './filter-op-traits.js';
import {
  CALCULATION_OPS,
  DEFAULT_LIMIT,
  DEFAULT_TIME_RANGE_SECONDS,
  FILTER_COMBINATIONS,
  FILTER_OPS,
  HAVING_OPS,
  MAX_ARRAY_ITEMS,
  MAX_IN_VALUES,
  MAX_LIMIT,
  MAX_LIMIT_WITHOUT_SERIES,
  ORDER_DIRECTIONS,
  type Calculation,
  type CalculationOp,
  type Filter,
  type FilterScalar,
  type Having,
  type Order,
  type QueryCalculatedField,
  type QuerySpec,
} from './query-spec.js';

export interface ValidateQueryOptions {
  /** The caller will not ask for the series: limit may then go up to 10 000. */
  readonly disableSeries?: boolean;
}

const KNOWN_FIELDS = new Set([
  'calculations',
  'filters',
  'filter_combination',
  'breakdowns',
  'orders',
  'havings',
  'limit',
  'time_range',
  'start_time',
  'end_time',
  'granularity',
  'calculated_fields',
]);

const MAX_COLUMN_NAME_LENGTH = 1024;

type Json = Record<string, unknown>;

function fail(field: string, message: string): never {
  throw new InvalidQueryError(`${field}: ${message}`, field);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** null and undefined both mean "absent": JSON clients send either. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function oneOf<T extends string>(set: readonly T[], value: unknown, field: string, what: string): T {
  if (typeof value === 'string' && (set as readonly string[]).includes(value)) return value as T;
  return fail(field, `unknown ${what} ${describe(value)}`);
}

function array(value: unknown, field: string): readonly unknown[] {
  if (!present(value)) return [];
  if (!Array.isArray(value)) fail(field, 'must be a list');
  if (value.length > MAX_ARRAY_ITEMS) fail(field, `at most ${MAX_ARRAY_ITEMS} items, got ${value.length}`);
  return value;
}

function columnName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(field, 'must be a non-empty column name');
  if (value.length > MAX_COLUMN_NAME_LENGTH) fail(field, `column name longer than ${MAX_COLUMN_NAME_LENGTH} characters`);
  return value;
}

function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `must be a finite number, got ${describe(value)}`);
  return value === 0 ? 0 : value; // -0 would not survive a round trip through text
}

function integer(value: unknown, field: string, min: number): number {
  const n = finiteNumber(value, field);
  if (!Number.isSafeInteger(n)) fail(field, `must be an integer, got ${n}`);
  if (n < min) fail(field, `must be at least ${min}, got ${n}`);
  return n;
}

function opColumn(op: CalculationOp, column: unknown, field: string): { column?: string } {
  if (CALCULATION_OP_TRAITS[op].takesColumn) {
    if (!present(column)) fail(`${field}.column`, `${op} needs a column`);
    return { column: columnName(column, `${field}.column`) };
  }
  if (present(column)) fail(`${field}.column`, `${op} takes no column`);
  return {};
}

function calculation(raw: unknown, field: string): Calculation {
  if (!isObject(raw)) fail(field, 'must be an object {op, column?}');
  const op = oneOf(CALCULATION_OPS, raw['op'], `${field}.op`, 'op');
  return { op, ...opColumn(op, raw['column'], field) };
}

function scalar(value: unknown, field: string): FilterScalar {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return finiteNumber(value, field);
  return fail(field, `must be a string, number or boolean, got ${describe(value)}`);
}

function filter(raw: unknown, field: string): Filter {
  if (!isObject(raw)) fail(field, 'must be an object {column, op, value?}');
  const column = columnName(raw['column'], `${field}.column`);
  const op = oneOf(FILTER_OPS, raw['op'], `${field}.op`, 'op');
  const value = raw['value'];
  const arity = FILTER_OP_TRAITS[op].arity;
  if (arity === 'none') {
    if (present(value)) fail(`${field}.value`, `${op} takes no value`);
    return { column, op };
  }
  if (arity === 'list') {
    if (!Array.isArray(value) || value.length === 0) fail(`${field}.value`, `${op} needs a non-empty list of values`);
    if (value.length > MAX_IN_VALUES) fail(`${field}.value`, `at most ${MAX_IN_VALUES} values, got ${value.length}`);
    return { column, op, value: value.map((v, i) => scalar(v, `${field}.value[${i}]`)) };
  }
  if (!present(value)) fail(`${field}.value`, `${op} needs a value`);
  return { column, op, value: scalar(value, `${field}.value`) };
}

function sameCalculation(a: { op: CalculationOp; column?: string }, b: Calculation): boolean {
  return a.op === b.op && a.column === b.column;
}

function order(raw: unknown, field: string, calcs: readonly Calculation[], breakdowns: readonly string[]): Order {
  if (!isObject(raw)) fail(field, 'must be an object {op?, column?, order}');
  const direction = present(raw['order']) ? oneOf(ORDER_DIRECTIONS, raw['order'], `${field}.order`, 'order') : 'ascending';
  if (!present(raw['op'])) {
    const column = columnName(raw['column'], `${field}.column`);
    if (!breakdowns.includes(column)) fail(field, `${column} is neither a breakdown nor a calculation`);
    return { column, order: direction };
  }
  const op = oneOf(CALCULATION_OPS, raw['op'], `${field}.op`, 'op');
  const target = { op, ...opColumn(op, raw['column'], field) };
  if (!calcs.some((c) => sameCalculation(target, c))) fail(field, `${calculationLabel(target)} is not one of the calculations`);
  if (!CALCULATION_OP_TRAITS[op].scalarResult) fail(`${field}.op`, `cannot order by ${op}`);
  return { ...target, order: direction };
}

function having(raw: unknown, field: string, calcs: readonly Calculation[]): Having {
  if (!isObject(raw)) fail(field, 'must be an object {calculate_op, column?, op, value}');
  const calculateOp = oneOf(CALCULATION_OPS, raw['calculate_op'], `${field}.calculate_op`, 'op');
  if (!CALCULATION_OP_TRAITS[calculateOp].scalarResult) fail(`${field}.calculate_op`, `${calculateOp} cannot be used in a having`);
  const target = { op: calculateOp, ...opColumn(calculateOp, raw['column'], field) };
  if (!calcs.some((c) => sameCalculation(target, c))) fail(field, `${calculationLabel(target)} is not one of the calculations`);
  const op = oneOf(HAVING_OPS, raw['op'], `${field}.op`, 'op');
  const value = finiteNumber(raw['value'], `${field}.value`);
  return { calculate_op: calculateOp, ...(target.column === undefined ? {} : { column: target.column }), op, value };
}

interface TimeWindow {
  time_range: number;
  start_time?: number;
  end_time?: number;
}

const MAX_RESULT_VALUES = QUERY_LIMITS.resultValues.value;
const MAX_TIME_RANGE = QUERY_LIMITS.maxTimeRangeSeconds.value;
const MAX_TIMESTAMP = QUERY_LIMITS.maxTimestampSeconds.value;

/** A Unix time in seconds the engine can turn into nanoseconds. */
function timestamp(value: unknown, field: string): number {
  const n = integer(value, field, 0);
  if (n > MAX_TIMESTAMP) fail(field, `must be at most ${MAX_TIMESTAMP} (2262-01-01T00:00:00Z), got ${n}`);
  return n;
}

function timeWindow(raw: Json): TimeWindow {
  const hasRange = present(raw['time_range']);
  const range = hasRange ? integer(raw['time_range'], 'time_range', 1) : DEFAULT_TIME_RANGE_SECONDS;
  const start = present(raw['start_time']) ? timestamp(raw['start_time'], 'start_time') : undefined;
  const end = present(raw['end_time']) ? timestamp(raw['end_time'], 'end_time') : undefined;
  if (start !== undefined && end !== undefined) {
    if (end <= start) fail('end_time', 'must be after start_time');
    // A normalized spec carries all three; accept that as long as they agree.
    if (hasRange && range !== end - start) fail('time_range', 'cannot be combined with both start_time and end_time');
    if (end - start > MAX_TIME_RANGE) fail('end_time', `must be at most ${MAX_TIME_RANGE} seconds (100 years) after start_time, got ${end - start}`);
    return { time_range: end - start, start_time: start, end_time: end };
  }
  if (range > MAX_TIME_RANGE) fail('time_range', `must be at most ${MAX_TIME_RANGE} seconds (100 years), got ${range}`);
  if (start !== undefined) {
    if (start + range > MAX_TIMESTAMP) fail('time_range', `start_time + time_range must be at most ${MAX_TIMESTAMP} (2262-01-01T00:00:00Z), got ${start + range}`);
    return { time_range: range, start_time: start, end_time: start + range };
  }
  if (end !== undefined) {
    if (end - range < 0) fail('time_range', 'reaches before 1970');
    return { time_range: range, start_time: end - range, end_time: end };
  }
  return { time_range: range };
}

function noDuplicates<T>(items: readonly T[], key: (item: T) => string, field: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) fail(`${field}[${i}]`, `duplicate ${k}`);
    seen.add(k);
  });
}

/**
 * Checks a Query Specification (as decoded from JSON) and returns it normalized: defaults applied,
 * absent lists empty, an absolute window as start_time + end_time. Column existence and types are
 * checked separately against a dataset's schema (resolveQueryColumns).
 * @throws InvalidQueryError naming the offending field, e.g. `calculations[1].op: unknown op 'P42'`.
 */
export function validateQuerySpec(input: unknown, options: ValidateQueryOptions = {}): QuerySpec {
  if (!isObject(input)) throw new InvalidQueryError('the query must be a JSON object', '');
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key) && present(input[key])) fail(key, 'unknown field');
  }
  const calculatedFields = array(input['calculated_fields'], 'calculated_fields').map((f, i) => calculatedField(f, `calculated_fields[${i}]`));
  noDuplicates(calculatedFields, (f) => f.name, 'calculated_fields');

  const rawCalcs = array(input['calculations'], 'calculations').map((c, i) => calculation(c, `calculations[${i}]`));
  const calculations = rawCalcs.length === 0 ? [{ op: 'COUNT' as const }] : rawCalcs;
  noDuplicates(calculations, calculationLabel, 'calculations');

  const filters = array(input['filters'], 'filters').map((f, i) => filter(f, `filters[${i}]`));
  const combination = present(input['filter_combination'])
    ? oneOf(FILTER_COMBINATIONS, typeof input['filter_combination'] === 'string' ? input['filter_combination'].toUpperCase() : input['filter_combination'], 'filter_combination', 'filter_combination')
    : 'AND';

  const breakdowns = array(input['breakdowns'], 'breakdowns').map((b, i) => columnName(b, `breakdowns[${i}]`));
  noDuplicates(breakdowns, (b) => b, 'breakdowns');

  const orders = array(input['orders'], 'orders').map((o, i) => order(o, `orders[${i}]`, calculations, breakdowns));
  const havings = array(input['havings'], 'havings').map((h, i) => having(h, `havings[${i}]`, calculations));

  const maxLimit = options.disableSeries === true ? MAX_LIMIT_WITHOUT_SERIES : MAX_LIMIT;
  const limit = present(input['limit']) ? integer(input['limit'], 'limit', 1) : DEFAULT_LIMIT;
  if (limit > maxLimit) fail('limit', `at most ${maxLimit}, got ${limit}`);
  const perGroup = valuesPerGroup(breakdowns.length, calculations);
  const resultValues = (breakdowns.length === 0 ? 1 : limit) * perGroup;
  if (resultValues > MAX_RESULT_VALUES) {
    fail('limit', `${limit} groups of ${perGroup} values (breakdowns and calculations, a HEATMAP counting as its ${HEATMAP_BUCKETS} buckets) is ${resultValues} values, more than one answer holds (query.resultValues: ${MAX_RESULT_VALUES}); lower the limit or ask for fewer breakdowns or calculations`);
  }

  const window = timeWindow(input);
  let granularity: number | undefined;
  if (present(input['granularity'])) {
    granularity = integer(input['granularity'], 'granularity', 1);
    if (granularity > window.time_range) fail('granularity', `must not exceed time_range (${window.time_range})`);
    if (granularity * 1000 < window.time_range) fail('granularity', `must be at least time_range/1000 (${Math.ceil(window.time_range / 1000)})`);
  }

  return {
    calculations,
    filters,
    filter_combination: filters.length < 2 ? 'AND' : combination,
    breakdowns,
    orders,
    havings,
    limit,
    ...window,
    ...(granularity === undefined ? {} : { granularity }),
    ...(calculatedFields.length === 0 ? {} : { calculated_fields: calculatedFields }),
  };
}

/** `{name, expression}`: the expression must parse here (its columns and types are checked against the dataset later). */
function calculatedField(value: unknown, field: string): QueryCalculatedField {
  if (!isObject(value)) fail(field, 'must be an object {name, expression}');
  for (const key of Object.keys(value)) if (key !== 'name' && key !== 'expression' && key !== 'alias') fail(`${field}.${key}`, 'unknown field');
  // Honeycomb's derived columns call the name `alias`; both are accepted here.
  const name = columnName(value['name'] ?? value['alias'], `${field}.name`);
  const expression = value['expression'];
  if (typeof expression !== 'string') fail(`${field}.expression`, 'must be a string');
  parseDerivedExpression(expression, `${field}.expression`);
  return { name, expression };
}
