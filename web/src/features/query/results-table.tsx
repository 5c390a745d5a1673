import { useMemo, useState, type ReactNode } from 'react';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { Empty } from '../../components/status-views.js';
import { paletteColor } from '../../components/palette.js';
import type { ResultData } from '../../models/query-result-types.js';
import { formatCell, groupKey } from '../../models/result-series-model.js';
import { formatCalculationCell } from '../../models/value-units-model.js';
import { TRACE_ID_COLUMN } from '../../models/query-drilldown-model.js';
import { Link, traceHref } from '../../routing/router.js';
import { nextSort, sortRows, tableColumns, type SortDirection } from '../../models/results-table-model.js';

export interface ResultsTableProps {
  spec: QuerySpec;
  rows: readonly ResultData[];
  /** Group keys of the lines drawn, to show each row's line color. */
  lineKeys: readonly string[];
  onFilterGroup: (column: string, value: unknown) => void;
}

export function ResultsTable({ spec, rows, lineKeys, onFilterGroup }: ResultsTableProps): ReactNode {
  const columns = tableColumns(spec);
  const [sort, setSort] = useState<{ column: string; direction: SortDirection } | null>(null);
  const sorted = useMemo(() => (sort ? sortRows(rows, sort.column, sort.direction) : [...rows]), [rows, sort]);
  if (rows.length === 0) return <Empty>No rows matched this query in this time range.</Empty>;
  return (
    <div className="table-wrap">
      <table className="results-table">
        <thead>
          <tr>
            {spec.breakdowns.length > 0 && <th aria-label="Line color" />}
            {columns.map((c) => {
              const active = sort?.column === c.key;
              const ariaSort = active ? (sort.direction === 'ascending' ? 'ascending' : 'descending') : 'none';
              return (
                <th key={c.key} aria-sort={ariaSort} className={c.role === 'calculation' ? 'num' : undefined}>
                  <button type="button" className="sort-button" onClick={() => setSort(nextSort(sort, c.key))}>
                    {c.key}
                    <span aria-hidden="true">{active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row, i) => {
            const lineIndex = lineKeys.indexOf(groupKey(spec.breakdowns, row));
            return (
              <tr key={i}>
                {spec.breakdowns.length > 0 && <td className="swatch-cell">{lineIndex >= 0 && <span className="swatch" style={{ background: paletteColor(lineIndex) }} />}</td>}
                {columns.map((c) =>
                  c.role === 'breakdown' ? (
                    <td key={c.key}>
                      {c.key === TRACE_ID_COLUMN && typeof row[c.key] === 'string' && (
                        <Link href={traceHref(String(row[c.key]))} className="trace-link" aria-label={`Open trace ${String(row[c.key])}`}>
                          ↗
                        </Link>
                      )}
                      <button type="button" className="cell-filter" title={`Filter to ${c.key} = ${formatCell(row[c.key])}`} onClick={() => onFilterGroup(c.key, row[c.key] ?? null)}>
                        {formatCell(row[c.key])}
                      </button>
                    </td>
                  ) : (
                    <td key={c.key} className="num">
                      {formatCalculationCell(c.key, row[c.key], formatCell)}
                    </td>
                  ),
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
