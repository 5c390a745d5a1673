import { HEATMAP_BUCKETS } from './calculation-sql.js';
import type { ResultLayout } from './compiled-query.js';

export interface HeatmapBucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

/** HEATMAP(col) in results: the non-empty value buckets, lowest first. */
export interface HeatmapValue {
  readonly buckets: readonly HeatmapBucket[];
}

export type ResultValue = string | number | boolean | null | HeatmapValue;

/** Honeycomb's `data` of a query result. */
export interface QueryResultData {
  readonly series: ReadonlyArray<{ readonly time: string; readonly data: Readonly<Record<string, ResultValue>> }>;
  readonly results: ReadonlyArray<{ readonly data: Readonly<Record<string, ResultValue>> }>;
}

const NS_PER_S = 1_000_000_000n;

/**
 * JSON-safe scalars: int64 beyond 2^53 become decimal strings rather than lose digits; NaN and the
 * infinities, which JSON.stringify would turn into null (a missing value), become the strings
 * "NaN", "Infinity", "-Infinity", as OTLP/JSON writes them.
 */
export function scalar(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** Reads a histogram cell: node-api turns a DuckDB MAP into [{key, value}]; objects are accepted too. */
function histogramEntries(cell: unknown): Array<[number, number]> {
  if (cell === null || cell === undefined) return [];
  if (cell instanceof Map) return [...cell.entries()].map(([k, v]) => [Number(k), Number(v)]);
  if (Array.isArray(cell)) {
    return cell.map((entry: unknown) => {
      const { key, value } = entry as { key: unknown; value: unknown };
      return [Number(key), Number(value)];
    });
  }
  return Object.entries(cell as Record<string, unknown>).map(([k, v]) => [Number(k), Number(v)]);
}

function heatmap(cell: unknown, lo: unknown, hi: unknown): HeatmapValue {
  if (lo === null || hi === null || lo === undefined || hi === undefined) return { buckets: [] };
  const low = Number(lo);
  const high = Number(hi);
  const width = (high - low) / HEATMAP_BUCKETS;
  const buckets = histogramEntries(cell)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a - b)
    .map(([index, count]) => (width === 0 ? { lower: low, upper: high, count } : { lower: low + index * width, upper: index === HEATMAP_BUCKETS - 1 ? high : low + (index + 1) * width, count }));
  return { buckets };
}

function rfc3339Seconds(ns: bigint): string {
  const seconds = ns / NS_PER_S - (ns % NS_PER_S < 0n ? 1n : 0n);
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Turns the rows of a compiled query (arrays in `layout.columns` order, as node-api's getRowsJS
 * gives them) into Honeycomb's result data: each breakdown under its column name, each calculation
 * under its written form, series times as RFC 3339. Series hold only buckets with data.
 */
export function shapeQueryResult(layout: ResultLayout, rows: ReadonlyArray<readonly unknown[]>): QueryResultData {
  const index = new Map(layout.columns.map((c, i) => [c, i]));
  const at = (row: readonly unknown[], column: string): unknown => row[index.get(column) ?? -1];
  const dataOf = (row: readonly unknown[]): Record<string, ResultValue> => {
    const entries: Array<[string, ResultValue]> = layout.breakdowns.map((name, j) => [name, scalar(at(row, `__g${j}`))]);
    layout.calculations.forEach((calc, k) => {
      const cell = at(row, `__a${k}`);
      entries.push([calc.label, calc.op === 'HEATMAP' ? heatmap(cell, at(row, `__hm${k}_lo`), at(row, `__hm${k}_hi`)) : scalar(cell)]);
    });
    // fromEntries defines own properties, so a column named __proto__ stays a plain key.
    return Object.fromEntries(entries);
  };
  const results: Array<{ data: Record<string, ResultValue> }> = [];
  const series: Array<{ time: string; data: Record<string, ResultValue> }> = [];
  for (const row of rows) {
    if (Number(at(row, '__kind')) === 0) results.push({ data: dataOf(row) });
    else series.push({ time: rfc3339Seconds(BigInt(at(row, '__bucket') as bigint | number)), data: dataOf(row) });
  }
  return { series, results };
}
