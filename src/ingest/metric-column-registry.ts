import type { EventRecord } from '../core/event-record.js';

/** As many as a dataset may have columns. */
const MAX_COLUMNS_PER_DATASET = 10_000;

/**
 * Which columns of a dataset hold metric values (OTLP metrics, see otlp-metric-mapping.ts), for
 * autocomplete to say so. Learned from the metric events admitted since the process started (live
 * and replayed): metrics arrive every export interval, so a restarted server knows them again
 * within one interval. Bounded per dataset like the dataset's columns.
 */
export class MetricColumnRegistry {
  private readonly byDataset = new Map<string, Set<string>>();

  /** Notes the value columns of the metric events among `events`. */
  observe(events: readonly EventRecord[]): void {
    for (const event of events) {
      const values = event.attributes[event.attributes.length - 1];
      // A metric event's last layer starts with meta.signal_type = metric, followed by its values.
      if (event.annotationType !== null || values === undefined || values.keys[0] !== 'meta.signal_type' || values.values[0] !== 'metric') continue;
      const key = event.dataset.toLowerCase();
      let columns = this.byDataset.get(key);
      if (columns === undefined) {
        columns = new Set();
        this.byDataset.set(key, columns);
      }
      for (let i = 1; i < values.keys.length && columns.size < MAX_COLUMNS_PER_DATASET; i++) columns.add(values.keys[i]!);
    }
  }

  /** Whether `column` holds metric values in `dataset` (null: any dataset). */
  isMetric(dataset: string | null, column: string): boolean {
    if (dataset !== null) return this.byDataset.get(dataset.toLowerCase())?.has(column) ?? false;
    for (const columns of this.byDataset.values()) if (columns.has(column)) return true;
    return false;
  }
}

/** The process's registry: ingest feeds it, autocomplete reads it. */
export const METRIC_COLUMNS = new MetricColumnRegistry();
