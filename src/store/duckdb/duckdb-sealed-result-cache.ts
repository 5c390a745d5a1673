import { QUERY_LIMITS } from '../../core/limits/query-limits.js';
import type { QueryParameter } from '../../query/compile/compiled-query.js';
import type { SqlRows } from '../span-store.js';
import type { SegmentState } from './duckdb-segment.js';

/** Every table a compiled query reads names a segment (`seg_<id>`) or network.*'s index. */
const SEGMENT_TABLE = /\bseg_(\d+)\b/g;
/** Tables other than the client-parent index's: state that changes (the catalog, the trace index). */
const MUTABLE_TABLE = /\bwaggle_(?!client_parents_\d)/;

/**
 * Results of queries that read only sealed segments, keyed by their statement and parameters.
 * A sealed segment's rows never change (compaction and retention replace or drop whole segments,
 * and a statement names the segments it reads), retention's cutoff and the sample weighting are
 * constants in the statement, and network.*'s index tables are never rebuilt under one name: so the
 * same statement over the same sealed segments has the same answer, and an answer kept under its
 * text is exact. A statement that reads the open segment is never kept (its rows grow).
 */
export class DuckDbSealedResultCache {
  private readonly entries = new Map<string, SqlRows>();
  private cells = 0;
  private hits = 0;

  constructor(
    private readonly segments: readonly SegmentState[],
    private readonly maxCells: number = QUERY_LIMITS.sealedResultCacheCells.value,
  ) {}

  /** The key of a statement's result, or undefined when the statement may read data that changes. */
  keyOf(sql: string, params: readonly QueryParameter[]): string | undefined {
    if (MUTABLE_TABLE.test(sql)) return undefined;
    let any = false;
    for (const match of sql.matchAll(SEGMENT_TABLE)) {
      const id = Number(match[1]);
      const segment = this.segments.find((s) => s.id === id);
      if (segment === undefined || !segment.sealed) return undefined;
      any = true;
    }
    if (!any) return undefined;
    return `${sql}\n${JSON.stringify(params, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))}`;
  }

  get(key: string): SqlRows | undefined {
    const rows = this.entries.get(key);
    if (rows === undefined) return undefined;
    // Most recently used last: eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, rows);
    this.hits += 1;
    return rows;
  }

  set(key: string, rows: SqlRows): void {
    const cells = cellsOf(rows);
    if (cells > this.maxCells / 10 || this.entries.has(key)) return;
    this.entries.set(key, rows);
    this.cells += cells;
    for (const [oldest, old] of this.entries) {
      if (this.cells <= this.maxCells) break;
      this.entries.delete(oldest);
      this.cells -= cellsOf(old);
    }
  }

  /** Forgets every kept result (the database was reopened: its segments are what it says now). */
  clear(): void {
    this.entries.clear();
    this.cells = 0;
  }

  /** Answers given from the cache since the store opened. */
  hitCount(): number {
    return this.hits;
  }
}

function cellsOf(rows: SqlRows): number {
  return Math.max(1, rows.rows.length * Math.max(1, rows.columns.length));
}
