/**
 * One calculation over time, one line per group (uPlot). Hover shows a readout; click drills in;
 * dragging across the chart selects a time range to zoom into; markers are vertical lines whose
 * message shows on hover.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import { paletteColor } from '../../components/palette.js';
import { isolatedIndexes } from '../../models/bucket-fill-model.js';
import { MIN_ZOOM_PIXELS, zoomWindow } from '../../models/chart-zoom-model.js';
import type { ChartLine } from '../../models/result-series-model.js';
import type { TimeWindow } from '../../models/time-range-model.js';

/** A marker on the time axis (Honeycomb's /1/markers): a deploy, an incident. */
export interface ChartMarker {
  readonly id: string;
  /** Unix seconds. */
  readonly startSec: number;
  readonly endSec?: number;
  readonly message: string;
  readonly type?: string;
}

export interface LineChartProps {
  label: string;
  times: readonly number[];
  lines: readonly ChartLine[];
  /** A click on a point: the bucket's time and the group of the nearest line. */
  onPointClick?: (time: number, line: ChartLine) => void;
  /** A drag across the chart: the selected window, whole seconds. */
  onZoom?: (window: TimeWindow) => void;
  markers?: readonly ChartMarker[];
  height?: number;
  /** A sparkline: no axes, no legend (the home page's dataset volume). */
  compact?: boolean;
  /** The query's window in Unix seconds, so the x axis shows all of it, not just the data. */
  xRange?: readonly [number, number];
  /** The y axis starts at 0 (counts), rather than at the smallest value. */
  yFromZero?: boolean;
}

export function LineChart({ label, times, lines, onPointClick, onZoom, markers = [], height = 220, compact = false, xRange, yFromZero = false }: LineChartProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const clickRef = useRef(onPointClick);
  clickRef.current = onPointClick;
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const chartRef = useRef<uPlot | null>(null);
  // Markers arrive after the chart (a request of their own): they are laid over it, never rebuild it
  // (which would drop a drag in progress).
  const markerRef = useRef<{ markers: readonly ChartMarker[]; nodes: HTMLElement[] }>({ markers: [], nodes: [] });

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data: uPlot.AlignedData = [Float64Array.from(times), ...lines.map((l) => l.values.map((v) => v ?? null))];
    const dense = times.length >= 60 || compact;
    const isolated = lines.map((l) => isolatedIndexes(l.values));
    const placeMarkers = (u: uPlot): void => placeMarkerNodes(u, markerRef.current.markers, markerRef.current.nodes);
    const options: uPlot.Options = {
      width: Math.max(el.clientWidth, compact ? 120 : 300),
      height,
      cursor: {
        focus: { prox: 24 },
        // Dragging selects along x only; the chart's own scale stays: the page re-runs the query.
        drag: { x: onZoom !== undefined, y: false, setScale: false },
      },
      focus: { alpha: 0.35 },
      legend: { show: !compact, live: true },
      scales: {
        x: xRange ? { time: true, range: [xRange[0], xRange[1]] } : { time: true },
        // A sparkline has no axis: a little room below 0 keeps its zero line from being clipped away.
        ...(yFromZero ? { y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [compact ? -0.05 * Math.max(max, 1) : 0, max > 0 ? max * 1.1 : 1] } } : {}),
      },
      axes: compact
        ? [{ show: false }, { show: false }]
        : [
            { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#dde1e6' } },
            { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#dde1e6' }, size: 60 },
          ],
      series: [
        { label: 'time' },
        ...lines.map((line, i) => ({
          label: line.label,
          stroke: paletteColor(i),
          width: 1.5,
          // Empty buckets are gaps or zeros already: never draw a line across missing data.
          spanGaps: false,
          points: {
            show: true,
            // Few buckets: every point; many: only values no line reaches (a lone P95 between gaps).
            filter: (): number[] | null => (dense ? (isolated[i] ?? []) : null),
          },
          ...(compact ? { fill: 'rgba(0, 114, 178, 0.12)' } : {}),
        })),
      ],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            const { left, width } = u.select;
            if (width < MIN_ZOOM_PIXELS || !zoomRef.current) return;
            const shown = { startSec: u.scales['x']?.min ?? 0, endSec: u.scales['x']?.max ?? 0 };
            const window = zoomWindow(u.posToVal(left, 'x'), u.posToVal(left + width, 'x'), shown);
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (window) zoomRef.current(window);
          },
        ],
        draw: [placeMarkers],
        // uPlot only listens to events aimed at its overlay, so markers let the mouse through
        // (a drag may start on one) and show their message when the cursor is over them.
        setCursor: [(u: uPlot) => highlightMarkerNodes(u.cursor.left ?? -1, markerRef.current.nodes)],
      },
    };
    const chart = new uPlot(options, data, el);
    chart.root.setAttribute('aria-label', `${label} over time`);

    chartRef.current = chart;
    markerRef.current.nodes = markerRef.current.markers.map((marker) => addMarkerNode(chart, marker));
    placeMarkers(chart);

    const onClick = (): void => {
      const idx = chart.cursor.idx;
      const top = chart.cursor.top;
      if (idx === null || idx === undefined || top === undefined || !clickRef.current) return;
      let best: { line: ChartLine; distance: number } | null = null;
      lines.forEach((line, i) => {
        const v = line.values[idx];
        if (v === null || v === undefined || chart.series[i + 1]?.show === false) return;
        const distance = Math.abs(chart.valToPos(v, 'y') - top);
        if (best === null || distance < best.distance) best = { line, distance };
      });
      const time = times[idx];
      const chosen = best as { line: ChartLine; distance: number } | null;
      if (chosen !== null && time !== undefined) clickRef.current(time, chosen.line);
    };
    chart.over.addEventListener('click', onClick);
    chart.over.style.cursor = onZoom ? 'crosshair' : onPointClick ? 'pointer' : 'default';
    if (onZoom) chart.over.title = 'Drag across the chart to zoom into that time range';

    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(el.clientWidth, compact ? 120 : 300), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener('click', onClick);
      chart.destroy();
      chartRef.current = null;
      markerRef.current.nodes = [];
    };
    // Callbacks are read through refs; only their presence matters for the cursor and the drag.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [times, lines, height, label, compact, xRange?.[0], xRange?.[1], yFromZero, onPointClick === undefined, onZoom === undefined]);

  useEffect(() => {
    markerRef.current.markers = markers;
    const chart = chartRef.current;
    if (!chart) return;
    for (const node of markerRef.current.nodes) node.remove();
    markerRef.current.nodes = markers.map((marker) => addMarkerNode(chart, marker));
    placeMarkerNodes(chart, markers, markerRef.current.nodes);
  }, [markers]);

  return <div className="line-chart" ref={host} />;
}

