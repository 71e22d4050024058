/**
 * The read side of monitoring: one query per chart family over the same windows —
 * operational metrics (from the ops store), drift, realized and estimated performance,
 * fairness and the correlation of business KPIs with model metrics — plus the latest
 * drift with its histogram pairs and the reference profile.
 */
import { type FairnessSummary, type MetadataStore, SlipwayError } from '@slipway/core';
import {
  type MetricEstimate,
  type WindowState,
  type WindowDrift,
  type WindowValue,
  correlateWindows,
  monitoringContext,
  realizedPerformance,
  windowEstimate,
  windowFairness,
} from '@slipway/monitoring';
import type { MonitoringService } from './monitoring-service.js';
import { rollupWindows } from './monitoring-service.js';

export const MetricFamily = {
  operational: 'operational',
  drift: 'drift',
  performance: 'performance',
  estimatedPerformance: 'estimated_performance',
  fairness: 'fairness',
  kpiCorrelation: 'kpi_correlation',
} as const;
export type MetricFamily = (typeof MetricFamily)[keyof typeof MetricFamily];
export const METRIC_FAMILIES: readonly MetricFamily[] = Object.values(MetricFamily);

export interface MetricsQuery {
  pipeline: string;
  metric: MetricFamily;
  windowMs: number;
  from: number;
  to: number;
  version?: number;
  /** kpi_correlation: the KPI to correlate. */
  kpi?: string;
}

export interface MetricsMonitoringOptions {
  store: MetadataStore;
  monitoring: MonitoringService;
}

/** Window lengths that can have stored profiles: a manifest's base window (whole minutes under an hour) and the hour and day roll-ups. */
function profiled(windowMs: number): boolean {
  return rollupWindows(60_000).includes(windowMs) || (windowMs < 3_600_000 && windowMs % 60_000 === 0);
}

type Point = Record<string, unknown> & { start: number };

