import { useState, type FormEvent, type ReactNode } from 'react';
import { ALL_DATASETS, deleteAnnotation, listAllSavedQueries } from '../../api/api-client.js';
import type { SavedQuery } from '../../api/api-types.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { specText } from '../../models/query-text-sync-model.js';
import { editSavedQuery, savedQueryHref, savedQuerySpec } from './saved-query-actions.js';
import { STARTER_QUERIES } from './starter-queries.js';

/** The saved query's text, loaded on its own so that one missing spec does not hide the list. */
function SavedQueryText({ saved, text }: { saved: SavedQuery; text: { status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; value: string } }): ReactNode {
  if (text.status === 'loading') return <div className="saved-query-text">…</div>;
  if (text.status === 'error') return <div className="saved-query-text text-warn">The query behind “{saved.name}” cannot be read: {text.error.message}</div>;
  return <div className="saved-query-text">{text.value}</div>;
}

function SavedQueryEditor({ saved, text, onDone, onCancel }: { saved: SavedQuery; text: string; onDone: () => void; onCancel: () => void }): ReactNode {
  const [name, setName] = useState(saved.name);
  const [description, setDescription] = useState(saved.description ?? '');
  const [query, setQuery] = useState(text);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (name.trim() === '') {
      setError(new Error('A saved query needs a name.'));
      return;
    }
    setBusy(true);
    setError(null);
    editSavedQuery(saved, { name: name.trim(), description, text: query }).then(onDone, (e: unknown) => {
      setBusy(false);
      setError(e instanceof Error ? e : new Error(String(e)));
    });
  };
  return (
    <form className="saved-edit" onSubmit={submit} aria-label={`Edit ${saved.name}`}>
      <label>
        Name <input value={name} maxLength={320} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Description <input value={description} maxLength={1023} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        Query <textarea value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
      </label>
      {error && <ErrorMessage error={error} />}
      <div className="inline-form">
        <button type="submit" className="primary" disabled={busy}>
          Save changes
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SavedQueryItem({ q, opening, onOpen, onDelete, onEdited }: { q: SavedQuery; opening: boolean; onOpen: () => void; onDelete?: (q: SavedQuery) => void; onEdited?: () => void }): ReactNode {
  const text = useAsync(async (signal) => specText(await savedQuerySpec(q, signal)), [q.dataset, q.query_id]);
  const [editing, setEditing] = useState(false);
  return (
    <li className="saved-item">
      <div className="saved-main">
        <button type="button" className="link-button saved-name" onClick={onOpen} disabled={opening}>
          {q.name}
        </button>
        <span className="muted"> · {q.dataset === ALL_DATASETS ? 'all datasets' : q.dataset}</span>
        {opening && <span className="muted"> opening…</span>}
        {q.description && <div className="saved-description">{q.description}</div>}
        <SavedQueryText saved={q} text={text} />
        {editing && text.status === 'ready' && (
          <SavedQueryEditor
            saved={q}
            text={text.value}
            onCancel={() => setEditing(false)}
            onDone={() => {
              setEditing(false);
              onEdited?.();
            }}
          />
        )}
      </div>
      {onEdited && !editing && (
        <button type="button" className="small" onClick={() => setEditing(true)} disabled={text.status !== 'ready'} aria-label={`Edit ${q.name}`}>
          Edit
        </button>
      )}
      {onDelete && (
        <button type="button" className="small danger" onClick={() => onDelete(q)} aria-label={`Delete ${q.name}`}>
          Delete
        </button>
      )}
    </li>
  );
}

export function SavedQueryList({ queries, onDelete, onEdited }: { queries: readonly SavedQuery[]; onDelete?: (q: SavedQuery) => void; onEdited?: () => void }): ReactNode {
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
          <SavedQueryItem key={q.id} q={q} opening={opening === q.id} onOpen={() => open(q)} {...(onDelete ? { onDelete } : {})} {...(onEdited ? { onEdited } : {})} />
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
      {saved.status === 'ready' && <SavedQueryList queries={saved.value} onDelete={remove} onEdited={saved.reload} />}
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