function addMarkerNode(chart: uPlot, marker: ChartMarker): HTMLElement {
  const node = document.createElement('div');
  node.className = 'chart-marker';
  node.setAttribute('role', 'note');
  node.setAttribute('aria-label', `Marker: ${marker.message}`);
  const text = document.createElement('span');
  text.className = 'chart-marker-label';
  // Marker text comes from API users: text content only, never HTML.
  text.textContent = marker.type ? `${marker.type}: ${marker.message}` : marker.message;
  node.appendChild(text);
  chart.over.appendChild(node);
  return node;
}

/** Puts each marker node at its time on the x scale (again after every redraw or resize). */
function placeMarkerNodes(chart: uPlot, markers: readonly ChartMarker[], nodes: readonly HTMLElement[]): void {
  nodes.forEach((node, i) => {
    const marker = markers[i];
    if (!marker) return;
    const left = chart.valToPos(marker.startSec, 'x');
    const right = marker.endSec === undefined ? left : chart.valToPos(marker.endSec, 'x');
    const visible = Number.isFinite(left) && left >= 0 && left <= chart.over.clientWidth;
    node.style.display = visible ? '' : 'none';
    node.style.left = `${left}px`;
    node.style.width = `${Math.max(2, right - left)}px`;
  });
}

/** Shows the message of the markers under the cursor (within a few pixels of their line). */
function highlightMarkerNodes(cursorLeft: number, nodes: readonly HTMLElement[]): void {
  for (const node of nodes) {
    const left = parseFloat(node.style.left);
    const width = parseFloat(node.style.width);
    node.classList.toggle('hover', cursorLeft >= 0 && node.style.display !== 'none' && cursorLeft >= left - 4 && cursorLeft <= left + width + 4);
  }
}
