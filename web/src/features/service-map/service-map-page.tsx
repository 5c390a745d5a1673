/**
 * The service map (`/service-map?time_range=<s>`): which service calls which, drawn by dagre's
 * layered layout; edge thickness by calls, colour by error rate. Clicking a service or a call
 * opens the query behind it.
 */
import { useMemo, type ReactNode } from 'react';
import { ALL_DATASETS, getServiceMap } from '../../api/api-client.js';
import { Empty, ErrorMessage, Loading } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { formatMillis } from '../../models/duration-format-model.js';
import { specText } from '../../models/query-text-sync-model.js';
import { edgeQuerySpec, errorRateColor, layoutServiceMap, nodeQuerySpec, type PlacedEdge, type PlacedNode } from '../../models/service-map-layout-model.js';
import { DEFAULT_TIME_RANGE_SECONDS, TIME_PRESETS } from '../../models/time-range-model.js';
import { navigate, queryHref } from '../../routing/router.js';

function percent(rate: number): string {
  return rate === 0 ? '0 %' : rate < 0.001 ? '<0.1 %' : `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)} %`;
}

/**
 * A node's span count as its box has room for (168 px: `1,092,570 spans · 0.4 % err` ran past its
 * edge): 1.1M, 604.7K, 20. The node's tooltip keeps the exact count.
 */
const SPAN_COUNT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function NodeBox({ node, onOpen }: { node: PlacedNode; onOpen: () => void }): ReactNode {
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  const name = node.service.length > 22 ? `${node.service.slice(0, 21)}…` : node.service;
  return (
    <g
      className="service-node"
      role="link"
      tabIndex={0}
      aria-label={`Service ${node.service}: ${node.span_count} spans, ${percent(node.errorRate)} errors; open its query`}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') onOpen();
      }}
    >
      <title>{`${node.service}\n${node.span_count.toLocaleString('en-US')} spans, ${node.error_count.toLocaleString('en-US')} errors (${percent(node.errorRate)})\nClick: its spans by name`}</title>
      <rect x={left} y={top} width={node.width} height={node.height} rx={8} fill="#fff" stroke={node.color} strokeWidth={2.5} />
      <rect x={left} y={top} width={6} height={node.height} rx={3} fill={node.color} />
      <text x={left + 16} y={top + 21} className="service-name">
        {name}
      </text>
      <text x={left + 16} y={top + 39} className="service-stats">
        {SPAN_COUNT.format(node.span_count)} spans · {percent(node.errorRate)} err
      </text>
    </g>
  );
}

/**
 * A call's label, drawn above every edge (a layer of its own after the paths: inside its edge's
 * group the paths drawn later crossed the labels drawn before). Clicks go to the edge under it.
 */
function EdgeLabel({ edge }: { edge: PlacedEdge }): ReactNode {
  const text = `${edge.calls.toLocaleString('en-US')} calls${edge.p95_ms === null ? '' : ` · p95 ${formatMillis(edge.p95_ms)}`}`;
  const baseline = edge.labelY - edge.thickness / 2 - 3;
  // A pale plate under the text (11 px type: ~6.2 px a character), so crossing edges do not run through it.
  const width = text.length * 6.2 + 8;
  return (
    <g pointerEvents="none">
      <rect x={edge.labelX - width / 2} y={baseline - 11} width={width} height={15} rx={3} className="edge-label-plate" />
      <text x={edge.labelX} y={baseline} textAnchor="middle" className="edge-label">
        {text}
      </text>
    </g>
  );
}

