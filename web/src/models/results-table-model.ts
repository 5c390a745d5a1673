/** The results table: which columns it shows and how rows sort. */
import { calculationLabel } from '../../../src/query/calculation-label.js';
import { CALCULATION_OP_TRAITS } from '../../../src/query/calculation-op-traits.js';
import type { QuerySpec } from '../../../src/query/query-spec.js';
import type { ResultData } from './query-result-types.js';
import { effectiveCalculations } from './result-series-model.js';

export type SortDirection = 'ascending' | 'descending';

export interface TableColumn {
  readonly key: string;
  /** Breakdown columns can be clicked to filter by their value. */
  readonly role: 'breakdown' | 'calculation';
}

/** Breakdowns, then every calculation that yields a number (a heatmap has no cell value). */
export function tableColumns(spec: Pick<QuerySpec, 'calculations' | 'breakdowns'>): TableColumn[] {
  return [
    ...spec.breakdowns.map((key): TableColumn => ({ key, role: 'breakdown' })),
    ...effectiveCalculations(spec)
      .filter((c) => CALCULATION_OP_TRAITS[c.op].scalarResult)
      .map((c): TableColumn => ({ key: calculationLabel(c), role: 'calculation' })),
  ];
}

const TYPE_RANK: Record<string, number> = { number: 0, bigint: 0, boolean: 1, string: 2, object: 3 };

function compareValues(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return (TYPE_RANK[ta] ?? 4) - (TYPE_RANK[tb] ?? 4);
  if (ta === 'number') return (a as number) - (b as number);
  if (ta === 'boolean') return Number(a) - Number(b);
  if (ta === 'string') return (a as string).localeCompare(b as string);
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}

/**
 * Rows sorted by one column; missing values always last whatever the direction. Stable: equal
 * rows keep the server's order.
 */
export function sortRows<T extends ResultData>(rows: readonly T[], column: string, direction: SortDirection): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const a = x.row[column];
      const b = y.row[column];
      const aMissing = a === null || a === undefined;
      const bMissing = b === null || b === undefined;
      if (aMissing || bMissing) return aMissing === bMissing ? x.index - y.index : aMissing ? 1 : -1;
      return sign * compareValues(a, b) || x.index - y.index;
    })
    .map((x) => x.row);
}

/** Clicking a header: a new column sorts descending (biggest first), the same one flips. */
export function nextSort(
  current: { column: string; direction: SortDirection } | null,
  column: string,
): { column: string; direction: SortDirection } {
  if (current?.column === column) return { column, direction: current.direction === 'descending' ? 'ascending' : 'descending' };
  return { column, direction: 'descending' };
}
