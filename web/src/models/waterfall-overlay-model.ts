/**
 * What the waterfall draws over and beside each bar: the critical sections, span-event markers,
 * and where the duration label goes so that it covers neither the bar's neighbours nor the
 * network legs drawn on the row. Positions are fractions of the trace's duration, like Bar.
 *
 * Preconditions: `model` and rows come from buildWaterfall/layoutRows; sections from criticalPath.
 */
import { parseRfc3339Nanos } from '../../../src/core/unix-nanos.js';
import type { CriticalSection } from './critical-path-model.js';
import type { Bar, WaterfallModel, WaterfallRow, WaterfallSpan } from './waterfall-layout-model.js';

export interface EventMarker {
  /** Fraction of the trace duration, 0..1. */
  readonly offset: number;
  readonly name: string;
  /** An `exception` event: drawn in the error colour. */
  readonly exception: boolean;
}

function clamp(model: WaterfallModel, ns: bigint): bigint {
  return ns < model.startNs ? model.startNs : ns > model.endNs ? model.endNs : ns;
}

/** A span of time as a fraction of the trace, in bigint so long traces keep ns detail. */
function fractionOf(model: WaterfallModel, fromNs: bigint, toNs: bigint = model.startNs): number {
  const total = model.endNs - model.startNs;
  if (total <= 0n) return 0;
  const length = clamp(model, fromNs) - clamp(model, toNs);
  return Number((length * 1_000_000n) / total) / 1_000_000;
}

/** One marker per span event with a readable timestamp (span events are stored as events pointing at the span). */
export function eventMarkers(model: WaterfallModel, span: WaterfallSpan): EventMarker[] {
  const markers: EventMarker[] = [];
  for (const event of span.events) {
    const at = typeof event['timestamp'] === 'string' ? parseRfc3339Nanos(event['timestamp']) : null;
    if (at === null) continue;
    const name = typeof event['name'] === 'string' ? event['name'] : 'event';
    markers.push({ offset: fractionOf(model, at), name, exception: name === 'exception' });
  }
  return markers;
}

/** The critical sections of each span as bars on the trace's axis. */
export function criticalBars(model: WaterfallModel, sections: readonly CriticalSection[]): Map<string, Bar[]> {
  const bars = new Map<string, Bar[]>();
  for (const section of sections) {
    const list = bars.get(section.key) ?? [];
    list.push({ offset: fractionOf(model, section.startNs), width: Math.max(0, fractionOf(model, section.endNs, section.startNs)) });
    bars.set(section.key, list);
  }
  return bars;
}

export type LabelPlacement = { readonly side: 'after'; readonly at: number } | { readonly side: 'before'; readonly at: number } | { readonly side: 'inside'; readonly at: number };

/** Room a label needs on the axis, as a fraction of the timeline's width (about 70 px of 350). */
const LABEL_ROOM = 0.2;

/**
 * Where the duration label goes: after everything drawn on the row (bar, response leg), else
 * before everything (bar, request leg, recorded latency), else inside the bar. `at` is the
 * fraction of the axis the label starts from (after, inside) or ends at (before).
 */
export function durationLabelPlacement(row: WaterfallRow): LabelPlacement {
  const drawn: Bar[] = [row.bar];
  if (row.gap) drawn.push(row.gap.request, row.gap.response);
  if (row.latency) drawn.push(row.latency);
  const end = Math.max(...drawn.map((b) => b.offset + b.width));
  const start = Math.min(...drawn.map((b) => b.offset));
  if (end + LABEL_ROOM <= 1) return { side: 'after', at: end };
  if (start >= LABEL_ROOM) return { side: 'before', at: start };
  return { side: 'inside', at: row.bar.offset };
}
