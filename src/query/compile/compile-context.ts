import type { CalculatedField } from '../../derived/calculated-field.js';
import type { ClientParentSource } from './client-parent-source.js';
import type { QuerySchema } from '../query-schema.js';
import type { ResolvedQuery } from '../resolved-query.js';
import type { QueryWindow } from './query-window.js';
import type { SqlDialect } from './sql-dialect.js';
import type { SqlParameters } from './sql-parameters.js';

/** Epoch nanoseconds, start inclusive, end exclusive. */
export interface RelationWindow {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

export interface CompileOptions {
  /** "Now" for relative time ranges, epoch nanoseconds. */
  readonly nowNs: bigint;
  /**
   * The store's relation: a parenthesised subquery (or table) exposing at least the given
   * physical columns of the queried dataset(s), for at least the events in `window` (the store
   * may leave out what lies outside it; the compiler filters the range itself).
   */
  readonly relation: (physicalColumns: readonly string[], window: RelationWindow) => string;
  /**
   * Where related spans (root., parent., any., none.) are looked for: a trace crosses datasets,
   * so the store passes every dataset here. Defaults to `relation`.
   */
  readonly relatedRelation?: (physicalColumns: readonly string[], window: RelationWindow) => string;
  /** Leave out the series (results only); allows a limit up to 10 000. */
  readonly disableSeries: boolean;
  /** Weight COUNT, SUM and AVG by the sample rate (see calculation-sql.ts). */
  readonly weighted?: boolean;
  /**
   * How far before and after the range root./parent./any./none. look for the related spans
   * (a root span usually starts before its children). Default 0; the relation must cover it.
   */
  readonly relatedMarginNs?: bigint;
  /**
   * The store's precomputed client parents for `network.*` (client-parent-source.ts); absent, the
   * client spans are joined at read time from the related relation.
   */
  readonly clientParents?: ClientParentSource;
  /** Stored calculated fields of the queried dataset (and environment-wide ones); the spec's own win over them. */
  readonly calculatedFields?: readonly CalculatedField[];
}

/** Everything the parts of the compiler share for one query. */
export interface CompileContext {
  readonly query: ResolvedQuery;
  readonly schema: QuerySchema;
  readonly dialect: SqlDialect;
  readonly params: SqlParameters;
  readonly window: QueryWindow;
  readonly options: CompileOptions;
}
