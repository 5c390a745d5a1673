import { datasetSlug } from '../core/dataset-name.js';
import type { EventRecord } from '../core/event-record.js';
import { formatRetention } from '../core/retention-duration.js';
import { formatRfc3339Nanos } from '../core/unix-nanos.js';
import type { AdmissionUnit } from './span-store.js';

/** Refused: 1 = too many columns (column admission), 2 = older than the dataset's retention. */
export const REFUSED_EXPIRED = 2;

/** What retention admission needs to know of a store: a dataset's key, its cutoff and its retention. */
export interface RetentionView {
  findDataset(name: string): string | undefined;
  cutoffNs(datasetKey: string, nowNs: bigint): bigint | null;
  retentionOf(datasetKey: string): bigint | null;
}

/**
 * Marks events older than their dataset's retention as of `now` (a span with its span events and
 * links together); null when none is. The rule of DuckDbSpanStore.admit, for other backends.
 */
export function refuseExpiredEvents(events: readonly EventRecord[], unit: AdmissionUnit, now: bigint, view: RetentionView): { refused: Uint8Array; reason: string; count: number } | null {
  let refused: Uint8Array | null = null;
  let reason = '';
  let count = 0;
  let lastDataset: string | null = null;
  let cutoff: bigint | null = null;
  let key = '';
  for (let start = 0; start < events.length; ) {
    let end = start + 1;
    if (unit === 'span') while (end < events.length && events[end]!.annotationType !== null) end++;
    const event = events[start]!;
    if (event.dataset !== lastDataset) {
      lastDataset = event.dataset;
      key = view.findDataset(event.dataset) ?? datasetSlug(event.dataset);
      cutoff = view.cutoffNs(key, now);
    }
    if (cutoff !== null && event.timestampNs < cutoff) {
      refused ??= new Uint8Array(events.length);
      refused.fill(REFUSED_EXPIRED, start, end);
      count += unit === 'span' ? 1 : end - start;
      if (reason === '') {
        reason = `older than dataset '${event.dataset.slice(0, 100)}' keeps events (retention ${formatRetention(view.retentionOf(key) ?? 0n)}): timestamp ${formatRfc3339Nanos(event.timestampNs)} is before ${formatRfc3339Nanos(cutoff)}`;
      }
    }
    start = end;
  }
  return refused === null ? null : { refused, reason, count };
}
