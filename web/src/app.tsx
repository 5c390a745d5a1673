import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { getSession, signOut, SIGNED_OUT_EVENT } from './api/api-client.js';
import type { SessionInfo } from './api/api-types.js';
import { ErrorMessage, Loading } from './components/status-views.js';
import { KeysPage } from './features/auth/keys-page.js';
import { SignInPage } from './features/auth/sign-in-page.js';
import { Link, useLocation } from './routing/router.js';
import { HomePage } from './features/home/home-page.js';
import { QueryPage } from './features/query/query-page.js';
import { TracePage } from './features/trace/trace-page.js';
import { SavedPage } from './features/saved/saved-page.js';
import { BoardsPage } from './features/boards/boards-page.js';
import { BoardPage } from './features/boards/board-page.js';
import { TraceIdBox } from './features/trace/trace-id-box.js';
import { TraceComparePage } from './features/trace/trace-compare-page.js';
import { CalculatedFieldsPage } from './features/alerting/calculated-fields-page.js';
import { RecipientsPage } from './features/alerting/recipients-page.js';
import { SlosPage } from './features/alerting/slos-page.js';
import { TriggersPage } from './features/alerting/triggers-page.js';
import { ServiceMapPage } from './features/service-map/service-map-page.js';

function NavLink({ href, label, active }: { href: string; label: string; active: boolean }): ReactNode {
  return (
    <Link href={href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
}

function Page({ path, search, session }: { path: string; search: URLSearchParams; session: SessionInfo }): ReactNode {
  if (path === '/' || path === '') return <HomePage session={session} />;
  if (path === '/query') return <QueryPage search={search} />;
  if (path === '/trace-compare') return <TraceComparePage a={search.get('a') ?? ''} b={search.get('b') ?? ''} />;
  if (path.startsWith('/trace/')) return <TracePage traceId={decodeURIComponent(path.slice('/trace/'.length))} focusSpan={search.get('span')} />;
  if (path === '/saved') return <SavedPage />;
  if (path === '/boards') return <BoardsPage />;
  if (path === '/keys') return <KeysPage />;
  if (path === '/calculated-fields') return <CalculatedFieldsPage search={search} />;
  if (path === '/triggers') return <TriggersPage search={search} />;
  if (path === '/recipients') return <RecipientsPage />;
  if (path === '/slos') return <SlosPage search={search} />;
  if (path === '/service-map') return <ServiceMapPage search={search} />;
  if (path.startsWith('/boards/')) return <BoardPage boardId={decodeURIComponent(path.slice('/boards/'.length))} />;
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <Link href="/">Go home</Link>.
      </p>
    </div>
  );
}

type SessionState = { status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; session: SessionInfo };

/** Whether this browser must sign in first: auth is on and the server knows no session for it. */
function useSession(): { state: SessionState; set: (s: SessionInfo) => void; reload: () => void } {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const reload = useCallback(() => {
    getSession().then(
      (session) => setState({ status: 'ready', session }),
      (error: unknown) => setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }, []);
  useEffect(() => {
    reload();
    const signedOut = (): void => setState((old) => ({ status: 'ready', session: { ...(old.status === 'ready' ? old.session : {}), auth: 'on', key: null } }));
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, [reload]);
  return { state, set: (session) => setState({ status: 'ready', session }), reload };
}

export function App(): ReactNode {
  const { path, search } = useLocation();
  const session = useSession();
  // A block body: newer browsers return a Promise from scrollTo, and an effect must return nothing.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [path]);
  const ready = session.state.status === 'ready' ? session.state.session : null;
  const mustSignIn = ready !== null && ready.auth === 'on' && ready.key === null;
  const canManageKeys = ready !== null && ready.auth === 'on' && ready.key?.permissions.includes('manage_keys') === true;
  const leave = (): void => {
    signOut().then(session.set, () => session.set({ ...ready, auth: 'on', key: null }));
  };
  return (
    <div className="app">
      <header className="topbar">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          Waggle
        </Link>
        <nav aria-label="Main">
          <NavLink href="/" label="Home" active={path === '/'} />
          <NavLink href="/query" label="Query" active={path === '/query'} />
          <NavLink href="/service-map" label="Service map" active={path === '/service-map'} />
          <NavLink href="/saved" label="Saved queries" active={path === '/saved'} />
          <NavLink href="/boards" label="Boards" active={path.startsWith('/boards')} />
          <NavLink href="/triggers" label="Alerts" active={path === '/triggers' || path === '/slos' || path === '/recipients' || path === '/calculated-fields'} />
          {canManageKeys && <NavLink href="/keys" label="API keys" active={path === '/keys'} />}
        </nav>
        {ready !== null && !mustSignIn && <TraceIdBox />}
        {ready?.auth === 'on' && ready.key !== null && (
          <div className="topbar-session">
            <span title={`Signed in as ${ready.key.name}`}>
              <span className="signed-in-label">Signed in as </span>
              <strong>{ready.key.name}</strong>
            </span>
            <button type="button" className="small" onClick={leave}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main>
        {session.state.status === 'loading' && <Loading what="Waggle" />}
        {session.state.status === 'error' && <ErrorMessage error={session.state.error} retry={session.reload} />}
        {mustSignIn && <SignInPage onSignedIn={session.set} />}
        {ready !== null && !mustSignIn && <Page key={ready.key?.id ?? 'open'} path={path} search={search} session={ready} />}
      </main>
    </div>
  );
}
