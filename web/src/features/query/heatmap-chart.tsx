/** HEATMAP drawn on a canvas: time across, value up, color by count. */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { formatMillis } from '../../models/duration-format-model.js';
import { heatColor, heatmapCellAt, layoutHeatmap, type HeatmapCell, type HeatmapColumn } from '../../models/heatmap-geometry-model.js';
import type { TimeWindow } from '../../models/time-range-model.js';

export interface HeatmapChartProps {
  label: string;
  column: string;
  columns: readonly HeatmapColumn[];
  window: TimeWindow;
  granularity: number;
  onCellClick?: (cell: HeatmapCell) => void;
  height?: number;
}

const AXIS_LEFT = 64;
const AXIS_BOTTOM = 22;

function formatValue(column: string, value: number): string {
  return column.endsWith('duration_ms') ? formatMillis(value) : String(Number(value.toPrecision(4)));
}

export function HeatmapChart({ label, column, columns, window: timeWindow, granularity, onCellClick, height = 240 }: HeatmapChartProps): ReactNode {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<{ cell: HeatmapCell; x: number; y: number } | null>(null);
  const plotWidth = Math.max(width - AXIS_LEFT - 8, 100);
  const plotHeight = height - AXIS_BOTTOM - 8;
  const plot = useMemo(() => layoutHeatmap(columns, timeWindow, granularity, plotWidth, plotHeight), [columns, timeWindow, granularity, plotWidth, plotHeight]);

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
    ctx.fillRect(AXIS_LEFT, 8, plotWidth, plotHeight);
    for (const cell of plot.cells) {
      ctx.fillStyle = cell.color;
      ctx.fillRect(AXIS_LEFT + cell.x, 8 + cell.y, Math.max(cell.width - 0.5, 1), Math.max(cell.height - 0.5, 1));
    }
    ctx.fillStyle = '#5b6472';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const value = plot.minValue + ((plot.maxValue - plot.minValue) * i) / 4;
      ctx.fillText(formatValue(column, value), AXIS_LEFT - 6, 8 + plotHeight - (plotHeight * i) / 4);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const span = timeWindow.endSec - timeWindow.startSec;
    for (let i = 0; i <= 4; i++) {
      const t = timeWindow.startSec + (span * i) / 4;
      const text = new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      ctx.fillText(text, AXIS_LEFT + (plotWidth * i) / 4, 8 + plotHeight + 5);
    }
  }, [plot, width, height, plotWidth, plotHeight, column, timeWindow]);

  const cellAt = (event: React.MouseEvent<HTMLCanvasElement>): { cell: HeatmapCell; x: number; y: number } | null => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const cell = heatmapCellAt(plot, x - AXIS_LEFT, y - 8);
    return cell ? { cell, x, y } : null;
  };

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
            style={{ width: `${width}px`, height: `${height}px`, cursor: onCellClick ? 'pointer' : 'default' }}
            onMouseMove={(e) => setHover(cellAt(e))}
            onMouseLeave={() => setHover(null)}
            onClick={(e) => {
              const hit = cellAt(e);
              if (hit && onCellClick) onCellClick(hit.cell);
            }}
          />
          {hover && (
            <div className="chart-tooltip" style={{ left: `${Math.min(hover.x + 12, width - 200)}px`, top: `${hover.y + 12}px` }}>
              <div>{new Date(hover.cell.time * 1000).toLocaleString()}</div>
              <div>
                {formatValue(column, hover.cell.lower)} – {formatValue(column, hover.cell.upper)}
              </div>
              <div>
                <strong>{hover.cell.count}</strong> events
              </div>
            </div>
          )}
          <div className="heatmap-legend" aria-hidden="true">
            <span>1</span>
            <span className="ramp" style={{ background: `linear-gradient(to right, ${heatColor(0, 1)}, ${heatColor(0.25, 1)}, ${heatColor(0.5, 1)}, ${heatColor(1, 1)})` }} />
            <span>{plot.maxCount}</span>
          </div>
        </>
      )}
    </div>
  );
}
