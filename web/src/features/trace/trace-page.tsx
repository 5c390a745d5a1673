import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ALL_DATASETS, ApiError, getTrace } from '../../api/api-client.js';
import type { TraceResponse } from '../../api/api-types.js';
import { ErrorMessage, Loading } from '../../components/status-views.js';
import { localTime } from '../../components/time-text.js';
import { useAsync } from '../../components/use-async.js';
import { paletteColor } from '../../components/palette.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { buildWaterfall, type WaterfallModel } from '../../models/waterfall-layout-model.js';
import { spanDrilldownSpec, type SpanDrilldown } from '../../models/span-drilldown-model.js';
import { specText } from '../../models/query-text-sync-model.js';
import { parseTraceIdInput } from '../../models/trace-id-input-model.js';
import { Link, navigate, queryHref } from '../../routing/router.js';
import { Waterfall, type SpanActions } from './waterfall.js';
import { LogList } from './trace-logs.js';

/** Saves the trace as the API returned it (spans, span events and links), as `trace-<id>.json`. */
function downloadTraceJson(trace: TraceResponse): void {
  const blob = new Blob([`${JSON.stringify(trace, null, 2)}\n`], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = `trace-${trace.trace_id}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** "Compare with another trace": opens /trace-compare with this trace as A. */
function CompareForm({ traceId }: { traceId: string }): ReactNode {
  const [other, setOther] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = parseTraceIdInput(other);
    if (!parsed.ok) {
      setProblem(parsed.message);
      return;
    }
    navigate(`/trace-compare?${new URLSearchParams({ a: traceId, b: parsed.traceId }).toString()}`);
  };
  return (
    <form className="inline-form compare-form" onSubmit={submit}>
      <label>
        <span className="sr-only">Trace id to compare with</span>
        <input className="mono" placeholder="Compare with trace id…" value={other} onChange={(e) => setOther(e.target.value)} aria-invalid={problem !== null} />
      </label>
      <button type="submit" className="small">
        Compare
      </button>
      {problem && (
        <span className="text-error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

function TraceSummary({ traceId, model, trace }: { traceId: string; model: WaterfallModel; trace: TraceResponse }): ReactNode {
  const root = model.rootKeys.map((k) => model.spans.get(k)!).find((s) => !s.orphan);
  const durationMs = Number(model.endNs - model.startNs) / 1e6;
  return (
    <section className="trace-summary" aria-label="Trace summary">
      <h1>
        {root ? (
          <>
            <span className="service-dot" style={{ background: paletteColor(model.services.indexOf(root.service)) }} />
            {root.service}: {root.name}
          </>
        ) : (
          'Trace without a root span'
        )}
      </h1>
      <dl className="summary-grid">
        <div>
          <dt>Trace</dt>
          <dd className="mono">{traceId}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatMillis(durationMs)}</dd>
        </div>
        <div>
          <dt>Spans</dt>
          <dd title={trace.truncated === true ? 'The trace has more: only its earliest events were read' : undefined}>
            {model.spans.size}
            {trace.truncated === true ? '+' : ''}
          </dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd className={model.errorCount > 0 ? 'text-error' : undefined}>{model.errorCount}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{localTime(Number(model.startNs / 1_000_000n))}</dd>
        </div>
        {model.orphanCount > 0 && (
          <div>
            <dt>Missing parents</dt>
            <dd className="text-warn" title="Spans whose parent span never arrived">
              {model.orphanCount}
            </dd>
          </div>
        )}
      </dl>
      <ul className="service-legend" aria-label="Services">
        {model.services.map((s, i) => (
          <li key={s}>
            <span className="service-dot" style={{ background: paletteColor(i) }} />
            {s}
          </li>
        ))}
      </ul>
      <div className="trace-actions">
        <button type="button" className="small" onClick={() => downloadTraceJson(trace)}>
          Download JSON
        </button>
        <CompareForm traceId={traceId} />
      </div>
      {!root && <p className="text-warn">The root span of this trace has not arrived; the spans below are shown under their missing parents.</p>}
      {trace.truncated === true && (
        <p className="text-warn trace-truncated" role="status">
          This trace has more than {trace.spans.length.toLocaleString('en-US')} spans, span events and links: the earliest{' '}
          {trace.spans.length.toLocaleString('en-US')} are shown.
        </p>
      )}
    </section>
  );
}

export function TracePage({ traceId, focusSpan }: { traceId: string; focusSpan: string | null }): ReactNode {
  const trace = useAsync((signal) => getTrace(traceId, signal), [traceId]);
  const model = useMemo(() => (trace.status === 'ready' ? buildWaterfall(trace.value.spans) : null), [trace]);
  const [now] = useState(Date.now);
  const actions = useMemo((): SpanActions | undefined => {
    if (!model) return undefined;
    const startSec = Number(model.startNs / 1_000_000_000n);
    const open = (kind: SpanDrilldown, column: string, value: unknown): void => {
      const spec = spanDrilldownSpec(kind, column, value, startSec, Math.floor(Date.now() / 1000));
      if (spec) navigate(`${queryHref(ALL_DATASETS, specText(spec))}${kind === 'traces' ? '&tab=traces' : ''}`);
    };
    return { filterBy: (c, v) => open('filter', c, v), groupBy: (c) => open('group', c, null), tracesWith: (c, v) => open('traces', c, v) };
  }, [model]);

  if (trace.status === 'loading') return <div className="page"><Loading what="trace" /></div>;
  if (trace.status === 'error') {
    const notFound = trace.error instanceof ApiError && trace.error.status === 404;
    return (
      <div className="page">
        <h1>Trace {traceId}</h1>
        {notFound ? (
          // Not a failure of Waggle's: say plainly that the trace is not there, and why that may be.
          <div className="status status-empty trace-not-found" role="status">
            No trace with id <span className="mono">{traceId}</span> has arrived (yet). Spans become visible within a couple of seconds of being sent; an
            id copied from elsewhere may be mistyped, or older than the retention.{' '}
            <button type="button" className="link-button" onClick={trace.reload}>
              Try again
            </button>
          </div>
        ) : (
          <ErrorMessage error={trace.error} retry={trace.reload} />
        )}
        <p>
          <Link href="/">Back home</Link>
        </p>
      </div>
    );
  }
  if (!model || model.spans.size === 0) {
    return (
      <div className="page">
        <h1>Trace {traceId}</h1>
        <ErrorMessage error="This trace holds no spans." retry={trace.reload} />
        {model && model.unattachedLogs.length > 0 && <LogList logs={model.unattachedLogs} title="Logs of the trace without a span" traceId={traceId} />}
      </div>
    );
  }
  return (
    <div className="page trace-page" data-loaded-at={now}>
      <TraceSummary traceId={traceId} model={model} trace={trace.value} />
      {model.strayAnnotations > 0 && <p className="muted">{model.strayAnnotations} span events or links point at spans that are not in this trace.</p>}
      <Waterfall model={model} focusSpan={focusSpan} {...(actions ? { actions } : {})} />
      {model.unattachedLogs.length > 0 && <LogList logs={model.unattachedLogs} title="Logs of the trace without a span" traceId={traceId} />}
    </div>
  );
}
