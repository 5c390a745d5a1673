import { traceKey32Of } from './duckdb-physical-layout.js';
import type { TraceRange } from './duckdb-row-appender.js';
import type { TraceLocation } from './duckdb-trace-index-lookup.js';

/**
 * The trace index in memory: for each registered segment, which traces it holds (by the 32-bit
 * key of their id, traceKey32Of) and each trace's time range there in whole seconds. A mirror of
 * the index tables (waggle_trace_index, the runs, the merged tables), never the record: it is read
 * from them when the database is opened (and reopened), and changed only after a transaction that
 * changed them committed (a commit's traces, a compaction's run, segments retired). A crash loses
 * nothing the next open does not read back.
 *
 * Why: the lookup statement over the index tables was a third of a warm trace lookup (2.4 of
 * 7.1 ms at 10M, BENCHMARKS.md run BF); here a lookup is a binary search per segment chunk.
 *
 * Rows cost 6-12 bytes (a 4-byte key, then the start and length in the narrowest array they fit).
 * Past `maxRows` the mirror is dropped and lookups read the index tables again until the next open
 * (store.traceLocatorRows).
 *
 * Keys fold ids to 32 bits, so a location may belong to another trace of the same key: the segment
 * read filters by the full id, so that costs a read that finds nothing, never a wrong span.
 */
/** What a reader may see of it. */
export interface TraceLocatorView {
  readonly enabled: boolean;
  readonly rows: number;
  readonly bytes: number;
  locate(traceId: bigint): TraceLocation[];
}

export class TraceLocator implements TraceLocatorView {
  private readonly bySegment = new Map<number, LocatorChunk[]>();
  private rowCount = 0;
  private overflowed: boolean;
  private loading = false;

  constructor(readonly maxRows: number) {
    this.overflowed = maxRows <= 0;
  }

  /** Whether lookups may use it (false while a load fills it, and once it outgrew maxRows until the next load). */
  get enabled(): boolean {
    return !this.overflowed && !this.loading;
  }

  /** A load starts: emptied, and not used until loaded (or left off by it). */
  beginLoad(overflowed: boolean): void {
    this.reset(overflowed);
    this.loading = true;
  }

  loaded(): void {
    this.loading = false;
  }

  get rows(): number {
    return this.rowCount;
  }

  /** The bytes its arrays take. */
  get bytes(): number {
    let bytes = 0;
    for (const chunks of this.bySegment.values()) for (const c of chunks) bytes += c.keys.byteLength + c.starts.byteLength + c.lengths.byteLength;
    return bytes;
  }

  /**
   * Not to be used until the next load: a COMMIT that failed may or may not have changed the index
   * tables (the store reopens the database after one, and the reopen reads them again).
   */
  invalidate(): void {
    this.reset(true);
  }

  /** Forgets everything; `overflowed` when the index tables hold more rows than maxRows. */
  reset(overflowed: boolean): void {
    this.bySegment.clear();
    this.rowCount = 0;
    // A bound of 0 keeps it off: lookups always read the tables.
    this.overflowed = overflowed || this.maxRows <= 0;
  }

  /**
   * Adds a segment's traces: rows in any order, or a chunk built in key order (SortedChunkBuilder,
   * as a load does). A trace may be added again: its ranges are merged at lookup.
   */
  add(segmentId: number, rows: LocatorRows | LocatorChunk): void {
    if (this.overflowed || rows.keys.length === 0) return;
    if (this.rowCount + rows.keys.length > this.maxRows) {
      this.reset(true);
      return;
    }
    const chunks = this.bySegment.get(segmentId) ?? [];
    this.bySegment.set(segmentId, chunks);
    chunks.push('baseS' in rows ? rows : buildChunk(rows));
    this.rowCount += rows.keys.length;
    // Chunks of similar size are merged (a commit adds one each), up to MERGED_CHUNK_ROWS: a
    // segment keeps O(log n) small ones and a few large ones, and no merge holds the event loop
    // for long (merging 1.3M rows into 1.3M took ~300 ms).
    while (
      chunks.length >= 2 &&
      chunks[chunks.length - 2]!.keys.length <= 2 * chunks[chunks.length - 1]!.keys.length &&
      chunks[chunks.length - 2]!.keys.length + chunks[chunks.length - 1]!.keys.length <= MERGED_CHUNK_ROWS
    ) {
      const last = chunks.pop()!;
      const before = chunks.pop()!;
      chunks.push(mergeChunks(before, last));
    }
  }

