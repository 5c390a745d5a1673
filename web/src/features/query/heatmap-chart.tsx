/**
 * HEATMAP drawn on a canvas: time across, value up, color by count. Click a cell to open a trace
 * from it; drag a box to BubbleUp on it; switch the value axis between linear and log.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { heatColor, heatmapCellAt, layoutHeatmap, valueAtY, type HeatmapCell, type HeatmapColumn, type ValueScale } from '../../models/heatmap-geometry-model.js';
import { boxFromDrag, dragRectangle, type HeatmapBox } from '../../models/heatmap-selection-model.js';
import type { TimeWindow } from '../../models/time-range-model.js';
import { formatAxisTime, formatLabelValue } from '../../models/value-units-model.js';

export interface HeatmapChartProps {
  label: string;
  column: string;
  columns: readonly HeatmapColumn[];
  window: TimeWindow;
  granularity: number;
  onCellClick?: (cell: HeatmapCell) => void;
  /** A box dragged over the heatmap (snapped to whole cells); absent: dragging does nothing. */
  onBoxSelect?: (box: HeatmapBox) => void;
  /** The box to keep drawn (the current BubbleUp selection). */
  selectedBox?: HeatmapBox | null;
  height?: number;
}

const AXIS_LEFT = 72;
const AXIS_BOTTOM = 22;
const TOP = 8;

