import type { CalculationOp } from '../query-spec.js';

/** A bound parameter, typed so that int64 stays exact and the engine need not guess. */
export type QueryParameter =
  | { readonly type: 'varchar'; readonly value: string }
  | { readonly type: 'bigint'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean };

/** How to read the rows of a compiled query back into a result. */
export interface ResultLayout {
  /** Output column names, in row order. */
  readonly columns: readonly string[];
  /** Written breakdown names (results keys), matching output columns `__g0..`. */
  readonly breakdowns: readonly string[];
  /** Calculations in output order (`__a0..`), with their written form. */
  readonly calculations: ReadonlyArray<{ readonly op: CalculationOp; readonly label: string }>;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly granularitySeconds: number;
  readonly seriesIncluded: boolean;
  /** The top groups whose series the rows hold when fewer than the results' (query.seriesValues); absent or null: all. */
  readonly seriesGroups?: number | null;
}

/**
 * One SQL statement returning the results rows (`__kind` 0, by rank) then the series rows
 * (`__kind` 1, by bucket then rank). Values appear only as numbered placeholders.
 */
export interface CompiledQuery {
  readonly sql: string;
  readonly parameters: readonly QueryParameter[];
  readonly layout: ResultLayout;
}
