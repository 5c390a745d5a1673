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
  /** Rewritten by compaction (rows in time order to the second, then by trace); rewritten again only when narrow (merged). */
  compacted: boolean;
  /** Clock time the segment was opened (or the store was), to seal segments by age. */
  openedNs: bigint;
  /** Whether its table has the receive-time column: segments made before it was added do not (they read NULL). */
  hasIngestTime: boolean;
  /** Whether it keeps the receive time split in seconds and a remainder (compacted segments: SPLIT_INGEST_TIME_DEFS). */
  ingestTimeSplit: boolean;
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
    openedNs,
    hasIngestTime: true,
    ingestTimeSplit: false,
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


/** A segment's datasets as waggle_segments.datasets_json keeps them: a JSON array of storage keys, sorted. */
export function segmentDatasetsJson(segment: SegmentState): string {
  return JSON.stringify([...segment.datasets].sort());
}

/** The dataset keys of a datasets_json value; null when the value is missing or not an array of strings (the segment is then scanned). */
export function parseSegmentDatasetsJson(value: unknown): string[] | null {
  if (typeof value !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((name): name is string => typeof name === 'string')) return null;
  return parsed;
}