  /**
   * After a COMMIT: a commit's traces or a compaction's run, built before it while the locator was
   * enabled, or null when it was off then (nothing built: a store past maxRows builds no chunks).
   * Null while it is enabled now means rows it should hold were never built: off until the next load.
   */
  addBuilt(segmentId: number, built: LocatorChunk | null): void {
    if (built !== null) this.add(segmentId, built);
    else if (this.enabled) this.invalidate();
  }

  /** Forgets segments (retired, or replaced by a compaction). */
  drop(segmentIds: Iterable<number>): void {
    for (const id of segmentIds) {
      const chunks = this.bySegment.get(id);
      if (chunks === undefined) continue;
      for (const chunk of chunks) this.rowCount -= chunk.keys.length;
      this.bySegment.delete(id);
    }
  }

  /** The segments that may hold the trace and its time range in each (ns, inclusive), by segment id. */
  locate(traceId: bigint): TraceLocation[] {
    const key = Number(traceKey32Of(traceId));
    const found: TraceLocation[] = [];
    for (const [segmentId, chunks] of this.bySegment) {
      let minS = Infinity;
      let maxS = -Infinity;
      for (const chunk of chunks) {
        for (let i = lowerBound(chunk.keys, key); i < chunk.keys.length && chunk.keys[i] === key; i += 1) {
          const start = chunk.baseS + chunk.starts[i]!;
          const end = start + chunk.lengths[i]!;
          if (start < minS) minS = start;
          if (end > maxS) maxS = end;
        }
      }
      if (minS !== Infinity) found.push({ segmentId, minTsNs: BigInt(minS) * NS_PER_S, maxTsNs: BigInt(maxS) * NS_PER_S + NS_PER_S - 1n });
    }
    return found.sort((a, b) => a.segmentId - b.segmentId);
  }
}

/** A segment's traces as parallel arrays: 32-bit key, first and last second (floor of the ns). */
export interface LocatorRows {
  readonly keys: ArrayLike<number>;
  readonly startS: ArrayLike<number>;
  readonly endS: ArrayLike<number>;
}

/** Rows sorted by key; each start is `baseS` plus its offset, each end its start plus its length. */
export interface LocatorChunk {
  readonly keys: Uint32Array;
  readonly baseS: number;
  readonly starts: NumberArray;
  readonly lengths: NumberArray;
}

type NumberArray = Uint16Array | Uint32Array | Float64Array;

const NS_PER_S = 1_000_000_000n;

/** Most rows a merge of a segment's chunks makes (a chunk added larger stays as it is). */
const MERGED_CHUNK_ROWS = 65_536;

/** Traces converted between two turns of the event loop while a commit's chunk is built. */
const TRACES_PER_TURN = 8_192;

/** The whole second a nanosecond time falls in (floored, before 1970 too), as a number (exact: |s| < 2^53). */
export function floorSeconds(ns: bigint): number {
  const s = ns / NS_PER_S;
  return Number(ns < 0n && s * NS_PER_S !== ns ? s - 1n : s);
}

/**
 * A commit's traces as a chunk, built while its transaction is open (before the COMMIT, so that
 * adding it after is only a push): converted in slices with a turn of the event loop between them
 * (a commit of 131 072 traces took ~45 ms to convert and ~80 ms to sort in one piece).
 */
