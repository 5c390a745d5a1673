import { useMemo, useState, type ReactNode } from 'react';
import { ApiError, getTrace } from '../../api/api-client.js';
import { ErrorMessage, Loading } from '../../components/status-views.js';
import { localTime } from '../../components/time-text.js';
import { useAsync } from '../../components/use-async.js';
import { paletteColor } from '../../components/palette.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { buildWaterfall, type WaterfallModel } from '../../models/waterfall-layout-model.js';
import { Link } from '../../routing/router.js';
import { Waterfall } from './waterfall.js';
import { LogList } from './trace-logs.js';

function TraceSummary({ traceId, model }: { traceId: string; model: WaterfallModel }): ReactNode {
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
          <dd>{model.spans.size}</dd>
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
      {!root && <p className="text-warn">The root span of this trace has not arrived; the spans below are shown under their missing parents.</p>}
    </section>
  );
}

export function TracePage({ traceId, focusSpan }: { traceId: string; focusSpan: string | null }): ReactNode {
  const trace = useAsync((signal) => getTrace(traceId, signal), [traceId]);
  const model = useMemo(() => (trace.status === 'ready' ? buildWaterfall(trace.value.spans) : null), [trace]);
  const [now] = useState(Date.now);

  if (trace.status === 'loading') return <div className="page"><Loading what="trace" /></div>;
  if (trace.status === 'error') {
    const notFound = trace.error instanceof ApiError && trace.error.status === 404;
    return (
      <div className="page">
        <h1>Trace {traceId}</h1>
        {notFound ? (
          <ErrorMessage error="No span of this trace has arrived (yet). Spans become visible within a couple of seconds of being sent." retry={trace.reload} />
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
      <TraceSummary traceId={traceId} model={model} />
      {model.strayAnnotations > 0 && <p className="muted">{model.strayAnnotations} span events or links point at spans that are not in this trace.</p>}
      <Waterfall model={model} focusSpan={focusSpan} />
      {model.unattachedLogs.length > 0 && <LogList logs={model.unattachedLogs} title="Logs of the trace without a span" traceId={traceId} />}
    </div>
  );
}
