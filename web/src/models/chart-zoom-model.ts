/**
 * Drag to zoom: a horizontal selection on a time chart becomes an explicit window, whole seconds,
 * never inside out, never narrower than a second, clipped to the window shown.
 */
import type { QuerySpec } from '../../../src/query/query-spec.js';
import { isValidGranularity, type TimeWindow } from './time-range-model.js';

/** Selections narrower than this many pixels are clicks (drill into a point), not zooms. */
export const MIN_ZOOM_PIXELS = 5;

export function zoomWindow(fromSec: number, toSec: number, shown: TimeWindow): TimeWindow | null {
  if (!Number.isFinite(fromSec) || !Number.isFinite(toSec)) return null;
  const lo = Math.max(Math.min(fromSec, toSec), shown.startSec);
  const hi = Math.min(Math.max(fromSec, toSec), shown.endSec);
  const startSec = Math.floor(lo);
  const endSec = Math.max(Math.ceil(hi), startSec + 1);
  return endSec > startSec ? { startSec, endSec } : null;
}

/** The spec zoomed into a window: explicit start and end, a granularity only while it stays valid. */
export function zoomedSpec(spec: QuerySpec, window: TimeWindow): QuerySpec {
  const { start_time: _s, end_time: _e, granularity, time_range: _r, ...rest } = spec;
  const range = window.endSec - window.startSec;
  return {
    ...rest,
    time_range: range,
    start_time: window.startSec,
    end_time: window.endSec,
    ...(granularity !== undefined && isValidGranularity(granularity, range) ? { granularity } : {}),
  };
}
