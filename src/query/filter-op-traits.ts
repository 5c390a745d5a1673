import type { ColumnType } from './query-schema.js';
import type { FilterOp } from './query-spec.js';

export type FilterArity = 'none' | 'scalar' | 'list';

/** What each filter op takes and which column types it applies to. */
export interface FilterOpTraits {
  readonly arity: FilterArity;
  readonly columnTypes: readonly ColumnType[];
}

const ALL: readonly ColumnType[] = ['string', 'integer', 'float', 'boolean'];
const ORDERED: readonly ColumnType[] = ['string', 'integer', 'float'];
const TEXT: readonly ColumnType[] = ['string'];

export const FILTER_OP_TRAITS: Record<FilterOp, FilterOpTraits> = {
  '=': { arity: 'scalar', columnTypes: ALL },
  '!=': { arity: 'scalar', columnTypes: ALL },
  '>': { arity: 'scalar', columnTypes: ORDERED },
  '>=': { arity: 'scalar', columnTypes: ORDERED },
  '<': { arity: 'scalar', columnTypes: ORDERED },
  '<=': { arity: 'scalar', columnTypes: ORDERED },
  'starts-with': { arity: 'scalar', columnTypes: TEXT },
  'does-not-start-with': { arity: 'scalar', columnTypes: TEXT },
  'ends-with': { arity: 'scalar', columnTypes: TEXT },
  'does-not-end-with': { arity: 'scalar', columnTypes: TEXT },
  exists: { arity: 'none', columnTypes: ALL },
  'does-not-exist': { arity: 'none', columnTypes: ALL },
  contains: { arity: 'scalar', columnTypes: TEXT },
  'does-not-contain': { arity: 'scalar', columnTypes: TEXT },
  in: { arity: 'list', columnTypes: ALL },
  'not-in': { arity: 'list', columnTypes: ALL },
};
