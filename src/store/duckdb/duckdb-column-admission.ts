import type { AttributeList } from '../../core/attribute-value.js';
import { datasetSlug } from '../../core/dataset-name.js';
import type { EventRecord } from '../../core/event-record.js';
import { INGEST_LIMITS } from '../../core/limits/ingest-limits.js';
import type { ColumnType } from '../../query/query-schema.js';
import { resolveAttributeColumn } from '../attribute-columns.js';
import { REFUSED_COLUMNS, REFUSED_NEW_DATASET, type ColumnAdmission, type AdmissionUnit } from '../span-store.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';
import type { ColumnRoutes } from './duckdb-layer-resolver.js';
import { ColumnIdBitmap } from '../column-id-bitmap.js';

export interface ColumnAdmissionLimits {
  columnsPerDataset: number;
  columnsTotal: number;
  /** Datasets in the store (INGEST_LIMITS.datasets when absent). */
  datasets?: number;
}

export const DEFAULT_COLUMN_ADMISSION_LIMITS: ColumnAdmissionLimits = {
  columnsPerDataset: INGEST_LIMITS.columnsPerDataset.value,
  columnsTotal: INGEST_LIMITS.columnsTotal.value,
  datasets: INGEST_LIMITS.datasets.value,
};

/** Column ids of one dataset: looked up once per attribute on the ingest path. */
class ColumnIdSet extends ColumnIdBitmap {
  constructor(ids: Iterable<number>) {
    super(1024);
    for (const id of ids) this.add(id);
  }
}

/**
 * Decides, before a request is acknowledged, whether its events fit the column limits, and
 * remembers the columns of what it admitted. The admitted set of a dataset starts as the
 * catalog's (every column committed or set aside) and grows with each admitted event, so it
 * counts the columns of queued, not yet committed events too. It never shrinks.
 *
 * Replay gives the same answers as live ingest. Rule: an event is admitted when all its columns
 * are already admitted, or when adding them keeps the dataset and the store within their limits.
 * On replay the admitted set before an entry is the live one plus, at most, columns that live
 * ingest admitted later (the committed prefix of a request a row-group commit split). Adding
 * columns that were all eventually admitted cannot turn a live refusal into an admission (the
 * refused event would still overflow) nor an admission into a refusal (everything it needs fits
 * in the final admitted set, which is within the limit). Set-aside requests keep their columns
 * in the catalog (see the quarantine) so that replay never sees fewer columns than live ingest did.
 */
export class DuckDbColumnAdmission {
  private readonly admitted = new Map<string, ColumnIdSet>();
  /** Keys of datasets admitted before the catalog had them (their events queued): counted toward the dataset limit. */
  private readonly admittedNewDatasets = new Set<string>();

  constructor(
    private readonly catalog: DuckDbCatalog,
    private readonly routes: ColumnRoutes,
    private readonly limits: ColumnAdmissionLimits,
  ) {}

  /**
   * Events carry the dataset name as sent (`My Dataset`, `my-dataset`, ...); the admitted set is
   * the dataset's, under its storage key, as the store will resolve it at enqueue. Looked up
   * without creating the dataset: a refused request must not leave one behind.
   */
  private datasetKey(dataset: string): string {
    return this.catalog.findDataset(dataset) ?? datasetSlug(dataset);
  }

  private datasetSet(key: string): ColumnIdSet {
    let set = this.admitted.get(key);
    if (!set) {
      set = new ColumnIdSet(this.catalog.datasetColumnIds(key));
      this.admitted.set(key, set);
    }
    return set;
  }

  admit(events: readonly EventRecord[], unit: AdmissionUnit, nowNs: bigint): ColumnAdmission {
    let refused: Uint8Array | null = null;
    let reason = '';
    let datasetReason = '';
    // Per layer position, the layer last wholly admitted in this call for the current dataset:
    // resource and scope layers repeat from one span to the next. (Judging a layer again gives the
    // same answer, so a repeat that is not consecutive only costs the check.)
    let knownLayers: Array<AttributeList | undefined> = [];
    let knownDataset: string | null = null;
    let start = 0;
    while (start < events.length) {
      let end = start + 1;
      // A span's span events and links follow it and share its fate.
      if (unit === 'span') while (end < events.length && events[end]!.annotationType !== null) end++;
      const dataset = events[start]!.dataset;
      if (dataset !== knownDataset) {
        knownLayers = [];
        knownDataset = dataset;
      }
      const key = this.datasetKey(dataset);
      const datasetProblem = this.newDatasetProblem(dataset, key);
      const problem = datasetProblem ?? this.admitUnit(events, start, end, key, knownLayers, nowNs);
      if (problem !== null) {
        refused ??= new Uint8Array(events.length);
        refused.fill(datasetProblem === null ? REFUSED_COLUMNS : REFUSED_NEW_DATASET, start, end);
        if (datasetProblem !== null) datasetReason ||= datasetProblem;
        else reason ||= problem;
      }
      start = end;
    }
    return datasetReason === '' ? { refused, reason } : { refused, reason, datasetReason };
  }

