import { useState, type ReactNode } from 'react';
import { ALL_DATASETS, deleteAnnotation, listAllSavedQueries } from '../../api/api-client.js';
import type { SavedQuery } from '../../api/api-types.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { savedQueryHref } from './saved-query-actions.js';
import { STARTER_QUERIES } from './starter-queries.js';

export function SavedQueryList({ queries, onDelete }: { queries: readonly SavedQuery[]; onDelete?: (q: SavedQuery) => void }): ReactNode {
  const [opening, setOpening] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const open = (q: SavedQuery): void => {
    setOpening(q.id);
    setError(null);
    savedQueryHref(q).then(navigate, (e: unknown) => {
      setOpening(null);
      setError(e instanceof Error ? e : new Error(String(e)));
    });
  };
  if (queries.length === 0) return <Empty>No saved queries yet. Run a query and press Save.</Empty>;
  return (
    <>
      {error && <ErrorMessage error={error} />}
      <ul className="saved-list">
        {queries.map((q) => (
          <li key={q.id} className="saved-item">
            <div className="saved-main">
              <button type="button" className="link-button saved-name" onClick={() => open(q)} disabled={opening === q.id}>
                {q.name}
              </button>
              <span className="muted"> · {q.dataset === ALL_DATASETS ? 'all datasets' : q.dataset}</span>
              {opening === q.id && <span className="muted"> opening…</span>}
              {q.description && <div className="saved-description">{q.description}</div>}
            </div>
            {onDelete && (
              <button type="button" className="small danger" onClick={() => onDelete(q)} aria-label={`Delete ${q.name}`}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export function SavedPage(): ReactNode {
  const saved = useAsync((signal) => listAllSavedQueries(signal), []);
  const [deleteError, setDeleteError] = useState<Error | null>(null);
  const remove = (q: SavedQuery): void => {
    if (!window.confirm(`Delete the saved query “${q.name}”?`)) return;
    deleteAnnotation(q.dataset, q.id).then(saved.reload, (e: unknown) => setDeleteError(e instanceof Error ? e : new Error(String(e))));
  };
  return (
    <div className="page narrow">
      <h1>Saved queries</h1>
      {deleteError && <ErrorMessage error={deleteError} />}
      {saved.status === 'loading' && <Loading what="saved queries" />}
      {saved.status === 'error' && <ErrorMessage error={saved.error} retry={saved.reload} />}
      {saved.status === 'ready' && <SavedQueryList queries={saved.value} onDelete={remove} />}
      <h2>Starters</h2>
      <ul className="starter-list">
        {STARTER_QUERIES.map((s) => (
          <li key={s.name}>
            <Link href={queryHref(ALL_DATASETS, s.text)}>{s.name}</Link>
            <div className="saved-description">{s.description}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}
