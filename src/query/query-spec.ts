/**
 * Honeycomb's Query Specification: the one query model spoken by the API, the text language, the
 * CLI and the UI. Closed sets are const arrays so that tables keyed by them (`Record<Op, ...>`)
 * fail to compile until every case is handled.
 */

export const CALCULATION_OPS = [
  'COUNT',
  'CONCURRENCY',
  'SUM',
  'AVG',
  'COUNT_DISTINCT',
  'HEATMAP',
  'MAX',
  'MIN',
  'P001',
  'P01',
  'P05',
  'P10',
  'P20',
  'P25',
  'P50',
  'P75',
  'P80',
  'P90',
  'P95',
  'P99',
  'P999',
  'RATE_AVG',
  'RATE_SUM',
  'RATE_MAX',
] as const;
export type CalculationOp = (typeof CALCULATION_OPS)[number];

export const FILTER_OPS = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'starts-with',
  'does-not-start-with',
  'ends-with',
  'does-not-end-with',
  'exists',
  'does-not-exist',
  'contains',
  'does-not-contain',
  'in',
  'not-in',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const HAVING_OPS = ['=', '!=', '>', '>=', '<', '<='] as const;
export type HavingOp = (typeof HAVING_OPS)[number];

export const FILTER_COMBINATIONS = ['AND', 'OR'] as const;
export type FilterCombination = (typeof FILTER_COMBINATIONS)[number];

export const ORDER_DIRECTIONS = ['ascending', 'descending'] as const;
export type OrderDirection = (typeof ORDER_DIRECTIONS)[number];

/** Relational prefixes: which event of the trace a column is read from. */
export const RELATIONAL_PREFIXES = ['root.', 'parent.', 'any.', 'none.'] as const;
export type RelationalPrefix = (typeof RELATIONAL_PREFIXES)[number];

export type FilterScalar = string | number | boolean;

export interface Calculation {
  readonly op: CalculationOp;
  /** Absent for COUNT and CONCURRENCY, required for every other op. */
  readonly column?: string;
}

export interface Filter {
  readonly column: string;
  readonly op: FilterOp;
  /** Absent for exists/does-not-exist; a non-empty list for in/not-in; a scalar otherwise. */
  readonly value?: FilterScalar | readonly FilterScalar[];
}

/** Either a breakdown (column only) or a calculation (op, and column when the op takes one). */
export interface Order {
  readonly op?: CalculationOp;
  readonly column?: string;
  readonly order: OrderDirection;
}

export interface Having {
  readonly calculate_op: CalculationOp;
  readonly column?: string;
  readonly op: HavingOp;
  readonly value: number;
}

/** A calculated field scoped to one query: `{name, expression}` in Honeycomb's derived-column syntax. */
export interface QueryCalculatedField {
  readonly name: string;
  readonly expression: string;
}

/**
 * A validated, normalized spec (see validateQuerySpec): defaults filled in, and an absolute time
 * window always carried as both start_time and end_time (time_range = end_time - start_time).
 * Without start/end the window is relative: the last time_range seconds before "now".
 */
export interface QuerySpec {
  readonly calculations: readonly Calculation[];
  readonly filters: readonly Filter[];
  /** AND whenever there are fewer than two filters (the two are then equivalent). */
  readonly filter_combination: FilterCombination;
  readonly breakdowns: readonly string[];
  readonly orders: readonly Order[];
  readonly havings: readonly Having[];
  readonly limit: number;
  /** Seconds. */
  readonly time_range: number;
  /** Unix seconds; present together with end_time or not at all. */
  readonly start_time?: number;
  readonly end_time?: number;
  /** Seconds per series bucket; absent means "let the compiler choose". */
  readonly granularity?: number;
  /** Calculated fields usable as columns by this query alone; absent when none. */
  readonly calculated_fields?: readonly QueryCalculatedField[];
}

export const DEFAULT_TIME_RANGE_SECONDS = 7200;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const MAX_LIMIT_WITHOUT_SERIES = 10_000;
export const MAX_ARRAY_ITEMS = 100;
/** Values in one in/not-in list: enough for real use, small enough to keep the SQL bounded. */
export const MAX_IN_VALUES = 1000;
