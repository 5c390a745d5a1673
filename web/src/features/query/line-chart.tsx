/** One calculation over time, one line per group (uPlot). Hover shows a readout; click drills in. */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import { paletteColor } from '../../components/palette.js';
import type { ChartLine } from '../../models/result-series-model.js';

export interface LineChartProps {
  label: string;
  times: readonly number[];
  lines: readonly ChartLine[];
  /** A click on a point: the bucket's time and the group of the nearest line. */
  onPointClick?: (time: number, line: ChartLine) => void;
  height?: number;
  /** A sparkline: no axes, no legend (the home page's dataset volume). */
  compact?: boolean;
  /** The query's window in Unix seconds, so the x axis shows all of it, not just the data. */
  xRange?: readonly [number, number];
  /** Join points across empty buckets (for ops that have no value in an empty bucket). */
  spanGaps?: boolean;
}

export function LineChart({ label, times, lines, onPointClick, height = 220, compact = false, spanGaps = false, xRange }: LineChartProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const clickRef = useRef(onPointClick);
  clickRef.current = onPointClick;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data: uPlot.AlignedData = [Float64Array.from(times), ...lines.map((l) => l.values.map((v) => v ?? null))];
    const options: uPlot.Options = {
      width: Math.max(el.clientWidth, 300),
      height,
      cursor: { focus: { prox: 24 }, drag: { x: false, y: false } },
      focus: { alpha: 0.35 },
      legend: { show: !compact, live: true },
      scales: { x: xRange ? { time: true, range: [xRange[0], xRange[1]] } : { time: true } },
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
          points: { show: times.length < 60 && !compact },
          spanGaps,
          ...(compact ? { fill: 'rgba(0, 114, 178, 0.12)' } : {}),
        })),
      ],
    };
    const chart = new uPlot(options, data, el);
    chart.root.setAttribute('aria-label', `${label} over time`);

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
    chart.over.style.cursor = onPointClick ? 'pointer' : 'default';

    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(el.clientWidth, 300), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener('click', onClick);
      chart.destroy();
    };
    // onPointClick is read through a ref; only its presence matters for the cursor.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [times, lines, height, label, compact, spanGaps, xRange?.[0], xRange?.[1], onPointClick === undefined]);

  return <div className="line-chart" ref={host} />;
}
