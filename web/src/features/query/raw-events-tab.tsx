/**
 * The events behind the current query (its filters and time range), newest first, a page at a
 * time, with CSV and JSON downloads of up to 10 000 of them (GET /api/raw-events).
 */
import { useState, type ReactNode } from 'react';
import { listRawEvents, rawEventsUrl } from '../../api/api-client.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { columnsWithValues, pageLabel, RAW_EVENTS_EXPORT_ROWS, RAW_EVENTS_PAGE_ROWS } from '../../models/raw-events-model.js';
import { formatCell } from '../../models/result-series-model.js';
import { Link, traceHref } from '../../routing/router.js';

export interface RawEventsTabProps {
  dataset: string;
  /** The query as text, its window made explicit so that pages and exports hold still. */
  text: string;
}

export function RawEventsTab({ dataset, text }: RawEventsTabProps): ReactNode {
  const [offset, setOffset] = useState(0);
  const page = useAsync((signal) => listRawEvents(dataset, text, { limit: RAW_EVENTS_PAGE_ROWS, offset }, signal), [dataset, text, offset]);
  const exportLimit = { limit: RAW_EVENTS_EXPORT_ROWS };

  return (
    <div className="raw-events-tab">
      <div className="raw-events-bar">
        <span className="muted">Events matching this query's filters and time range, newest first.</span>
        <span className="spacer" />
        <a className="button small" href={rawEventsUrl(dataset, text, { ...exportLimit, format: 'csv' })} download="waggle-events.csv">
          Export CSV
        </a>
        <a className="button small" href={rawEventsUrl(dataset, text, { ...exportLimit, format: 'json' })} download="waggle-events.json">
          Export JSON
        </a>
      </div>
      {page.status === 'loading' && <Loading what="events" />}
      {page.status === 'error' && <ErrorMessage error={page.error} retry={page.reload} />}
      {page.status === 'ready' &&
        (page.value.events.length === 0 && offset === 0 ? (
          <Empty>No events match this query in this time range.</Empty>
        ) : (
          <RawEventsTable columns={columnsWithValues(page.value.columns, page.value.events)} events={page.value.events} />
        ))}
      {page.status === 'ready' && (
        <div className="pager" role="navigation" aria-label="Event pages">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - RAW_EVENTS_PAGE_ROWS))}>
            Newer
          </button>
          <span className="muted">{pageLabel(offset, page.value.events.length)}</span>
          {/* A page of wide events may hold fewer than asked (the server's bytes bound): the next starts after what came. */}
          <button type="button" disabled={!page.value.has_more} onClick={() => setOffset(offset + page.value.events.length)}>
            Older
          </button>
          {page.value.columns_truncated && <span className="muted">Only the first {page.value.columns.length - 1} columns of this dataset are shown.</span>}
        </div>
      )}
    </div>
  );
}

function RawEventsTable({ columns, events }: { columns: readonly string[]; events: ReadonlyArray<Record<string, unknown>> }): ReactNode {
  return (
    <div className="table-wrap raw-events-table-wrap">
      <table className="results-table raw-events-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {events.map((event, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const value = event[c];
                const shown = value === null || value === undefined ? '' : formatCell(value);
                return (
                  <td key={c} className={typeof value === 'number' ? 'num' : undefined} title={shown.length > 60 ? shown : undefined}>
                    {c === 'trace.trace_id' && typeof value === 'string' ? (
                      <Link href={traceHref(value)} className="mono">
                        {value}
                      </Link>
                    ) : (
                      shown
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