function EdgePath({ edge, onOpen }: { edge: PlacedEdge; onOpen: () => void }): ReactNode {
  return (
    <g
      className="service-edge"
      role="link"
      tabIndex={0}
      aria-label={`Calls from ${edge.source} to ${edge.target}: ${edge.calls} calls, ${percent(edge.errorRate)} errors; open their query`}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') onOpen();
      }}
    >
      <title>{`${edge.source} → ${edge.target}\n${edge.calls.toLocaleString('en-US')} calls, ${edge.errors.toLocaleString('en-US')} failed (${percent(edge.errorRate)})\np50 ${edge.p50_ms === null ? '–' : formatMillis(edge.p50_ms)}, p95 ${edge.p95_ms === null ? '–' : formatMillis(edge.p95_ms)}\nClick: these calls as a query`}</title>
      {/* A wide invisible stroke makes thin edges easy to click. */}
      <path d={edge.path} fill="none" stroke="transparent" strokeWidth={Math.max(14, edge.thickness + 8)} />
      <path d={edge.path} fill="none" stroke={edge.color} strokeWidth={edge.thickness} strokeOpacity={0.75} />
      <path d={edge.arrow} fill={edge.color} className="service-edge-arrow" />
    </g>
  );
}

export function ServiceMapPage({ search }: { search: URLSearchParams }): ReactNode {
  const rangeText = search.get('time_range');
  const range = rangeText !== null && /^\d+$/.test(rangeText) && Number(rangeText) > 0 ? Number(rangeText) : DEFAULT_TIME_RANGE_SECONDS;
  const dataset = search.get('dataset') || ALL_DATASETS;
  const map = useAsync((signal) => getServiceMap(dataset, range, signal), [dataset, range]);
  const layout = useMemo(() => (map.status === 'ready' ? layoutServiceMap(map.value) : null), [map]);
  const open = (spec: Parameters<typeof specText>[0]): void => navigate(queryHref(ALL_DATASETS, specText(spec)));
  return (
    <div className="page service-map-page">
      <div className="service-map-head">
        <h1>Service map</h1>
        <label>
          <span>Time range </span>
          <select value={String(range)} onChange={(e) => navigate(`/service-map?${new URLSearchParams({ ...(dataset === ALL_DATASETS ? {} : { dataset }), time_range: e.target.value }).toString()}`)}>
            {TIME_PRESETS.map((p) => (
              <option key={p.seconds} value={String(p.seconds)}>
                {p.label}
              </option>
            ))}
            {!TIME_PRESETS.some((p) => p.seconds === range) && <option value={String(range)}>Last {range} s</option>}
          </select>
        </label>
        <span className="service-map-legend">
          Edge width: calls · colour: error rate <span className="swatch" style={{ background: errorRateColor(0) }} /> &lt;1 % <span className="swatch" style={{ background: errorRateColor(0.01) }} /> 1–5 %{' '}
          <span className="swatch" style={{ background: errorRateColor(0.05) }} /> ≥5 %
        </span>
      </div>
      {map.status === 'loading' && <Loading what="the service map" />}
      {map.status === 'error' && <ErrorMessage error={map.error} retry={map.reload} />}
      {layout !== null && layout.nodes.length === 0 && <Empty>No spans in this time range. Try a longer range.</Empty>}
      {layout !== null && layout.nodes.length > 0 && (
        <>
          <p className="muted">
            {layout.nodes.length} services, {layout.edges.length} calls between them. Click a service for its spans, or an arrow for the calls it stands for.
          </p>
          {map.status === 'ready' && map.value.sample_rate > 1 && (
            <p className="muted" data-testid="service-map-sampled">
              Calls estimated from 1 in {map.value.sample_rate.toLocaleString('en-US')} traces: this range holds more spans than the map joins at once with Waggle&apos;s memory budget. Services&apos; span and error counts are exact.
            </p>
          )}
          <div className="service-map-canvas">
            <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label="Service map" data-testid="service-map">
              {layout.edges.map((edge) => (
                <EdgePath key={`${edge.source}→${edge.target}`} edge={edge} onOpen={() => open(edgeQuerySpec(edge, range))} />
              ))}
              {layout.edges.map((edge) => (
                <EdgeLabel key={`${edge.source}→${edge.target}`} edge={edge} />
              ))}
              {layout.nodes.map((node) => (
                <NodeBox key={node.service} node={node} onOpen={() => open(nodeQuerySpec(node.service, range))} />
              ))}
            </svg>
          </div>
        </>
      )}
    </div>
  );
}
