/** The traces behind the current query: every trace with a span matching its filters in its range. */
import { useState, type ReactNode } from 'react';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { searchTraces } from '../../api/api-client.js';
import { ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { TraceSearchResults } from './trace-search-results.js';

/** Enough for a readable scatter plot and list; the server takes up to 1000. */
const SEARCH_LIMIT = 100;

export function TracesTab({ dataset, spec }: { dataset: string; spec: QuerySpec }): ReactNode {
  const found = useAsync((signal) => searchTraces(dataset, spec, SEARCH_LIMIT, signal), [dataset, JSON.stringify(spec)]);
  const [now] = useState(Date.now);
  return (
    <div className="traces-tab">
      <section>
        <h3>Traces matching this query</h3>
        <p className="muted">
          Traces with a span that matches the query's filters in its time range (up to {SEARCH_LIMIT}: those whose matching spans took longest).
        </p>
        {found.status === 'loading' && <Loading what="traces" />}
        {found.status === 'error' && <ErrorMessage error={found.error} retry={found.reload} />}
        {found.status === 'ready' && <TraceSearchResults traces={found.value} now={now} />}
      </section>
      <p className="hint">Tip: click a point on a chart to open the slowest trace of that moment.</p>
    </div>
  );
}