  /**
   * Why a dataset cannot be added now (the store holds the limit, counting datasets whose first
   * events are still queued), or null when it exists or fits. Judged before anything is kept for
   * it, so that refused names cost no memory.
   */
  newDatasetProblem(dataset: string, key = this.datasetKey(dataset)): string | null {
    if (this.catalog.hasDataset(key) || this.admittedNewDatasets.has(key)) return null;
    for (const admitted of this.admittedNewDatasets) if (this.catalog.hasDataset(admitted)) this.admittedNewDatasets.delete(admitted);
    const limit = this.limits.datasets ?? INGEST_LIMITS.datasets.value;
    const count = this.catalog.datasetCount() + this.admittedNewDatasets.size;
    if (count < limit) return null;
    return `dataset '${dataset.slice(0, 100)}' would be a new dataset, and the store holds ${count}: at most ${limit} are accepted (ingest.datasets)`;
  }

  /** Why a unit of an existing (or fitting) dataset cannot be taken for its columns, or null once admitted. */
  private admitUnit(events: readonly EventRecord[], start: number, end: number, key: string, knownLayers: Array<AttributeList | undefined>, nowNs: bigint): string | null {
    const dataset = events[start]!.dataset;
    const set = this.datasetSet(key);
    let newIds: Set<number> | null = null;
    let created: Map<string, ColumnType> | null = null;
    for (let e = start; e < end; e++) {
      const layers = events[e]!.attributes;
      for (let li = 0; li < layers.length; li++) {
        const layer = layers[li]!;
        if (knownLayers[li] === layer) continue;
        const { keys, kinds, values } = layer;
        for (let i = 0; i < keys.length; i++) {
          const direct = this.routes.peek(keys[i]!, kinds[i]!);
          if (direct >= 0) {
            if (!set.has(direct)) (newIds ??= new Set()).add(direct);
            continue;
          }
          const target = resolveAttributeColumn(keys[i]!, kinds[i]!, values[i]!, (name) => this.catalog.typeOf(name) ?? created?.get(name));
          const column = this.catalog.columnByKey(target.keyName);
          if (column) {
            if (!set.has(column.id)) (newIds ??= new Set()).add(column.id);
          } else if (!created?.has(target.keyName)) {
            (created ??= new Map()).set(target.keyName, target.type);
          }
        }
      }
    }
    const adding = (newIds?.size ?? 0) + (created?.size ?? 0);
    if (adding > 0) {
      const { columnsPerDataset, columnsTotal } = this.limits;
      if (set.size + adding > columnsPerDataset) {
        return `dataset '${dataset.slice(0, 100)}' would have ${set.size + adding} distinct columns; at most ${columnsPerDataset} are accepted per dataset`;
      }
      const total = this.catalog.columnCount() + (created?.size ?? 0);
      if (created !== null && total > columnsTotal) {
        return `the store would have ${total} distinct columns; at most ${columnsTotal} are accepted over all datasets`;
      }
      for (const id of newIds ?? []) set.add(id);
      // Created now, in admission (= WAL) order, so each key's type is fixed by its first admitted value, as a commit would.
      for (const [keyName, type] of created ?? []) set.add(this.catalog.ensureColumn(keyName, type, nowNs).id);
    }
    if (!this.catalog.hasDataset(key)) this.admittedNewDatasets.add(key);
    // Admitted: the unit's layers are known now (its last event's, the ones the next span repeats).
    const last = events[end - 1]!.attributes;
    for (let li = 0; li < last.length; li++) knownLayers[li] = last[li];
    return null;
  }
}