export function createMonitoringMetrics({ store, monitoring }: MetricsMonitoringOptions) {
  function profiledOnly(windowMs: number): void {
    if (!profiled(windowMs)) {
      throw new SlipwayError('invalid_input', `window (${windowMs} ms) has no stored profiles; use the pipeline's window (5m by default), 1h or 1d`, {
        details: { issues: [{ path: 'window', message: 'must be a profiled window length: 5m (or the manifest windowMinutes), 1h or 1d' }] },
      });
    }
  }

  async function operational(q: MetricsQuery): Promise<Point[]> {
    const series = await store.opsSeries({ pipeline: q.pipeline, from: q.from, to: q.to, windowMs: q.windowMs, ...(q.version === undefined ? {} : { version: q.version }) });
    return series.map((w) => {
      const errors = Object.values(w.errors).reduce((s, n) => s + n, 0);
      return { start: w.start, requests: w.requests, requestRate: w.requests / (q.windowMs / 1000), errors: w.errors, errorRate: w.requests === 0 ? 0 : errors / w.requests, latencyMs: w.latencyMs, queueMs: w.queueMs };
    });
  }

  async function windows(q: MetricsQuery) {
    profiledOnly(q.windowMs);
    return store.listProfileWindows({ pipeline: q.pipeline, windowMs: q.windowMs, from: q.from, to: q.to, ...(q.version === undefined ? {} : { version: q.version }) });
  }

  async function drift(q: MetricsQuery): Promise<Point[]> {
    return (await windows(q)).flatMap((w) => {
      const d = w.drift as WindowDrift | null;
      if (d === null) return [];
      const columns = (list: WindowDrift['columns']) => Object.fromEntries(list.map((c) => [c.column, { method: c.method, statistic: c.statistic, pValue: c.pValue, threshold: c.threshold, drifted: c.drifted }]));
      return [{ start: w.start, version: w.version, rows: w.rows, share: d.share, driftShare: d.driftShare, drifted: d.drifted, driftedFeatures: d.columns.filter((c) => c.drifted).map((c) => c.column), features: columns(d.columns), prediction: columns(d.prediction) }];
    });
  }

  async function estimated(q: MetricsQuery): Promise<Point[]> {
    const out: Point[] = [];
    for (const w of await windows(q)) {
      const m = await monitoring.monitored(w.pipeline, w.version);
      const e = m === null ? null : windowEstimate(m.reference, w.state as WindowState);
      if (e === null) continue;
      const metrics: Record<string, MetricEstimate | null> = { ...e.metrics };
      delete metrics.rocAuc;
      out.push({ start: w.start, version: w.version, rows: w.rows, count: e.count, metrics });
    }
    return out;
  }

  /** Realized performance (with labelled fairness) per version and window, and label coverage from the window's rows. */
  async function realized(q: MetricsQuery): Promise<(Point & { version: number; fairness: Record<string, FairnessSummary> })[]> {
    const rows = await store.labelledPredictions({ pipeline: q.pipeline, from: q.from, to: q.to, ...(q.version === undefined ? {} : { version: q.version }) });
    const byVersion = new Map<number, typeof rows>();
    for (const r of rows) {
      const list = byVersion.get(r.version);
      if (list === undefined) byVersion.set(r.version, [r]);
      else list.push(r);
    }
    const counted = profiled(q.windowMs) ? await windows(q) : [];
    const rowsOf = new Map(counted.map((w) => [`${w.version}:${w.start}`, w.rows]));
    const out: (Point & { version: number; fairness: Record<string, FairnessSummary> })[] = [];
    for (const [version, list] of byVersion) {
      const context = (await monitoring.monitored(q.pipeline, version))?.context ?? (await contextOf(q.pipeline, version));
      for (const w of realizedPerformance(context, list, q.windowMs)) {
        const total = rowsOf.get(`${version}:${w.start}`);
        out.push({ start: w.start, version, labelled: w.labelled, labelCoverage: total === undefined || total === 0 ? null : Math.min(1, w.labelled / total), metrics: w.metrics, calibration: w.calibration, fairness: w.fairness });
      }
    }
    return out.sort((a, b) => a.start - b.start || a.version - b.version);
  }

  async function performance(q: MetricsQuery): Promise<Point[]> {
    return (await realized(q)).map(({ fairness: _, ...p }) => p);
  }

  async function contextOf(pipeline: string, version: number) {
    const record = await store.getVersion(pipeline, version);
    if (record === undefined) throw new SlipwayError('not_found', `version ${pipeline}:v${version} not found; list versions with \`slipway versions ${pipeline}\``);
    return monitoringContext(record.manifest);
  }

  async function fairness(q: MetricsQuery): Promise<Point[]> {
    const out = new Map<string, Point & { selection: Record<string, FairnessSummary>; labelled: Record<string, FairnessSummary> }>();
    for (const w of await windows(q)) {
      const m = await monitoring.monitored(w.pipeline, w.version);
      if (m === null) continue;
      out.set(`${w.version}:${w.start}`, { start: w.start, version: w.version, rows: w.rows, selection: windowFairness(m.context, w.state as WindowState), labelled: {} });
    }
    for (const p of await realized(q)) {
      const key = `${p.version}:${p.start}`;
      const point = out.get(key) ?? { start: p.start, version: p.version, rows: 0, selection: {}, labelled: {} };
      point.labelled = p.fairness;
      out.set(key, point);
    }
    return [...out.values()].sort((a, b) => a.start - b.start);
  }

  /** Pearson and Spearman between the KPI's per-window mean and each model metric over the windows both have. */
  async function kpiCorrelation(q: MetricsQuery) {
    if (q.kpi === undefined) {
      throw new SlipwayError('invalid_input', 'kpi is required for metric=kpi_correlation; name a KPI sent with POST /v1/kpis', { details: { issues: [{ path: 'kpi', message: 'is required for metric=kpi_correlation' }] } });
    }
    const kpi = (await store.kpiSeries({ name: q.kpi, pipeline: q.pipeline, from: q.from, to: q.to, windowMs: q.windowMs })).map((w): WindowValue => ({ window: w.start, value: w.mean }));
    const series: Record<string, WindowValue[]> = {};
    const add = (name: string, start: number, value: unknown) => {
      if (typeof value === 'number' && Number.isFinite(value)) (series[name] ??= []).push({ window: start, value });
    };
    for (const p of await operational(q)) {
      add('requests', p.start, p.requests);
      add('errorRate', p.start, p.errorRate);
      add('latencyP99Ms', p.start, (p.latencyMs as { p99: number }).p99);
    }
    if (profiled(q.windowMs)) {
      for (const p of await drift(q)) add('driftShare', p.start, p.share);
      for (const p of await estimated(q)) for (const [k, v] of Object.entries(p.metrics as Record<string, MetricEstimate | null>)) add(`estimated.${k}`, p.start, v?.value);
    }
    for (const p of await performance(q)) for (const [k, v] of Object.entries(p.metrics as Record<string, number | null>)) add(`realized.${k}`, p.start, v);
    return {
      kpi: q.kpi,
      kpiWindows: kpi.length,
      correlations: Object.entries(series).map(([metric, values]) => ({ metric, ...correlateWindows(kpi, values) })),
    };
  }

  async function metrics(q: MetricsQuery) {
    const base = { pipeline: q.pipeline, metric: q.metric, windowMs: q.windowMs, from: q.from, to: q.to, ...(q.version === undefined ? {} : { version: q.version }) };
    switch (q.metric) {
      case 'operational':
        return { ...base, points: await operational(q) };
      case 'drift':
        return { ...base, points: await drift(q) };
      case 'performance':
        return { ...base, points: await performance(q) };
      case 'estimated_performance':
        return { ...base, points: await estimated(q) };
      case 'fairness':
        return { ...base, points: await fairness(q) };
      case 'kpi_correlation':
        return { ...base, ...(await kpiCorrelation(q)) };
    }
  }

  /** The newest window with drift, with the reference-vs-current histogram of every column. */
  async function latestDrift(q: { pipeline: string; windowMs: number; version?: number; now: number }) {
    profiledOnly(q.windowMs);
    // Look back a day first (the usual case), and only then through everything stored.
    const find = async (from: number) => {
      const list = await store.listProfileWindows({ pipeline: q.pipeline, windowMs: q.windowMs, from, to: Number.MAX_SAFE_INTEGER, ...(q.version === undefined ? {} : { version: q.version }) });
      return list.filter((w) => w.drift !== null).sort((a, b) => b.start - a.start || b.version - a.version)[0];
    };
    const latest = (await find(q.now - Math.max(q.windowMs, 86_400_000))) ?? (await find(0));
    return { pipeline: q.pipeline, windowMs: q.windowMs, window: latest === undefined ? null : { start: latest.start, version: latest.version, rows: latest.rows, drift: latest.drift as WindowDrift } };
  }

  return { metrics, latestDrift };
}

export type MonitoringMetrics = ReturnType<typeof createMonitoringMetrics>;
