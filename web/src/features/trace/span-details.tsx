import type { ReactNode } from 'react';
import { FieldValue } from '../../components/field-value.js';
import { paletteColor } from '../../components/palette.js';
import { formatMillis } from '../../models/duration-format-model.js';
import type { TraceRow, WaterfallModel, WaterfallRow, WaterfallSpan } from '../../models/waterfall-layout-model.js';
import { canFilterOn, canGroupBy } from '../../models/span-drilldown-model.js';
import { Link, traceHref } from '../../routing/router.js';
import type { SpanActions } from './waterfall.js';
import { LogList } from './trace-logs.js';

function FieldActions({ column, value, actions }: { column: string; value: unknown; actions: SpanActions }): ReactNode {
  const filterable = canFilterOn(column, value);
  const groupable = canGroupBy(column);
  if (!filterable && !groupable) return null;
  return (
    <span className="field-actions">
      {filterable && (
        <button type="button" className="field-action" title={`Query every dataset where ${column} = this value`} aria-label={`Filter by ${column}`} onClick={() => actions.filterBy(column, value)}>
          filter
        </button>
      )}
      {groupable && (
        <button type="button" className="field-action" title={`Query every dataset grouped by ${column}`} aria-label={`Group by ${column}`} onClick={() => actions.groupBy(column)}>
          group
        </button>
      )}
      {filterable && (
        <button type="button" className="field-action" title={`Traces with ${column} = this value`} aria-label={`Traces with this ${column}`} onClick={() => actions.tracesWith(column, value)}>
          traces
        </button>
      )}
    </span>
  );
}

function FieldTable({ fields, skip = [], actions }: { fields: TraceRow; skip?: readonly string[]; actions?: SpanActions }): ReactNode {
  const keys = Object.keys(fields)
    .filter((k) => !skip.includes(k) && fields[k] !== null && fields[k] !== undefined)
    .sort();
  return (
    <table className="field-table">
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <FieldValue value={fields[k]} />
              {actions && <FieldActions column={k} value={fields[k]} actions={actions} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function isHexId(value: unknown, length: number): value is string {
  return typeof value === 'string' && value.length === length && /^[0-9a-f]+$/i.test(value);
}

export function SpanDetails({ span, row, model, actions }: { span: WaterfallSpan; row: WaterfallRow | undefined; model: WaterfallModel; actions?: SpanActions }): ReactNode {
  const offsetMs = Number(span.startNs - model.startNs) / 1e6;
  return (
    <div className="span-details">
      <h2>
        <span className="service-dot" style={{ background: paletteColor(model.services.indexOf(span.service)) }} />
        {span.name}
      </h2>
      <p className="muted">
        {span.service} · {span.kind || 'span'} · {formatMillis(Number(span.durationNs) / 1e6)} · starts at +{formatMillis(offsetMs)}
      </p>
      {span.error && <p className="text-error">Error{typeof span.fields['status_message'] === 'string' && span.fields['status_message'] !== '' ? `: ${span.fields['status_message']}` : ''}</p>}
      {span.orphan && <p className="text-warn">Its parent span ({span.parentId}) is not in this trace: it never arrived, or was dropped.</p>}
      {row?.gap && (
        <div className={row.gap.clockSkew ? 'network-box skew' : 'network-box'}>
          <strong>Network</strong> (client parent → this server span): request {formatMillis(row.gap.requestMs)}, response {formatMillis(row.gap.responseMs)}
          {row.gap.clockSkew && <div>A leg is negative: the client's and the server's clocks disagree, so these are not real network times.</div>}
        </div>
      )}
      {span.fields['network.clock_skew'] === true && (
        <div className="network-box skew">The server recorded clock skew between this span and its client parent: compare times across the two with care.</div>
      )}
      {span.networkLatencyMs !== null && (
        <div className="network-box">
          <strong>network.latency_ms</strong> recorded by the span: {formatMillis(span.networkLatencyMs)}
        </div>
      )}

      {/* A span's logs above its fields: an instrumented service puts forty fields on a span, and
          a user who clicked a bar with log markers should not have to scroll past them all. */}
      {span.logs.length > 0 && <LogList logs={span.logs} title="Logs" />}

      <h3>Fields</h3>
      <FieldTable fields={span.fields} {...(actions ? { actions } : {})} />

      {span.logs.length === 0 && <LogList logs={span.logs} title="Logs" />}

      <h3>Span events ({span.events.length})</h3>
      {span.events.length === 0 && <p className="muted">None.</p>}
      {span.events.map((event, i) => (
        <details key={i} className={event['name'] === 'exception' ? 'annotation exception' : 'annotation'} open={event['name'] === 'exception'}>
          <summary>
            {String(event['name'] ?? 'event')} <span className="muted">{typeof event['timestamp'] === 'string' ? event['timestamp'] : ''}</span>
          </summary>
          <FieldTable fields={event} skip={['trace.trace_id', 'trace.parent_id', 'meta.annotation_type', 'service.name']} />
        </details>
      ))}

      <h3>Links ({span.links.length})</h3>
      {span.links.length === 0 && <p className="muted">None.</p>}
      {span.links.map((link, i) => {
        const traceId = link['trace.link.trace_id'];
        const spanId = link['trace.link.span_id'];
        return (
          <div key={i} className="annotation">
            {isHexId(traceId, 32) ? (
              <Link href={traceHref(traceId.toLowerCase(), isHexId(spanId, 16) ? spanId.toLowerCase() : undefined)}>Linked trace {traceId}</Link>
            ) : (
              <span>Linked trace {String(traceId ?? '(unknown)')}</span>
            )}
            <FieldTable fields={link} skip={['trace.trace_id', 'trace.parent_id', 'meta.annotation_type', 'service.name']} />
          </div>
        );
      })}
    </div>
  );
}