export async function locatorChunkOfTraces(traces: ReadonlyMap<bigint, TraceRange>): Promise<LocatorChunk> {
  const keys = new Uint32Array(traces.size);
  const startS = new Float64Array(traces.size);
  const endS = new Float64Array(traces.size);
  let i = 0;
  for (const [traceId, range] of traces) {
    keys[i] = Number(traceKey32Of(traceId));
    startS[i] = floorSeconds(range.minTsNs);
    endS[i] = floorSeconds(range.maxTsNs);
    i += 1;
    if (i % TRACES_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return buildChunk({ keys, startS, endS });
}

/**
 * A chunk filled row by row in key order, into arrays sized up front: a load reads each segment's
 * rows sorted, with its count, first start and widest offset or length counted before, so it holds
 * no copy of them.
 */
export class SortedChunkBuilder {
  private readonly keys: Uint32Array;
  private readonly starts: NumberArray;
  private readonly lengths: NumberArray;
  private filled = 0;

  constructor(
    count: number,
    private readonly baseS: number,
    private readonly widest: number,
  ) {
    this.keys = new Uint32Array(count);
    this.starts = numberArray(count, widest);
    this.lengths = numberArray(count, widest);
  }

  /** Whether every row counted is in. */
  get full(): boolean {
    return this.filled === this.keys.length;
  }

  /** Whether the row may come next: room counted for it, its key not below the last, its times within the counted widths. */
  fits(key: number, startS: number, endS: number): boolean {
    const at = this.filled;
    if (at >= this.keys.length || (at > 0 && key < this.keys[at - 1]!)) return false;
    const offset = startS - this.baseS;
    return offset >= 0 && offset <= this.widest && endS - startS <= this.widest;
  }

  /** The next row, which must fit (fits). */
  push(key: number, startS: number, endS: number): void {
    const at = this.filled;
    this.keys[at] = key;
    this.starts[at] = startS - this.baseS;
    this.lengths[at] = Math.max(0, endS - startS);
    this.filled = at + 1;
  }

  finish(): LocatorChunk {
    const n = this.filled;
    return { keys: this.keys.subarray(0, n), baseS: this.baseS, starts: this.starts.subarray(0, n), lengths: this.lengths.subarray(0, n) };
  }
}

function numberArray(n: number, widest: number): NumberArray {
  return widest <= 0xffff ? new Uint16Array(n) : widest <= 0xffff_ffff ? new Uint32Array(n) : new Float64Array(n);
}

/** Rows in any order as a chunk sorted by key. */
export function buildChunk(rows: LocatorRows): LocatorChunk {
  const n = rows.keys.length;
  const order = keyOrder(rows.keys);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) keys[i] = rows.keys[order[i]!]!;
  return packChunk(
    keys,
    (i) => rows.startS[order[i]!]!,
    (i) => Math.max(rows.startS[order[i]!]!, rows.endS[order[i]!]!),
  );
}

/**
 * The row indices in key order (equal keys in index order). Up to 2^21 rows, key and index packed
 * into one float (32 + 21 bits, exact) and sorted natively: ~5x faster than a comparator.
 */
function keyOrder(keys: ArrayLike<number>): Uint32Array {
  const n = keys.length;
  const order = new Uint32Array(n);
  if (n <= 0x20_0000) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i += 1) packed[i] = keys[i]! * 0x20_0000 + i;
    packed.sort();
    for (let i = 0; i < n; i += 1) order[i] = packed[i]! % 0x20_0000;
    return order;
  }
  for (let i = 0; i < n; i += 1) order[i] = i;
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** The chunk of sorted keys, each with its first and last second, in the narrowest arrays that hold them. */
function packChunk(keys: Uint32Array, startOf: (i: number) => number, endOf: (i: number) => number): LocatorChunk {
  const n = keys.length;
  let baseS = Infinity;
  for (let i = 0; i < n; i += 1) baseS = Math.min(baseS, startOf(i));
  if (n === 0) baseS = 0;
  let widest = 0;
  for (let i = 0; i < n; i += 1) widest = Math.max(widest, startOf(i) - baseS, endOf(i) - startOf(i));
  const starts = numberArray(n, widest);
  const lengths = numberArray(n, widest);
  for (let i = 0; i < n; i += 1) {
    starts[i] = startOf(i) - baseS;
    lengths[i] = endOf(i) - startOf(i);
  }
  return { keys, baseS, starts, lengths };
}

/** Two sorted chunks as one sorted chunk. */
function mergeChunks(a: LocatorChunk, b: LocatorChunk): LocatorChunk {
  const n = a.keys.length + b.keys.length;
  const keys = new Uint32Array(n);
  // Where each merged row came from: a's index, or b's as ~index.
  const from = new Int32Array(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k += 1) {
    if (j >= b.keys.length || (i < a.keys.length && a.keys[i]! <= b.keys[j]!)) {
      keys[k] = a.keys[i]!;
      from[k] = i;
      i += 1;
    } else {
      keys[k] = b.keys[j]!;
      from[k] = ~j;
      j += 1;
    }
  }
  const startOf = (k: number): number => {
    const f = from[k]!;
    return f >= 0 ? a.baseS + a.starts[f]! : b.baseS + b.starts[~f]!;
  };
  const endOf = (k: number): number => {
    const f = from[k]!;
    return f >= 0 ? a.baseS + a.starts[f]! + a.lengths[f]! : b.baseS + b.starts[~f]! + b.lengths[~f]!;
  };
  return packChunk(keys, startOf, endOf);
}

/** The first index whose key is not below `key`. */
function lowerBound(keys: Uint32Array, key: number): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keys[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}
