/**
 * What the user points at on a heatmap: a box dragged over it (a time range × a value range, for
 * BubbleUp) and a click on one cell (the slowest trace within the cell's value range). Pure
 * functions over the plot the chart drew; coordinates are the plot's (0,0 at its top left).
 */
import type { HeatmapCell, HeatmapPlot } from './heatmap-geometry-model.js';

/** A heatmap region: [startSec, endSec) × [min, max] of the heatmap's column. */
export interface HeatmapBox {
  readonly startSec: number;
  readonly endSec: number;
  readonly min: number;
  readonly max: number;
}

/** A drag shorter than this (in pixels, either way) is a click, not a box. */
export const MIN_BOX_PIXELS = 4;

/**
 * The region a drag from (x0, y0) to (x1, y1) selects: the cells it touches, whole, so the box
 * snaps to bucket boundaries (what the user sees painted is what gets compared). Null for a click
 * (a drag under MIN_BOX_PIXELS) or a box over no cell.
 */
export function boxFromDrag(plot: HeatmapPlot, granularitySec: number, x0: number, y0: number, x1: number, y1: number): HeatmapBox | null {
  if (Math.abs(x1 - x0) < MIN_BOX_PIXELS && Math.abs(y1 - y0) < MIN_BOX_PIXELS) return null;
  const left = Math.min(x0, x1);
  const right = Math.max(x0, x1);
  const top = Math.min(y0, y1);
  const bottom = Math.max(y0, y1);
  let box: { startSec: number; endSec: number; min: number; max: number } | null = null;
  for (const cell of plot.cells) {
    const touches = cell.x < right && cell.x + cell.width > left && cell.y < bottom && cell.y + cell.height > top;
    if (!touches) continue;
    box = box === null
      ? { startSec: cell.time, endSec: cell.time + granularitySec, min: cell.lower, max: cell.upper }
      : {
          startSec: Math.min(box.startSec, cell.time),
          endSec: Math.max(box.endSec, cell.time + granularitySec),
          min: Math.min(box.min, cell.lower),
          max: Math.max(box.max, cell.upper),
        };
  }
  return box;
}

/** The rectangle to draw while dragging, normalised to a positive width and height. */
export function dragRectangle(x0: number, y0: number, x1: number, y1: number): { x: number; y: number; width: number; height: number } {
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
}

/** A clicked cell's value range, for the drill-down to the slowest trace within it. */
export function cellValueRange(column: string, cell: HeatmapCell): { column: string; lower: number; upper: number } {
  return { column, lower: cell.lower, upper: cell.upper };
}
