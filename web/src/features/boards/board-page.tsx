import { useEffect, useState, type ReactNode } from 'react';
import { deleteBoard, getBoard, listAllSavedQueries, runSpec, updateBoard } from '../../api/api-client.js';
import type { Board, SavedQuery } from '../../api/api-types.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { addFilters, filtersForGroup } from '../../models/query-drilldown-model.js';
import { specText } from '../../models/query-text-sync-model.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { QueryResultView } from '../query/query-result-view.js';
import { savedQuerySpec } from '../saved/saved-query-actions.js';

const REFRESH_MS = 60_000;

function BoardPanel({ saved, onRemove }: { saved: SavedQuery; onRemove: () => void }): ReactNode {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const panel = useAsync(
    async (signal) => {
      const spec = await savedQuerySpec(saved, signal);
      const result = await runSpec(saved.dataset, spec, { signal });
      return { spec, result, ranAtSec: Math.floor(Date.now() / 1000) };
    },
    [saved.id, tick],
  );
  return (
    <section className="board-panel" aria-label={saved.name}>
      <header>
        <h2>{saved.name}</h2>
        <span className="spacer" />
        {panel.status === 'ready' && <Link href={queryHref(saved.dataset, specText(panel.value.spec))}>Open in query</Link>}
        <button type="button" className="small" onClick={onRemove} aria-label={`Remove ${saved.name} from board`}>
          Remove
        </button>
      </header>
      {saved.description && <p className="muted">{saved.description}</p>}
      {panel.status === 'loading' && <Loading what="panel" />}
      {panel.status === 'error' && <ErrorMessage error={panel.error} retry={panel.reload} />}
      {panel.status === 'ready' && (
        <QueryResultView
          dataset={saved.dataset}
          spec={panel.value.spec}
          result={panel.value.result}
          ranAtSec={panel.value.ranAtSec}
          chartHeight={160}
          onFilterGroup={(column, value) => {
            const next = addFilters(panel.value.spec, filtersForGroup({ [column]: value }));
            if (next) navigate(queryHref(saved.dataset, specText(next)));
          }}
        />
      )}
    </section>
  );
}

export function BoardPage({ boardId }: { boardId: string }): ReactNode {
  const loaded = useAsync(async (signal) => {
    const [board, saved] = await Promise.all([getBoard(boardId, signal), listAllSavedQueries(signal)]);
    return { board, saved };
  }, [boardId]);
  // The board as edited here; null until an edit, so the loaded board shows until then. Never
  // reset from `loaded` in an effect: that undid edits whenever the page re-rendered.
  const [edited, setEdited] = useState<Board | null>(null);
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => setEdited(null), [boardId]);

  if (loaded.status === 'loading') return <div className="page"><Loading what="board" /></div>;
  if (loaded.status === 'error') return <div className="page"><ErrorMessage error={loaded.error} retry={loaded.reload} /></div>;
  const board = edited ?? loaded.value.board;
  const saved = loaded.value.saved;
  const byId = new Map(saved.map((s) => [s.id, s]));

  // Shown at once; each edit builds on the last one shown, and the server's answer replaces it.
  const save = (next: Board): void => {
    setError(null);
    setEdited(next);
    updateBoard(next).then(
      (stored) => setEdited((current) => (current === next ? stored : current)),
      (e: unknown) => {
        setEdited(board);
        setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  };

  return (
    <div className="page board-page">
      <div className="page-header">
        <h1>{board.name}</h1>
        <span className="spacer" />
        <button
          type="button"
          className="small danger"
          onClick={() => {
            if (window.confirm(`Delete the board “${board.name}”?`)) deleteBoard(board.id).then(() => navigate('/boards'), (e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
          }}
        >
          Delete board
        </button>
      </div>
      {board.description && <p className="muted">{board.description}</p>}
      {error && <ErrorMessage error={error} />}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (adding === '') return;
          save({ ...board, panels: [...board.panels, { type: 'query', query_panel: { query_annotation_id: adding } }] });
          setAdding('');
        }}
      >
        <label>
          <span className="sr-only">Saved query to add</span>
          <select value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Add a saved query…</option>
            {saved.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={adding === ''}>
          Add panel
        </button>
      </form>
      {board.panels.length === 0 && <Empty>This board is empty. Add a saved query above, or save one from the query page.</Empty>}
      <div className="board-grid">
        {board.panels.map((panel, i) => {
          const item = byId.get(panel.query_panel.query_annotation_id);
          const remove = (): void => save({ ...board, panels: board.panels.filter((_, j) => j !== i) });
          return item ? (
            <BoardPanel key={`${i}-${item.id}`} saved={item} onRemove={remove} />
          ) : (
            <section className="board-panel" key={`${i}-missing`}>
              <header>
                <h2>Missing saved query</h2>
                <span className="spacer" />
                <button type="button" className="small" onClick={remove}>
                  Remove
                </button>
              </header>
              <p className="muted">The saved query {panel.query_panel.query_annotation_id} was deleted.</p>
            </section>
          );
        })}
      </div>
    </div>
  );
}
