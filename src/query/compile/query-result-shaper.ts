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
  /** Waggle's: the series hold only the top groups, not every result's (query.seriesValues). */
  readonly series_truncated?: true;
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

/** Where each output of the layout sits in a row, looked up once rather than per cell. */
interface RowPositions {
  readonly kind: number;
  readonly bucket: number;
  /** Per result key (breakdowns, then calculations): the column of its value. */
  readonly values: readonly number[];
  /** Per result key: for a HEATMAP, the columns of its range (low, high); otherwise null. */
  readonly heatmapRange: ReadonlyArray<readonly [number, number] | null>;
}

function rowPositions(layout: ResultLayout): RowPositions {
  const index = new Map(layout.columns.map((c, i) => [c, i]));
  // A column the layout does not list reads as missing (undefined → null), as before.
  const at = (column: string): number => index.get(column) ?? -1;
  return {
    kind: at('__kind'),
    bucket: at('__bucket'),
    values: [...layout.breakdowns.map((_, j) => at(`__g${j}`)), ...layout.calculations.map((_, k) => at(`__a${k}`))],
    heatmapRange: [
      ...layout.breakdowns.map(() => null),
      ...layout.calculations.map((calc, k) => (calc.op === 'HEATMAP' ? ([at(`__hm${k}_lo`), at(`__hm${k}_hi`)] as const) : null)),
    ],
  };
}

/**
 * Builds each row's `data` object. Keys are set in the same order on a fresh literal, so every
 * object of a result shares one hidden class (JSON.stringify then takes its fast path; the
 * Object.fromEntries of [key, value] pairs this replaces made two arrays per key and cost ~4× as
 * much at 10 000 rows). A key `__proto__` would set the prototype by assignment: with one, the
 * result is built with Object.fromEntries, which defines own properties.
 */
function dataBuilder(keys: readonly string[], positions: RowPositions): (row: readonly unknown[]) => Record<string, ResultValue> {
  const cell = (row: readonly unknown[], i: number): ResultValue => {
    const range = positions.heatmapRange[i];
    const value = row[positions.values[i]!];
    return range === null || range === undefined ? scalar(value) : heatmap(value, row[range[0]], row[range[1]]);
  };
  if (keys.includes('__proto__')) return (row) => Object.fromEntries(keys.map((key, i) => [key, cell(row, i)]));
  return (row) => {
    const data: Record<string, ResultValue> = {};
    for (let i = 0; i < keys.length; i += 1) data[keys[i]!] = cell(row, i);
    return data;
  };
}

/**
 * Turns the rows of a compiled query (arrays in `layout.columns` order, as node-api's getRowsJS
 * gives them) into Honeycomb's result data: each breakdown under its column name, each calculation
 * under its written form, series times as RFC 3339. Series hold only buckets with data.
 */
export function shapeQueryResult(layout: ResultLayout, rows: ReadonlyArray<readonly unknown[]>): QueryResultData {
  const positions = rowPositions(layout);
  const dataOf = dataBuilder([...layout.breakdowns, ...layout.calculations.map((calc) => calc.label)], positions);
  const results: Array<{ data: Record<string, ResultValue> }> = [];
  const series: Array<{ time: string; data: Record<string, ResultValue> }> = [];
  // Series rows come ordered by bucket: each bucket's time is formatted once, not once per group.
  let lastBucket: unknown = undefined;
  let lastTime = '';
  for (const row of rows) {
    if (Number(row[positions.kind]) === 0) {
      results.push({ data: dataOf(row) });
      continue;
    }
    const bucket = row[positions.bucket];
    if (bucket !== lastBucket || lastTime === '') {
      lastTime = rfc3339Seconds(BigInt(bucket as bigint | number));
      lastBucket = bucket;
    }
    series.push({ time: lastTime, data: dataOf(row) });
  }
  const seriesGroups = layout.seriesGroups ?? null;
  return seriesGroups !== null && results.length > seriesGroups ? { series, results, series_truncated: true } : { series, results };
}
