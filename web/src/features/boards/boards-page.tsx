import { useState, type FormEvent, type ReactNode } from 'react';
import { createBoard, listBoards } from '../../api/api-client.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { Link, navigate } from '../../routing/router.js';
import { ensureStarterBoard } from './starter-board.js';

export function BoardsPage(): ReactNode {
  const boards = useAsync((signal) => listBoards(signal), []);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const fail = (e: unknown): void => {
    setBusy(null);
    setError(e instanceof Error ? e : new Error(String(e)));
  };

  const create = (event: FormEvent): void => {
    event.preventDefault();
    if (name.trim() === '') return;
    setBusy('Creating board…');
    createBoard({ name: name.trim(), description: '', panels: [] }).then((b) => navigate(`/boards/${encodeURIComponent(b.id)}`), fail);
  };

  // One click: save both starter queries on every dataset and lay them out on a new board. A
  // second click (or a second visit) opens the board made the first time and reuses its saved
  // queries, instead of duplicating both.
  const createStarter = (): void => {
    setBusy('Creating the starter board…');
    setError(null);
    ensureStarterBoard().then((b) => navigate(`/boards/${encodeURIComponent(b.id)}`), fail);
  };

  return (
    <div className="page narrow">
      <h1>Boards</h1>
      <p className="muted">A board lays out saved queries as live charts.</p>
      {error && <ErrorMessage error={error} />}
      {busy && <div className="status" role="status">{busy}</div>}
      <div className="starter-box">
        <div>
          <strong>Starter board</strong>: “Latency by user id” and “Recent traces”, ready to use.
        </div>
        <button type="button" className="primary" onClick={createStarter} disabled={busy !== null}>
          Create starter board
        </button>
      </div>
      <form className="inline-form" onSubmit={create}>
        <label>
          <span className="sr-only">New board name</span>
          <input placeholder="New board name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={name.trim() === '' || busy !== null}>
          Create board
        </button>
      </form>
      {boards.status === 'loading' && <Loading what="boards" />}
      {boards.status === 'error' && <ErrorMessage error={boards.error} retry={boards.reload} />}
      {boards.status === 'ready' &&
        (boards.value.length === 0 ? (
          <Empty>No boards yet.</Empty>
        ) : (
          <ul className="saved-list">
            {boards.value.map((b) => (
              <li key={b.id}>
                <Link href={`/boards/${encodeURIComponent(b.id)}`} className="saved-name">
                  {b.name}
                </Link>
                <span className="muted"> · {b.panels.length} panel{b.panels.length === 1 ? '' : 's'}</span>
                {b.description && <div className="saved-description">{b.description}</div>}
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}