export function HeatmapChart({ label, column, columns, window: timeWindow, granularity, onCellClick, onBoxSelect, selectedBox = null, height = 240 }: HeatmapChartProps): ReactNode {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const [scale, setScale] = useState<ValueScale>('linear');
  const [hover, setHover] = useState<{ cell: HeatmapCell; x: number; y: number } | null>(null);
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);
  // The click that ends a drag is not a click on a cell.
  const dragEnded = useRef(false);
  const plotWidth = Math.max(width - AXIS_LEFT - 8, 100);
  const plotHeight = height - AXIS_BOTTOM - TOP;
  const plot = useMemo(() => layoutHeatmap(columns, timeWindow, granularity, plotWidth, plotHeight, scale), [columns, timeWindow, granularity, plotWidth, plotHeight, scale]);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = width * ratio;
    c.height = height * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#fbfbfc';
    ctx.fillRect(AXIS_LEFT, TOP, plotWidth, plotHeight);
    for (const cell of plot.cells) {
      ctx.fillStyle = cell.color;
      ctx.fillRect(AXIS_LEFT + cell.x, TOP + cell.y, Math.max(cell.width - 0.5, 1), Math.max(cell.height - 0.5, 1));
    }
    ctx.fillStyle = '#5b6472';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const y = plotHeight - (plotHeight * i) / 4;
      ctx.fillText(formatLabelValue(column, valueAtY(plot, y)), AXIS_LEFT - 6, TOP + y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const span = timeWindow.endSec - timeWindow.startSec;
    for (let i = 0; i <= 4; i++) {
      const t = timeWindow.startSec + (span * i) / 4;
      ctx.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
      ctx.fillText(formatAxisTime(t, span), AXIS_LEFT + (plotWidth * i) / 4, TOP + plotHeight + 5);
    }
  }, [plot, width, height, plotWidth, plotHeight, column, timeWindow]);

  const pointIn = (event: React.MouseEvent<HTMLElement>): { x: number; y: number } => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - rect.left - AXIS_LEFT, y: event.clientY - rect.top - TOP };
  };

  const cellAt = (event: React.MouseEvent<HTMLElement>): { cell: HeatmapCell; x: number; y: number } | null => {
    const p = pointIn(event);
    const cell = heatmapCellAt(plot, p.x, p.y);
    return cell ? { cell, x: p.x + AXIS_LEFT, y: p.y + TOP } : null;
  };

  // The kept selection, drawn over the cells it covers.
  const selectionRect = useMemo(() => {
    if (selectedBox === null) return null;
    const covered = plot.cells.filter((c) => c.time >= selectedBox.startSec && c.time < selectedBox.endSec && c.lower >= selectedBox.min && c.upper <= selectedBox.max);
    if (covered.length === 0) return null;
    const x = Math.min(...covered.map((c) => c.x));
    const y = Math.min(...covered.map((c) => c.y));
    return { x, y, width: Math.max(...covered.map((c) => c.x + c.width)) - x, height: Math.max(...covered.map((c) => c.y + c.height)) - y };
  }, [plot, selectedBox]);
  const dragRect = drag === null ? null : dragRectangle(drag.x0, drag.y0, drag.x1, drag.y1);
  const shown = dragRect ?? selectionRect;

  return (
    <div className="heatmap" ref={wrap}>
      {plot.cells.length === 0 ? (
        <div className="status status-empty">No values of {column} in this window.</div>
      ) : (
        <>
          <canvas
            ref={canvas}
            role="img"
            aria-label={`${label}: heatmap of ${column} over time`}
            data-testid="heatmap-canvas"
            style={{ width: `${width}px`, height: `${height}px`, cursor: onBoxSelect ? 'crosshair' : onCellClick ? 'pointer' : 'default' }}
            onMouseDown={(e) => {
              if (!onBoxSelect || e.button !== 0) return;
              const p = pointIn(e);
              setDrag({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
            }}
            onMouseMove={(e) => {
              if (drag !== null) {
                const p = pointIn(e);
                setDrag({ ...drag, x1: p.x, y1: p.y });
                setHover(null);
              } else setHover(cellAt(e));
            }}
            onMouseLeave={() => {
              setHover(null);
              setDrag(null);
            }}
            onMouseUp={(e) => {
              if (drag === null) return;
              const p = pointIn(e);
              const box = boxFromDrag(plot, granularity, drag.x0, drag.y0, p.x, p.y);
              setDrag(null);
              dragEnded.current = box !== null;
              // A drag that selects nothing of substance falls through to the click.
              if (box !== null && onBoxSelect) onBoxSelect(box);
            }}
            onClick={(e) => {
              if (dragEnded.current) {
                dragEnded.current = false;
                return;
              }
              const hit = cellAt(e);
              if (hit && onCellClick) onCellClick(hit.cell);
            }}
          />
          {shown && (
            <div
              className={dragRect ? 'heatmap-box dragging' : 'heatmap-box'}
              data-testid="heatmap-selection"
              style={{ left: `${AXIS_LEFT + shown.x}px`, top: `${TOP + shown.y}px`, width: `${shown.width}px`, height: `${shown.height}px` }}
            />
          )}
          {hover && (
            <div className="chart-tooltip" style={{ left: `${Math.min(hover.x + 12, width - 200)}px`, top: `${hover.y + 12}px` }}>
              <div>{new Date(hover.cell.time * 1000).toLocaleString()}</div>
              <div>
                {formatLabelValue(column, hover.cell.lower)} – {formatLabelValue(column, hover.cell.upper)}
              </div>
              <div>
                <strong>{hover.cell.count}</strong> events
              </div>
              <div className="tooltip-hint">{onBoxSelect ? 'Click: a trace from this cell · drag: BubbleUp' : 'Click: a trace from this cell'}</div>
            </div>
          )}
          <div className="heatmap-footer">
            <div className="heatmap-scale" role="group" aria-label="Value scale">
              <button type="button" className={scale === 'linear' ? 'small active' : 'small'} aria-pressed={scale === 'linear'} onClick={() => setScale('linear')}>
                Linear
              </button>
              <button type="button" className={scale === 'log' ? 'small active' : 'small'} aria-pressed={scale === 'log'} onClick={() => setScale('log')}>
                Log
              </button>
            </div>
            <div className="heatmap-legend" aria-hidden="true">
              <span>1</span>
              <span className="ramp" style={{ background: `linear-gradient(to right, ${heatColor(0, 1)}, ${heatColor(0.25, 1)}, ${heatColor(0.5, 1)}, ${heatColor(1, 1)})` }} />
              <span>{plot.maxCount}</span>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
