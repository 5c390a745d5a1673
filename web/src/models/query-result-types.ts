import type { QuerySpec } from '../../../src/query/query-spec.js';

/** One row of `data.series` or `data.results`: breakdown values and calculations by written form. */
export type ResultData = Readonly<Record<string, unknown>>;

export interface SeriesPoint {
  /** RFC 3339 (Honeycomb) or Unix seconds. */
  readonly time: string | number;
  readonly data: ResultData;
}

/** The Honeycomb query result object (GET /1/query_results/:dataset/:id, POST /api/query). */
export interface QueryResult {
  readonly id: string;
  readonly complete: boolean;
  readonly query?: Partial<QuerySpec>;
  readonly data?: {
    readonly series?: readonly SeriesPoint[];
    readonly results?: ReadonlyArray<{ readonly data: ResultData }>;
    /** Waggle's: the series hold only the top groups that fit the server's query.seriesValues; every result is still answered. */
    readonly series_truncated?: boolean;
  };
  readonly links?: { readonly query_url?: string };
}
