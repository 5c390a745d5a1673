/** /trace-compare?a=<id>&b=<id>: two traces merged by path of service:name, differences highlighted. */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, getTrace } from '../../api/api-client.js';
import type { TraceResponse } from '../../api/api-types.js';
import { paletteColor } from '../../components/palette.js';
import { ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { diffSummary, diffTraces, type DiffStatus, type TraceDiffNode } from '../../models/trace-diff-model.js';
import { parseTraceIdInput } from '../../models/trace-id-input-model.js';
import { buildWaterfall, type WaterfallModel } from '../../models/waterfall-layout-model.js';
import { Link, navigate, traceHref } from '../../routing/router.js';

const STATUS_TEXT: Record<DiffStatus, string> = {
  'only-a': 'only in A',
  'only-b': 'only in B',
  changed: 'changed',
  same: 'same',
};

function nsMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

function signed(value: number, format: (v: number) => string): string {
  if (value === 0) return '±0';
  return `${value > 0 ? '+' : '−'}${format(Math.abs(value))}`;
}

/** Loads one side; a missing trace is a message of its own, not a generic failure. */
async function loadSide(id: string, signal: AbortSignal): Promise<TraceResponse | { missing: string }> {
  const parsed = parseTraceIdInput(id);
  if (!parsed.ok) return { missing: `“${id.slice(0, 64)}” is not a trace id. ${parsed.message}` };
  try {
    return await getTrace(parsed.traceId, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { missing: `No trace with id ${parsed.traceId} has arrived.` };
    throw error;
  }
}

function SideSummary({ label, traceId, model }: { label: 'A' | 'B'; traceId: string; model: WaterfallModel }): ReactNode {
  const root = model.rootKeys.map((k) => model.spans.get(k)!).find((s) => !s.orphan);
  return (
    <div className={`compare-side side-${label.toLowerCase()}`}>
      <div className="compare-side-label">{label}</div>
      <div>
        <Link href={traceHref(traceId)} className="mono">
          {traceId}
        </Link>
      </div>
      <div>
        <strong>{root ? `${root.service}: ${root.name}` : 'no root span'}</strong>
      </div>
      <div className="muted">
        {formatMillis(nsMs(model.endNs - model.startNs))} · {model.spans.size} spans · {model.errorCount} errors
      </div>
    </div>
  );
}

function CompareForm({ a, b }: { a: string; b: string }): ReactNode {
  const [textA, setTextA] = useState(a);
  const [textB, setTextB] = useState(b);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const pa = parseTraceIdInput(textA);
    const pb = parseTraceIdInput(textB);
    if (!pa.ok || !pb.ok) {
      setProblem(`${!pa.ok ? `A: ${pa.message} ` : ''}${!pb.ok ? `B: ${pb.message}` : ''}`.trim());
      return;
    }
    setProblem(null);
    navigate(`/trace-compare?${new URLSearchParams({ a: pa.traceId, b: pb.traceId }).toString()}`);
  };
  return (
    <form className="inline-form compare-ids" onSubmit={submit}>
      <label>
        A <input className="mono" aria-label="Trace A" value={textA} onChange={(e) => setTextA(e.target.value)} placeholder="trace id" />
      </label>
      <label>
        B <input className="mono" aria-label="Trace B" value={textB} onChange={(e) => setTextB(e.target.value)} placeholder="trace id" />
      </label>
      <button type="submit">Compare</button>
      {problem && (
        <span className="text-error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

function DiffRow({ node, services }: { node: TraceDiffNode; services: readonly string[] }): ReactNode {
  return (
    <tr className={`diff-row diff-${node.status}`} data-path={node.path}>
      <td className="diff-name" style={{ paddingLeft: `${8 + Math.min(node.depth, 30) * 16}px` }} title={node.path}>
        <span className="service-dot" style={{ background: paletteColor(Math.max(0, services.indexOf(node.service))) }} />
        <span className="muted">{node.service}</span> {node.name}
      </td>
      <td className="diff-status">{STATUS_TEXT[node.status]}</td>
      <td className="num">{node.a.count}</td>
      <td className="num">{node.b.count}</td>
      <td className={node.countDelta === 0 ? 'num muted' : 'num diff-delta'}>{signed(node.countDelta, String)}</td>
      <td className="num">{node.a.count > 0 ? formatMillis(nsMs(node.a.totalNs)) : '–'}</td>
      <td className="num">{node.b.count > 0 ? formatMillis(nsMs(node.b.totalNs)) : '–'}</td>
      <td className={node.status === 'changed' && node.durationDeltaNs !== 0n ? 'num diff-delta' : 'num muted'}>{signed(nsMs(node.durationDeltaNs), formatMillis)}</td>
    </tr>
  );
}

export function TraceComparePage({ a, b }: { a: string; b: string }): ReactNode {
  const sides = useAsync(async (signal) => Promise.all([loadSide(a, signal), loadSide(b, signal)]), [a, b]);
  const compared = useMemo(() => {
    if (sides.status !== 'ready') return null;
    const [left, right] = sides.value;
    if ('missing' in left || 'missing' in right) return null;
    const modelA = buildWaterfall(left.spans);
    const modelB = buildWaterfall(right.spans);
    const nodes = diffTraces(modelA, modelB);
    const services = [...new Set([...modelA.services, ...modelB.services])];
    return { modelA, modelB, nodes, services, summary: diffSummary(nodes) };
  }, [sides]);

  return (
    <div className="page trace-compare-page">
      <h1>Compare traces</h1>
      <p className="muted">Spans are matched by their path of service and operation name from the root; counts and summed durations of each path are compared.</p>
      <CompareForm key={`${a}|${b}`} a={a} b={b} />
      {a === '' || b === '' ? (
        <p className="muted">Give two trace ids to compare.</p>
      ) : sides.status === 'loading' ? (
        <Loading what="both traces" />
      ) : sides.status === 'error' ? (
        <ErrorMessage error={sides.error} retry={sides.reload} />
      ) : compared === null ? (
        <>
          {sides.value.map((side, i) => ('missing' in side ? <ErrorMessage key={i} error={`Trace ${i === 0 ? 'A' : 'B'}: ${side.missing}`} /> : null))}
        </>
      ) : (
        <>
          <div className="compare-sides">
            <SideSummary label="A" traceId={a.trim().toLowerCase()} model={compared.modelA} />
            <SideSummary label="B" traceId={b.trim().toLowerCase()} model={compared.modelB} />
          </div>
          <p className="compare-summary" aria-label="Comparison summary">
            <span className="diff-chip diff-only-a">{compared.summary['only-a']} only in A</span>
            <span className="diff-chip diff-only-b">{compared.summary['only-b']} only in B</span>
            <span className="diff-chip diff-changed">{compared.summary.changed} changed</span>
            <span className="diff-chip diff-same">{compared.summary.same} same</span>
          </p>
          <div className="table-wrap">
            <table className="list-table diff-table">
              <thead>
                <tr>
                  <th>Span path</th>
                  <th>Difference</th>
                  <th className="num">Spans A</th>
                  <th className="num">Spans B</th>
                  <th className="num">Δ spans</th>
                  <th className="num">Time A</th>
                  <th className="num">Time B</th>
                  <th className="num">Δ time</th>
                </tr>
              </thead>
              <tbody>
                {compared.nodes.map((node) => (
                  <DiffRow key={node.path} node={node} services={compared.services} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
