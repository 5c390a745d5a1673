/** Charts and table of one query result; shared by the query page and board panels. */
import { useMemo, useState, type ReactNode } from 'react';
import { defaultGranularity } from '../../../../src/query/compile/query-window.js';
import type { QuerySpec } from '../../../../src/query/query-spec.js';
import { ALL_DATASETS, listMarkers, runSpec } from '../../api/api-client.js';
import { Empty } from '../../components/status-views.js';
import { useAsync } from '../../components/use-async.js';
import { bucketGrid, countsFromZero } from '../../models/bucket-fill-model.js';
import { markersInWindow } from '../../models/chart-markers-model.js';
import { zoomedSpec } from '../../models/chart-zoom-model.js';
import type { HeatmapCell } from '../../models/heatmap-geometry-model.js';
import { addFilters, slowestTraceSpec, TRACE_ID_COLUMN } from '../../models/query-drilldown-model.js';
import type { QueryResult } from '../../models/query-result-types.js';
import { buildCharts, groupKey, seriesTruncationNotice, type ChartLine } from '../../models/result-series-model.js';
import { resolveTimeWindow, type TimeWindow } from '../../models/time-range-model.js';
import { navigate, queryHref, traceHref } from '../../routing/router.js';
import type { Filter } from '../../../../src/query/query-spec.js';
import { boxBubbleUpRequest, filtersBubbleUpRequest, selectionFiltersFromText, withGroupBy, type BubbleUpRequest } from '../../models/bubbleup-model.js';
import type { HeatmapBox } from '../../models/heatmap-selection-model.js';
import { specText } from '../../models/query-text-sync-model.js';
import { formatLabelValue } from '../../models/value-units-model.js';
import { BubbleUpFilterForm } from '../bubbleup/bubbleup-filter-form.js';
import { BubbleUpPanel } from '../bubbleup/bubbleup-panel.js';
import { HeatmapChart } from './heatmap-chart.js';
import { LineChart } from './line-chart.js';
import { ResultsTable } from './results-table.js';

export interface QueryResultViewProps {
  dataset: string;
  spec: QuerySpec;
  result: QueryResult;
  /** When the query ran (Unix seconds), to place a relative window. */
  ranAtSec: number;
  onFilterGroup?: (column: string, value: unknown) => void;
  /** A time range dragged on a chart; by default the query opens zoomed into it on the query page. */
  onZoom?: (window: TimeWindow) => void;
  showTable?: boolean;
  chartHeight?: number;
  /** Open BubbleUp on the events also matching these filters (a WHERE clause), as the query page's `bubbleup` parameter asks. */
  initialBubbleUp?: string;
}

