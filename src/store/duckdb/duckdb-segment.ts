import type { ColumnType } from '../../query/query-schema.js';

/**
 * A time segment: one DuckDB table holding the core columns plus only the attribute columns that
 * occur in it. Segments are sealed by size, so adding a column touches a bounded table and the
 * cost of a row never grows with the number of keys the store has ever seen.
 */
export interface SegmentState {
  readonly id: number;
  rowCount: number;
  minTsNs: bigint | null;
  maxTsNs: bigint | null;
  sealed: boolean;
  /** Largest sample rate of any row, to know when results must be weighted. */
  maxSampleRate: number;
  /** Attribute column ids in table order (after the core columns). */
  readonly attributeColumns: number[];
  /** column id -> position within attributeColumns */
  readonly positions: Map<number, number>;
  /** column id -> type, for appending */
  readonly types: ColumnType[];
  /** Storage keys of the datasets with rows here: a segment is dropped once all of them expired it. */
  readonly datasets: Set<string>;
  /** Rewritten by compaction (rows in time order); rewritten again only when narrow (merged). */
  compacted: boolean;
  /** Its trace index is a table of its own (traceTableName), not rows of waggle_trace_index. */
  traceTable: boolean;
  /** Clock time the segment was opened (or the store was), to seal segments by age. */
  openedNs: bigint;
}

export function newSegment(id: number, openedNs = 0n): SegmentState {
  return {
    id,
    rowCount: 0,
    minTsNs: null,
    maxTsNs: null,
    sealed: false,
    maxSampleRate: 1,
    attributeColumns: [],
    positions: new Map(),
    types: [],
    datasets: new Set(),
    compacted: false,
    traceTable: false,
    openedNs,
  };
}

export function addSegmentColumn(segment: SegmentState, columnId: number, type: ColumnType): void {
  if (segment.positions.has(columnId)) return;
  segment.positions.set(columnId, segment.attributeColumns.length);
  segment.attributeColumns.push(columnId);
  segment.types.push(type);
}

export function segmentOverlaps(segment: SegmentState, startNs: bigint, endNs: bigint): boolean {
  if (segment.minTsNs === null || segment.maxTsNs === null) return false;
  return segment.minTsNs < endNs && segment.maxTsNs >= startNs;
}

/**
 * Counts changes to which segments are registered (compaction swaps, deletions): odd while one is
 * being committed and the in-memory list not yet updated. A reader that plans from the in-memory
 * list and then reads the database knows both agreed when the count is even and did not move.
 */
export class SegmentRegistryVersion {
  private count = 0;

  get value(): number {
    return this.count;
  }

  /** Before the transaction that changes the registry. */
  begin(): void {
    if (this.count % 2 === 0) this.count += 1;
  }

  /** Once the in-memory list matches the database again (after commit or rollback). */
  end(): void {
    if (this.count % 2 === 1) this.count += 1;
  }
}
