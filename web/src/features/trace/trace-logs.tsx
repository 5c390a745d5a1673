import type { ReactNode } from 'react';
import { FieldValue } from '../../components/field-value.js';
import { logMarkerOffsets, logMessage, logTimeOfDay, severityBand } from '../../models/trace-logs-model.js';
import type { TraceRow, WaterfallSpan } from '../../models/waterfall-layout-model.js';
import { Link, traceHref } from '../../routing/router.js';

/** Fields a log's details leave out: shown in its line, or the same for every log of the trace. */
const SKIPPED = new Set(['trace.trace_id', 'meta.annotation_type', 'meta.signal_type', 'timestamp']);

/** Small ticks on a span's bar where its log records were written, coloured by severity. */
export function SpanLogMarkers({ span, bar }: { span: WaterfallSpan; bar: { offset: number; width: number } }): ReactNode {
  if (span.logs.length === 0) return null;
  const offsets = logMarkerOffsets(span.logs, span.startNs, span.durationNs);
  return (
    <>
      {span.logs.map((log, i) => (
        <span
          key={i}
          className={`wf-log-marker severity-${severityBand(log)}`}
          title={`log: ${logMessage(log).slice(0, 200)}`}
          style={{ left: `${(bar.offset + bar.width * offsets[i]!) * 100}%` }}
        />
      ))}
    </>
  );
}

/** A list of log records, each expandable to every field, with a link to its span. */
export function LogList({ logs, title, traceId }: { logs: readonly TraceRow[]; title: string; traceId?: string }): ReactNode {
  return (
    <section className="log-list" aria-label={title}>
      <h3>
        {title} ({logs.length})
      </h3>
      {logs.length === 0 && <p className="muted">None.</p>}
      {logs.map((log, i) => {
        const band = severityBand(log);
        const spanId = typeof log['trace.span_id'] === 'string' ? log['trace.span_id'] : undefined;
        const keys = Object.keys(log).filter((k) => !SKIPPED.has(k) && log[k] !== null && log[k] !== undefined).sort();
        return (
          <details key={i} className={`annotation log-entry severity-${band}`}>
            <summary>
              <span className={`badge severity-${band}`}>{typeof log['severity_text'] === 'string' ? log['severity_text'] : band}</span> <span className="log-message">{logMessage(log)}</span>{' '}
              <span className="muted log-time" title={typeof log['timestamp'] === 'string' ? log['timestamp'] : undefined}>
                {logTimeOfDay(log)}
              </span>
            </summary>
            {traceId && spanId && (
              <p>
                <Link href={traceHref(traceId, spanId)}>Open its span</Link>
              </p>
            )}
            <table className="field-table">
              <tbody>
                {keys.map((k) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>
                      <FieldValue value={log[k]} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        );
      })}
    </section>
  );
}
