import type { ColumnBinding } from './query-schema.js';
import type { CalculationOp, FilterOp, QuerySpec } from './query-spec.js';

/** Which event of the trace a column is read from: `root.x`, `parent.x`, `any.x`, `none.x`. */
export type ColumnRelation = 'event' | 'root' | 'parent' | 'any' | 'none';

export interface ResolvedColumn {
  /** As written in the spec, prefix included: the key of the breakdown in results. */
  readonly written: string;
  readonly relation: ColumnRelation;
  readonly binding: ColumnBinding;
}

/** A filter value converted to the column's type; integers as bigint so int64 stays exact. */
export type TypedValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean };

export interface ResolvedFilter {
  readonly column: ResolvedColumn;
  readonly op: FilterOp;
  /** Empty for exists/does-not-exist, one value for scalar ops, the list for in/not-in. */
  readonly values: readonly TypedValue[];
}

export interface ResolvedCalculation {
  readonly op: CalculationOp;
  readonly column?: ResolvedColumn;
  /** Written form: `COUNT`, `P99(duration_ms)`. */
  readonly label: string;
}

/** A spec whose every column is bound to the dataset's schema and every value typed. */
export interface ResolvedQuery {
  readonly spec: QuerySpec;
  readonly calculations: readonly ResolvedCalculation[];
  readonly filters: readonly ResolvedFilter[];
  readonly breakdowns: readonly ResolvedColumn[];
}
