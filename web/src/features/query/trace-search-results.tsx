/** Trace search results as Jaeger lists them: a duration-over-time scatter plot above a sortable list. */
import { useMemo, useState, type ReactNode } from 'react';
import type { TraceSearchResult } from '../../api/api-types.js';
import { Empty } from '../../components/status-views.js';
import { localTime, timeAgo } from '../../components/time-text.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { scatterModel, sortTraces, TRACE_SORT_LABELS, type TraceSort } from '../../models/trace-scatter-model.js';
import { Link, navigate, traceHref } from '../../routing/router.js';

function TraceScatter({ traces }: { traces: readonly TraceSearchResult[] }): ReactNode {
  const model = useMemo(() => scatterModel(traces), [traces]);
  const byId = useMemo(() => new Map(traces.map((t) => [t.trace_id, t])), [traces]);
  return (
    <figure className="trace-scatter" aria-label="Trace duration over time">
      <div className="scatter-y-label">{formatMillis(model.maxDurationMs)}</div>
      <div className="scatter-plot">
        {model.points.map((p) => {
          const t = byId.get(p.traceId)!;
          const label = `${t.root_service ?? '?'}: ${t.root_name ?? '(root span missing)'} · ${formatMillis(t.duration_ms)} · ${t.span_count} spans${t.error ? ' · error' : ''}`;
          return (
            <button
              key={p.traceId}
              type="button"
              className={p.error ? 'scatter-dot error' : 'scatter-dot'}
              style={{ left: `${p.x * 100}%`, bottom: `${p.y * 100}%` }}
              title={label}
              aria-label={`Open trace ${p.traceId}: ${label}`}
              onClick={() => navigate(traceHref(p.traceId))}
            />
          );
        })}
      </div>
      <figcaption className="scatter-x-axis">
        <span>{model.points.length > 0 ? localTime(model.startMs) : ''}</span>
        <span>duration over start time</span>
        <span>{model.points.length > 0 ? localTime(model.endMs) : ''}</span>
      </figcaption>
    </figure>
  );
}

export function TraceSearchResults({ traces, now }: { traces: readonly TraceSearchResult[]; now: number }): ReactNode {
  const [sort, setSort] = useState<TraceSort>('most-recent');
  const sorted = useMemo(() => sortTraces(traces, sort), [traces, sort]);
  // Two traces ticked: compare them (Jaeger's "Compare traces" from its search results).
  const [picked, setPicked] = useState<readonly string[]>([]);
  const pick = (traceId: string, on: boolean): void => setPicked((current) => (on ? [...current.filter((id) => id !== traceId), traceId].slice(-2) : current.filter((id) => id !== traceId)));
  if (traces.length === 0) return <Empty>No trace has a span matching this query's filters in this time range.</Empty>;
  return (
    <div className="trace-search-results">
      <TraceScatter traces={traces} />
      <div className="trace-search-bar">
        <span>
          {traces.length} trace{traces.length === 1 ? '' : 's'}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="small"
          disabled={picked.length !== 2}
          title="Tick two traces to compare them"
          onClick={() => navigate(`/trace-compare?${new URLSearchParams({ a: picked[0]!, b: picked[1]! }).toString()}`)}
        >
          Compare {picked.length}/2
        </button>
        <label>
          Sort{' '}
          <select value={sort} onChange={(e) => setSort(e.target.value as TraceSort)} aria-label="Sort traces">
            {(Object.keys(TRACE_SORT_LABELS) as TraceSort[]).map((s) => (
              <option key={s} value={s}>
                {TRACE_SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table className="list-table trace-search-table">
        <thead>
          <tr>
            <th aria-label="Pick to compare" />
            <th>Root span</th>
            <th>Service</th>
            <th>Started</th>
            <th className="num">Duration</th>
            <th className="num">Spans</th>
            <th className="num">Errors</th>
            <th className="num">Matching</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((t) => (
            <tr key={t.trace_id} className={t.error ? 'row-error' : undefined}>
              <td className="pick-cell">
                <input type="checkbox" aria-label={`Pick trace ${t.trace_id} to compare`} checked={picked.includes(t.trace_id)} onChange={(e) => pick(t.trace_id, e.target.checked)} />
              </td>
              <td>
                <Link href={traceHref(t.trace_id)} title={t.trace_id}>
                  {t.root_name ?? '(root span missing)'}
                </Link>
                <div className="mono muted trace-id-small">{t.trace_id}</div>
              </td>
              <td>{t.root_service ?? '–'}</td>
              <td className="nowrap" title={localTime(t.start)}>
                {timeAgo(t.start, now)}
              </td>
              <td className="num nowrap">{formatMillis(t.duration_ms)}</td>
              <td className="num">{t.span_count}</td>
              <td className="num">{t.error ? <span className="badge badge-error">error</span> : '–'}</td>
              <td className="num">{t.matched_events}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
