/** Markers (/1/markers) as charts draw them: those overlapping the window, oldest first, each once. */
export interface MarkerInput {
  readonly id: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly message?: string;
  readonly type?: string;
}

export interface WindowMarker {
  readonly id: string;
  readonly startSec: number;
  readonly endSec?: number;
  readonly message: string;
  readonly type?: string;
}

export function markersInWindow(markers: readonly MarkerInput[], window: { startSec: number; endSec: number }): WindowMarker[] {
  const seen = new Set<string>();
  return markers
    .filter((m) => (m.end_time ?? m.start_time) >= window.startSec && m.start_time <= window.endSec && !seen.has(m.id) && seen.add(m.id) !== undefined)
    .sort((a, b) => a.start_time - b.start_time)
    .map((m) => ({
      id: m.id,
      startSec: m.start_time,
      ...(m.end_time === undefined || m.end_time === m.start_time ? {} : { endSec: m.end_time }),
      message: m.message ?? m.type ?? 'marker',
      ...(m.type === undefined ? {} : { type: m.type }),
    }));
}
