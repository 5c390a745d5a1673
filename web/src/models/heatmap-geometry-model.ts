/**
 * HEATMAP results turned into cells to paint: one column per time bucket, one cell per value
 * bucket with a count, colored by count. The engine's object under `HEATMAP(col)` is read through
 * `readHeatmapBuckets`, the single place that knows its shape.
 */

export interface HeatmapBucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

export interface HeatmapColumn {
  /** Unix seconds at the start of the time bucket. */
  readonly time: number;
  readonly buckets: readonly HeatmapBucket[];
}

export interface HeatmapCell extends HeatmapBucket {
  readonly time: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly color: string;
}

export interface HeatmapPlot {
  readonly cells: readonly HeatmapCell[];
  readonly minValue: number;
  readonly maxValue: number;
  readonly maxCount: number;
  /** How values map to heights: evenly, or by their logarithm (long tails of durations). */
  readonly scale: ValueScale;
  /** The plot's height, the y of minValue. */
  readonly height: number;
}

export type ValueScale = 'linear' | 'log';

/**
 * A value as placed on the axis. The log scale is log10(1 + |v|) with v's sign (a "symlog"), so
 * that 0 and negative values still have a place, and 1 ms, 10 ms, 100 ms are evenly spaced.
 */
export function scaleValue(value: number, scale: ValueScale): number {
  return scale === 'log' ? Math.sign(value) * Math.log10(1 + Math.abs(value)) : value;
}

/** The inverse of scaleValue. */
export function unscaleValue(scaled: number, scale: ValueScale): number {
  return scale === 'log' ? Math.sign(scaled) * (10 ** Math.abs(scaled) - 1) : scaled;
}

/** The value at height y of the plot (0 at the top). */
export function valueAtY(plot: HeatmapPlot, y: number): number {
  const lo = scaleValue(plot.minValue, plot.scale);
  const hi = scaleValue(plot.maxValue, plot.scale);
  const span = hi > lo ? hi - lo : 1;
  return unscaleValue(lo + ((plot.height - y) / Math.max(plot.height, 1)) * span, plot.scale);
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function bucketFrom(entry: unknown): HeatmapBucket | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const record = entry as Record<string, unknown>;
  const lower = finite(record['lower'] ?? record['min'] ?? record['lower_bound'] ?? record['start']);
  const upper = finite(record['upper'] ?? record['max'] ?? record['upper_bound'] ?? record['end']);
  const count = finite(record['count']);
  if (lower === null || upper === null || count === null) return null;
  return { lower, upper, count };
}

/**
 * The buckets of one `HEATMAP(col)` value. Accepts `{buckets: [{lower, upper, count}]}` (also
 * min/max names) and `{boundaries: [b0..bn], counts: [c0..cn-1]}`; anything else yields [].
 */
export function readHeatmapBuckets(value: unknown): HeatmapBucket[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const out: HeatmapBucket[] = [];
  if (Array.isArray(record['buckets'])) {
    for (const entry of record['buckets']) {
      const bucket = bucketFrom(entry);
      if (bucket && bucket.count > 0) out.push(bucket);
    }
    return out;
  }
  const bounds = record['boundaries'] ?? record['bounds'];
  const counts = record['counts'];
  if (Array.isArray(bounds) && Array.isArray(counts)) {
    for (let i = 0; i < counts.length && i + 1 < bounds.length; i++) {
      const lower = finite(bounds[i]);
      const upper = finite(bounds[i + 1]);
      const count = finite(counts[i]);
      if (lower !== null && upper !== null && count !== null && count > 0) out.push({ lower, upper, count });
    }
  }
  return out;
}

/** Sums the buckets of every group that share a time and value range (one heatmap per query). */
export function mergeHeatmapColumns(columns: readonly HeatmapColumn[]): HeatmapColumn[] {
  const byTime = new Map<number, Map<string, { lower: number; upper: number; count: number }>>();
  for (const column of columns) {
    const cells = byTime.get(column.time) ?? new Map<string, { lower: number; upper: number; count: number }>();
    byTime.set(column.time, cells);
    for (const b of column.buckets) {
      const key = `${b.lower}|${b.upper}`;
      const cell = cells.get(key);
      if (cell) cell.count += b.count;
      else cells.set(key, { ...b });
    }
  }
  return [...byTime.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([time, cells]) => ({ time, buckets: [...cells.values()].sort((a, b) => a.lower - b.lower) }));
}

// Pale to dark: few events stay visible yet the hot spots stand out.
const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [255, 240, 200],
  [253, 190, 110],
  [240, 110, 60],
  [190, 40, 90],
  [90, 20, 110],
];

/** Color for a count relative to the largest count (square-root scale). */
export function heatColor(count: number, maxCount: number): string {
  const t = maxCount > 0 ? Math.sqrt(Math.min(Math.max(count / maxCount, 0), 1)) : 0;
  const pos = t * (RAMP.length - 1);
  const i = Math.min(Math.floor(pos), RAMP.length - 2);
  const f = pos - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  const mix = (k: 0 | 1 | 2): number => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/**
 * Cell rectangles in a `width` × `height` plot whose x axis spans the window [startSec, endSec]
 * and whose y axis spans every bucket's values (origin at the bottom).
 */
export function layoutHeatmap(
  columns: readonly HeatmapColumn[],
  window: { startSec: number; endSec: number },
  granularitySec: number,
  width: number,
  height: number,
  scale: ValueScale = 'linear',
): HeatmapPlot {
  let minValue = Infinity;
  let maxValue = -Infinity;
  let maxCount = 0;
  for (const column of columns)
    for (const b of column.buckets) {
      minValue = Math.min(minValue, b.lower);
      maxValue = Math.max(maxValue, b.upper);
      maxCount = Math.max(maxCount, b.count);
    }
  if (maxCount === 0) return { cells: [], minValue: 0, maxValue: 0, maxCount: 0, scale, height };
  const span = Math.max(window.endSec - window.startSec, 1);
  const lo = scaleValue(minValue, scale);
  const hi = scaleValue(maxValue, scale);
  const valueSpan = hi > lo ? hi - lo : 1;
  const yOf = (value: number): number => height - ((scaleValue(value, scale) - lo) / valueSpan) * height;
  const cellWidth = Math.max((granularitySec / span) * width, 1);
  const cells: HeatmapCell[] = [];
  for (const column of columns) {
    const x = ((column.time - window.startSec) / span) * width;
    for (const b of column.buckets) {
      const top = yOf(b.upper);
      const bottom = yOf(b.lower);
      cells.push({
        ...b,
        time: column.time,
        x,
        y: top,
        width: cellWidth,
        height: Math.max(bottom - top, 1),
        color: heatColor(b.count, maxCount),
      });
    }
  }
  return { cells, minValue, maxValue, maxCount, scale, height };
}

/** The cell under a point of the plot, if any. */
export function heatmapCellAt(plot: HeatmapPlot, x: number, y: number): HeatmapCell | null {
  for (const cell of plot.cells) {
    if (x >= cell.x && x < cell.x + cell.width && y >= cell.y && y < cell.y + cell.height) return cell;
  }
  return null;
}
