/** Tabs between the alerting pages, keeping the dataset. */
import type { ReactNode } from 'react';
import { Link } from '../../routing/router.js';

const PAGES = [
  ['/triggers', 'Triggers'],
  ['/slos', 'SLOs'],
  ['/calculated-fields', 'Calculated fields'],
  ['/recipients', 'Recipients'],
] as const;

export function AlertingNav({ current, dataset }: { current: (typeof PAGES)[number][0]; dataset: string }): ReactNode {
  return (
    <nav className="tabs" aria-label="Alerting">
      {PAGES.map(([path, label]) => (
        <Link key={path} href={path === '/recipients' ? path : `${path}?dataset=${encodeURIComponent(dataset)}`} className={path === current ? 'tab active' : 'tab'} aria-current={path === current ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
