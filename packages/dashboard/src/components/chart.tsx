/**
 * Charts on canvas with uPlot, so ten thousand points draw without jank. A chart is a
 * figure with a caption and a text summary for screen readers; the canvas itself is
 * decoration to assistive technology.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#1f5fa8', '#b3470f', '#2c7a3f', '#7a3d99', '#8a6d00', '#a1234f'];

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface LineChartProps {
  title: string;
  /** What the chart says, in words (read by screen readers). */
  summary: string;
  /** x values: epoch seconds when `time`, else plain numbers. */
  x: number[];
  series: ChartSeries[];
  time?: boolean;
  /** The x range to show (e.g. the chosen period), so a single window sits in context. Default: the data's. */
  xRange?: [number, number];
  /** A dashed horizontal line across the plot, e.g. a policy threshold. */
  threshold?: { label: string; value: number };
  height?: number;
  width?: number;
}

const THRESHOLD_COLOR = '#b00020';

export function LineChart({ title, summary, x, series, time = true, xRange, threshold, height = 200, width = 520 }: LineChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = ref.current;
    if (target === null) return undefined;
    const drawThreshold = (u: uPlot) => {
      if (threshold === undefined) return;
      const y = u.valToPos(threshold.value, 'y', true);
      const ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = THRESHOLD_COLOR;
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.restore();
    };
    const plot = new uPlot(
      {
        width,
        height,
        scales: {
          x: { time, ...(xRange === undefined ? {} : { range: xRange }) },
          // Keep the threshold in view even when every value is far from it.
          y: { range: (_u, min, max) => pad(Math.min(min, threshold?.value ?? min), Math.max(max, threshold?.value ?? max)) },
        },
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length] ?? '#333', width: 2, points: { size: 6 } }))],
        hooks: { draw: [drawThreshold] },
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      target,
    );
    return () => plot.destroy();
  }, [x, series, time, xRange, threshold, height, width]);
  return (
    <figure className="chart">
      <figcaption>
        {title}
        {threshold !== undefined && <span className="threshold-key"> (dashed line: {threshold.label})</span>}
      </figcaption>
      <div ref={ref} role="img" aria-label={`${title}: ${summary}`} />
    </figure>
  );
}

function pad(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min || Math.abs(max) || 1;
  return [min - span * 0.1, max + span * 0.1];
}

/** A small traffic line without axes or legend. */
export function Sparkline({ label, values, width = 120, height = 28 }: { label: string; values: number[]; width?: number; height?: number }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const target = ref.current;
    if (target === null || values.length < 2) return undefined;
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        series: [{}, { stroke: COLORS[0], width: 1.5, fill: '#1f5fa822', points: { show: false } }],
      },
      [values.map((_, i) => i), values],
      target,
    );
    return () => plot.destroy();
  }, [values, width, height]);
  return <span ref={ref} className="sparkline" role="img" aria-label={label} />;
}

export interface BarChartProps {
  title: string;
  summary: string;
  labels: string[];
  series: ChartSeries[];
  height?: number;
  width?: number;
}

/** Grouped bars over named buckets (histograms): x is the bucket index, labelled on the axis. */
export function BarChart({ title, summary, labels, series, height = 200, width = 520 }: BarChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = ref.current;
    if (target === null) return undefined;
    const n = series.length;
    const plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(max, 0.01) * 1.1] } },
        axes: [{ values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')), rotate: labels.length > 8 ? -45 : 0, size: labels.length > 8 ? 70 : 40 }, {}],
        series: [
          {},
          ...series.map((s, i) => {
            const color = COLORS[i % COLORS.length] ?? '#333';
            return { label: s.label, stroke: color, fill: `${color}99`, width: 1, paths: uPlot.paths.bars?.({ size: [0.8 / n, 60], align: n === 1 ? 0 : i === 0 ? -1 : 1 }), points: { show: false } };
          }),
        ],
      },
      [labels.map((_, i) => i), ...series.map((s) => s.values)] as uPlot.AlignedData,
      target,
    );
    return () => plot.destroy();
  }, [labels, series, height, width]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={ref} role="img" aria-label={`${title}: ${summary}`} />
    </figure>
  );
}
