import type { ReactNode } from 'react';
import type { TraceSummary } from '../../api/api-types.js';
import { Empty } from '../../components/status-views.js';
import { timeAgo } from '../../components/time-text.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { Link, traceHref } from '../../routing/router.js';

export function TraceList({ traces, now }: { traces: readonly TraceSummary[]; now: number }): ReactNode {
  if (traces.length === 0) return <Empty>No traces yet.</Empty>;
  return (
    <table className="list-table">
      <thead>
        <tr>
          <th>Root span</th>
          <th>Service</th>
          <th className="num">Duration</th>
          <th className="num">Spans</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>
        {traces.map((t) => (
          <tr key={t.trace_id} className={t.error ? 'row-error' : undefined}>
            <td>
              <Link href={traceHref(t.trace_id)}>{t.root_name ?? '(root span missing)'}</Link>
              {t.error && <span className="badge badge-error">error</span>}
            </td>
            <td>{t.root_service ?? '–'}</td>
            <td className="num nowrap">{formatMillis(t.duration_ms)}</td>
            <td className="num">{t.span_count}</td>
            <td className="nowrap" title={t.start}>
              {timeAgo(t.start, now)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
