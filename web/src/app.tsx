import { useEffect, type ReactNode } from 'react';
import { Link, useLocation } from './routing/router.js';
import { HomePage } from './features/home/home-page.js';
import { QueryPage } from './features/query/query-page.js';
import { TracePage } from './features/trace/trace-page.js';
import { SavedPage } from './features/saved/saved-page.js';
import { BoardsPage } from './features/boards/boards-page.js';
import { BoardPage } from './features/boards/board-page.js';

function NavLink({ href, label, active }: { href: string; label: string; active: boolean }): ReactNode {
  return (
    <Link href={href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
}

function Page({ path, search }: { path: string; search: URLSearchParams }): ReactNode {
  if (path === '/' || path === '') return <HomePage />;
  if (path === '/query') return <QueryPage search={search} />;
  if (path.startsWith('/trace/')) return <TracePage traceId={decodeURIComponent(path.slice('/trace/'.length))} focusSpan={search.get('span')} />;
  if (path === '/saved') return <SavedPage />;
  if (path === '/boards') return <BoardsPage />;
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

export function App(): ReactNode {
  const { path, search } = useLocation();
  // A block body: newer browsers return a Promise from scrollTo, and an effect must return nothing.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [path]);
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
          <NavLink href="/saved" label="Saved queries" active={path === '/saved'} />
          <NavLink href="/boards" label="Boards" active={path.startsWith('/boards')} />
        </nav>
      </header>
      <main>
        <Page path={path} search={search} />
      </main>
    </div>
  );
}
