import type { DuckDBValue } from '@duckdb/node-api';

/**
 * A trace read of a sealed segment split by columns, so that its parts run at once on separate
 * connections (DuckDB scans one row group on one thread, and a trace's read is one vector of each
 * of ~55 columns, ~50 µs a column: the columns, not the rows, are the work). Each part projects
 * its columns and then `rowid`, and the parts' rows are put back together by it.
 */

/** The physical columns of each part, in order, `parts` groups of near equal size (the first keeps the first columns). */
export function traceColumnGroups(names: readonly string[], parts: number): string[][] {
  const count = Math.max(1, Math.min(Math.trunc(parts), names.length));
  const groups: string[][] = [];
  for (let part = 0; part < count; part += 1) {
    groups.push(names.slice(Math.floor((part * names.length) / count), Math.floor(((part + 1) * names.length) / count)));
  }
  return groups;
}

/**
 * The whole rows (every group's columns, in the groups' order) from each part's rows, whose last
 * value is the row's rowid. Null when the parts do not hold the same rows (they read one sealed
 * table, so they always should): the caller then reads the segment whole instead.
 */
export function zipColumnGroups(parts: readonly (readonly (readonly DuckDBValue[])[])[]): DuckDBValue[][] | null {
  const [first, ...rest] = parts;
  if (first === undefined) return [];
  const others: Map<DuckDBValue, readonly DuckDBValue[]>[] = [];
  for (const rows of rest) {
    if (rows.length !== first.length) return null;
    const byRowId = new Map<DuckDBValue, readonly DuckDBValue[]>();
    for (const row of rows) byRowId.set(row[row.length - 1] ?? null, row);
    if (byRowId.size !== rows.length) return null;
    others.push(byRowId);
  }
  const whole: DuckDBValue[][] = [];
  for (const row of first) {
    const rowId = row[row.length - 1] ?? null;
    if (typeof rowId !== 'bigint') return null;
    const joined = row.slice(0, -1);
    for (const byRowId of others) {
      const match = byRowId.get(rowId);
      if (match === undefined) return null;
      for (let i = 0; i < match.length - 1; i += 1) joined.push(match[i] ?? null);
    }
    whole.push(joined);
  }
  return whole;
}
