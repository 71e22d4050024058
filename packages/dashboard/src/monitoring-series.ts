/**
 * Monitoring API answers → chart series. Points come one per window, oldest first, with
 * fields by chart family (see `GET /v1/pipelines/{p}/metrics` in the OpenAPI document);
 * these functions pick the numbers a chart draws, with null where a window lacks one.
 */
import type { DriftHistogramView, MetricsResponse } from '@slipway/core';

type Points = NonNullable<MetricsResponse['points']>;

export interface Series {
  /** Window starts in epoch seconds (uPlot's time unit). */
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** Windows of several versions share a start: the chart shows one x per start, the last point wins. */
function byStart(points: Points): Points {
  const map = new Map<number, Points[number]>();
  for (const p of points) map.set(p.start, p);
  return [...map.values()].sort((a, b) => a.start - b.start);
}

/** Each feature's drift statistic per window. */
export function driftStatistics(points: Points): Series {
  const list = byStart(points);
  const features = [...new Set(list.flatMap((p) => Object.keys(obj(p.features))))];
  return {
    x: list.map((p) => p.start / 1000),
    series: features.map((f) => ({ label: f, values: list.map((p) => num(obj(obj(p.features)[f]).statistic)) })),
  };
}

/** Share of features drifted per window. */
export function driftShare(points: Points): Series {
  const list = byStart(points);
  return { x: list.map((p) => p.start / 1000), series: [{ label: 'share of features drifted', values: list.map((p) => num(p.share)) }] };
}

/** Realized accuracy (from labels) next to the estimate (CBPE, with its band) per window. */
export function accuracySeries(realized: Points, estimated: Points, metric = 'accuracy'): Series {
  const r = new Map(byStart(realized).map((p) => [p.start, p]));
  const e = new Map(byStart(estimated).map((p) => [p.start, p]));
  const starts = [...new Set([...r.keys(), ...e.keys()])].sort((a, b) => a - b);
  const estimate = (s: number) => obj(obj(e.get(s)?.metrics)[metric]);
  return {
    x: starts.map((s) => s / 1000),
    series: [
      { label: `realized ${metric}`, values: starts.map((s) => num(obj(r.get(s)?.metrics)[metric])) },
      { label: `estimated ${metric}`, values: starts.map((s) => num(estimate(s).value)) },
      { label: 'estimate lower', values: starts.map((s) => num(estimate(s).lower)) },
      { label: 'estimate upper', values: starts.map((s) => num(estimate(s).upper)) },
    ],
  };
}

export function labelCoverage(realized: Points): Series {
  const list = byStart(realized);
  return { x: list.map((p) => p.start / 1000), series: [{ label: 'label coverage', values: list.map((p) => num(p.labelCoverage)) }] };
}

/** Disparate impact per protected attribute per window (selection rates, no labels needed). */
export function disparateImpact(points: Points): Series {
  const list = byStart(points);
  const attributes = [...new Set(list.flatMap((p) => Object.keys(obj(p.selection))))];
  return {
    x: list.map((p) => p.start / 1000),
    series: attributes.map((a) => ({ label: a, values: list.map((p) => num(obj(obj(p.selection)[a]).disparateImpact)) })),
  };
}

export function operationalSeries(points: Points): { traffic: Series; errors: Series; latency: Series } {
  const list = byStart(points);
  const x = list.map((p) => p.start / 1000);
  const latency = (key: string) => list.map((p) => num(obj(p.latencyMs)[key]));
  return {
    traffic: { x, series: [{ label: 'requests', values: list.map((p) => num(p.requests)) }] },
    errors: { x, series: [{ label: 'error rate', values: list.map((p) => num(p.errorRate)) }] },
    latency: { x, series: [{ label: 'p50 ms', values: latency('p50') }, { label: 'p90 ms', values: latency('p90') }, { label: 'p99 ms', values: latency('p99') }] },
  };
}

/** A reference-vs-current histogram as proportions, so samples of different sizes compare. */
export function histogramSeries(h: DriftHistogramView): { labels: string[]; reference: number[]; current: number[] } {
  const share = (counts: number[]) => {
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => (total === 0 ? 0 : c / total));
  };
  const labels =
    h.kind === 'categorical'
      ? h.categories
      : h.reference.map((_, i) => {
          const lo = h.boundaries[i - 1];
          const hi = h.boundaries[i];
          const f = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
          if (lo === undefined) return hi === undefined ? 'all' : `< ${f(hi)}`;
          return hi === undefined ? `≥ ${f(lo)}` : `${f(lo)}–${f(hi)}`;
        });
  return { labels, reference: share(h.reference), current: share(h.current) };
}