export function QueryResultView({ dataset, spec, result, ranAtSec, onFilterGroup, onZoom, showTable = true, chartHeight, initialBubbleUp }: QueryResultViewProps): ReactNode {
  const window = useMemo(() => resolveTimeWindow(spec, ranAtSec), [spec, ranAtSec]);
  // The server's buckets: the stated granularity, or its default for the window's length.
  const granularity = useMemo(
    () => result.query?.granularity ?? spec.granularity ?? defaultGranularity(window.endSec - window.startSec),
    [result, spec, window],
  );
  const charts = useMemo(() => buildCharts(spec, result, 20, bucketGrid(window, granularity)), [spec, result, window, granularity]);
  const markerList = useAsync(
    async (signal) => {
      const lists = await Promise.all([...new Set([dataset, ALL_DATASETS])].map((d) => listMarkers(d, signal).catch(() => [])));
      return lists.flat();
    },
    [dataset],
  );
  // useAsync's state object is new every render; its value is not, so the charts keep their markers.
  const markerValue = markerList.status === 'ready' ? markerList.value : null;
  const markers = useMemo(() => (markerValue === null ? [] : markersInWindow(markerValue, window)), [markerValue, window]);
  const zoom = onZoom ?? ((next: TimeWindow): void => navigate(queryHref(dataset, specText(zoomedSpec(spec, next)))));
  const [drill, setDrill] = useState<string | null>(null);
  // BubbleUp (query page only): a heatmap box or extra filters, compared with the rest of the query.
  // A link may open it on extra filters (the `bubbleup` parameter: an SLO's failing events).
  const [bubble, setBubble] = useState<{ request: BubbleUpRequest; description: string; box: HeatmapBox | null } | null>(() => {
    if (initialBubbleUp === undefined || onFilterGroup === undefined) return null;
    const parsed = selectionFiltersFromText(initialBubbleUp);
    return parsed.ok ? { request: filtersBubbleUpRequest(spec, parsed.filters), description: `where ${initialBubbleUp}`, box: null } : null;
  });
  const [askFilters, setAskFilters] = useState(false);
  const canBubbleUp = onFilterGroup !== undefined;
  const runNext = (next: ReturnType<typeof addFilters>): void => {
    if (next === null) setDrill('This query combines its filters with OR; add the filter by hand to decide how it combines.');
    else navigate(queryHref(dataset, specText(next)));
  };
  const bubbleAddFilters = (filters: readonly Filter[]): void => runNext(addFilters(spec, filters));
  const bubbleGroupBy = (column: string): void => runNext(withGroupBy(spec, column));
  const selectBox = (column: string, box: HeatmapBox): void => {
    const when = `${new Date(box.startSec * 1000).toLocaleString()} – ${new Date(box.endSec * 1000).toLocaleTimeString()}`;
    setBubble({ request: boxBubbleUpRequest(spec, column, box), description: `${column} ${formatLabelValue(column, box.min)} – ${formatLabelValue(column, box.max)}, ${when}`, box });
  };

  const openSlowest = (time: number, group: Readonly<Record<string, unknown>>, valueRange?: { column: string; lower: number; upper: number }): void => {
    setDrill(valueRange === undefined ? 'Finding the slowest trace in that bucket…' : 'Finding the slowest trace in that cell…');
    runSpec(dataset, slowestTraceSpec(spec, group, time, granularity, valueRange), { disableSeries: true }).then(
      (found) => {
        const id = found.data?.results?.[0]?.data[TRACE_ID_COLUMN];
        if (typeof id === 'string' && id !== '') navigate(traceHref(id));
        else setDrill('No trace found in that bucket.');
      },
      (error: unknown) => setDrill(`Could not look for a trace: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  const rows = (result.data?.results ?? []).map((r) => r.data);
  const firstLines = charts.find((c) => c.kind === 'lines');
  const lineKeys = firstLines?.kind === 'lines' ? firstLines.lines.map((l) => groupKey(spec.breakdowns, l.group)) : [];
  const hasSeries = (result.data?.series ?? []).length > 0;
  // Counts the groups of every series point: once per answer, not at every render.
  const seriesCut = useMemo(() => seriesTruncationNotice(spec, result), [spec, result]);
  // One line per trace says nothing; such queries are lists, so the table alone is shown.
  const tableOnly = spec.breakdowns.includes(TRACE_ID_COLUMN) && onFilterGroup !== undefined;

  return (
    <div className="result-view">
      {drill && (
        <div className="drill-status" role="status">
          {drill}
        </div>
      )}
      {seriesCut !== null && !tableOnly && <p className="muted series-truncated">{seriesCut}</p>}
      {!hasSeries && rows.length === 0 ? (
        <Empty>No events matched in this time range. Try a longer range or fewer filters.</Empty>
      ) : tableOnly ? null : (
        charts.map((chart) => (
          <figure className="chart" key={chart.label}>
            <figcaption>{chart.label}</figcaption>
            {chart.kind === 'lines' ? (
              <LineChart
                label={chart.label}
                times={chart.times}
                lines={chart.lines}
                xRange={[window.startSec, window.endSec]}
                {...(chartHeight === undefined ? {} : { height: chartHeight })}
                yFromZero={countsFromZero(chart.calculation.op)}
                markers={markers}
                onZoom={zoom}
                onPointClick={(time: number, line: ChartLine) => openSlowest(time, line.group)}
              />
            ) : (
              <HeatmapChart
                label={chart.label}
                column={chart.calculation.column ?? ''}
                columns={chart.columns}
                window={window}
                granularity={granularity}
                {...(chartHeight === undefined ? {} : { height: chartHeight })}
                onCellClick={(cell: HeatmapCell) => openSlowest(cell.time, {}, { column: chart.calculation.column ?? '', lower: cell.lower, upper: cell.upper })}
                {...(canBubbleUp ? { onBoxSelect: (box: HeatmapBox) => selectBox(chart.calculation.column ?? '', box), selectedBox: bubble?.box ?? null } : {})}
              />
            )}
          </figure>
        ))
      )}
      {canBubbleUp && (hasSeries || rows.length > 0) && (
        <div className="bubbleup-entry">
          <button type="button" className="small" onClick={() => setAskFilters(!askFilters)} aria-expanded={askFilters}>
            BubbleUp…
          </button>
          <span className="muted">Drag a box on a heatmap, or compare the events matching extra filters with the rest.</span>
          {askFilters && (
            <BubbleUpFilterForm onSubmit={(filters, text) => setBubble({ request: filtersBubbleUpRequest(spec, filters), description: `where ${text}`, box: null })} />
          )}
        </div>
      )}
      {bubble && (
        <BubbleUpPanel dataset={dataset} request={bubble.request} description={bubble.description} onAddFilters={bubbleAddFilters} onGroupBy={bubbleGroupBy} onClose={() => setBubble(null)} />
      )}
      {showTable && onFilterGroup && (hasSeries || rows.length > 0) && <ResultsTable spec={spec} rows={rows} lineKeys={lineKeys} onFilterGroup={onFilterGroup} />}
    </div>
  );
}
