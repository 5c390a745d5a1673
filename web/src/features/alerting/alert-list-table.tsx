import type { ReactNode } from 'react';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import type { AsyncState } from '../../components/use-async.js';

/**
 * The list every alerting page shows above its form: loading, an error with a retry, a note when
 * there is nothing yet, or a table with a row per item whose last, unheaded cell holds the row's
 * buttons. One component so that the four pages keep the same markup (the e2e tests select on it).
 */
export function AlertListTable<T extends { readonly id: string }>({
  items,
  what,
  empty,
  headings,
  selectedId,
  cells,
  actions,
  actionsClassName,
}: {
  items: AsyncState<readonly T[]> & { reload: () => void };
  /** What is loading, as in "Loading {what}…". */
  what: string;
  empty: string;
  headings: readonly string[];
  /** Given (even as null), rows are selectable: the selected one has the class `selected`. */
  selectedId?: string | null;
  /** The row's cells before the actions cell. */
  cells: (item: T) => ReactNode;
  actions: (item: T) => ReactNode;
  actionsClassName?: string;
}): ReactNode {
  if (items.status === 'loading') return <Loading what={what} />;
  if (items.status === 'error') return <ErrorMessage error={items.error} retry={items.reload} />;
  if (items.value.length === 0) return <Empty>{empty}</Empty>;
  return (
    <table className="list-table alert-table">
      <thead>
        <tr>
          {headings.map((h) => (
            <th key={h}>{h}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>
        {items.value.map((item) => (
          <tr key={item.id} className={selectedId === undefined ? undefined : item.id === selectedId ? 'selected' : ''}>
            {cells(item)}
            <td className={actionsClassName}>{actions(item)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A row's Delete button; `label` names what it deletes where the row holds more than one button. */
export function DeleteButton({ onClick, label }: { onClick: () => void; label?: string }): ReactNode {
  return (
    <button type="button" className="small danger" onClick={onClick} aria-label={label}>
      Delete
    </button>
  );
}
