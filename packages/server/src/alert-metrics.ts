/**
 * Where alert rules read their metrics: a small `MetricSource` the evaluator asks for one
 * series at a time, and its adapter over monitoring — operational windows (`opsSeries`),
 * drift per profile window, KPIs, and through the metrics API's service realized accuracy,
 * the CBPE estimate and fairness. A metric the server cannot measure is not in `metrics`,
 * and rules naming it are refused instead of waiting on data that never comes.
 */
import type { FairnessSummary, MetadataStore, OpsWindow } from '@slipway/core';
import type { MetricPoint } from './alert-evaluation.js';
import type { AlertMetric } from './alert-rules.js';
import type { MonitoringMetrics } from './monitoring-metrics.js';

export interface MetricSource {
  /** The metrics this source can serve. */
  readonly metrics: ReadonlySet<AlertMetric>;
  /**
   * Windows of `windowMs` (starts aligned to epoch multiples) with from ≤ start < to,
   * oldest first; windows without data are left out. `labels` select the series
   * (`feature`, `attribute`, `kpi`, `version`).
   */
  series(pipeline: string, metric: AlertMetric, labels: Readonly<Record<string, string>>, from: number, to: number, windowMs: number): Promise<MetricPoint[]>;
}

const OPS: Partial<Record<AlertMetric, (w: OpsWindow, windowMs: number) => number | undefined>> = {
  latency_p50: (w) => w.latencyMs.p50,
  latency_p90: (w) => w.latencyMs.p90,
  latency_p99: (w) => w.latencyMs.p99,
  latency_mean: (w) => w.latencyMs.mean,
  queue_p99: (w) => w.queueMs.p99,
  error_rate: (w) => (w.requests === 0 ? undefined : Object.values(w.errors).reduce((a, b) => a + b, 0) / w.requests),
  request_rate: (w, windowMs) => w.requests / (windowMs / 1000),
};

interface DriftView {
  share?: number;
  columns?: { column: string; statistic: number | null }[];
}

type StoreForMetrics = Pick<MetadataStore, 'opsSeries' | 'listProfileWindows' | 'kpiSeries'>;
/** The monitoring read side (`createMonitoringMetrics`): realized and estimated performance, fairness. */
type MonitoringQueries = Pick<MonitoringMetrics, 'metrics'>;

const versionOf = (labels: Readonly<Record<string, string>>) => (labels.version === undefined ? undefined : Number(labels.version.replace(/^v/, '')));

/** Per window start, the point of the version that weighs most (several versions share windows during a rollout). */
function heaviest<P extends { start: number }>(points: readonly P[], weight: (p: P) => number, value: (p: P) => number | null | undefined): MetricPoint[] {
  const best = new Map<number, { w: number; value: number }>();
  for (const p of points) {
    const v = value(p);
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    const seen = best.get(p.start);
    if (seen === undefined || weight(p) > seen.w) best.set(p.start, { w: weight(p), value: v });
  }
  return [...best.entries()].sort(([a], [b]) => a - b).map(([start, { value }]) => ({ start, value }));
}

type Loose = { start: number } & Record<string, unknown>;
const num = (x: unknown) => (typeof x === 'number' ? x : 0);

/**
 * The adapter over monitoring: operational windows, drift and KPIs from the store; with
 * `monitoring` (the metrics API's service), also realized accuracy, the CBPE estimate
 * and disparate impact.
 */
export function createMonitoringMetricSource(store: StoreForMetrics, monitoring?: MonitoringQueries): MetricSource {
  const metrics = new Set<AlertMetric>([...(Object.keys(OPS) as AlertMetric[]), 'feature_drift', 'dataset_drift_share', 'kpi']);
  if (monitoring !== undefined) for (const m of ['accuracy', 'estimated_accuracy', 'disparate_impact'] as const) metrics.add(m);
  async function family(pipeline: string, metric: 'performance' | 'estimated_performance' | 'fairness', version: number | undefined, from: number, to: number, windowMs: number): Promise<Loose[]> {
    const answer = await monitoring!.metrics({ pipeline, metric, windowMs, from, to, ...(version === undefined ? {} : { version }) });
    return 'points' in answer ? answer.points : [];
  }
  return {
    metrics,
    async series(pipeline, metric, labels, from, to, windowMs) {
      const version = versionOf(labels);
      const pick = OPS[metric];
      if (pick !== undefined) {
        const windows = await store.opsSeries({ pipeline, ...(version === undefined ? {} : { version }), from, to, windowMs });
        return windows.flatMap((w) => {
          const value = pick(w, windowMs);
          return value === undefined || w.requests === 0 ? [] : [{ start: w.start, value }];
        });
      }
      switch (metric) {
        case 'feature_drift':
        case 'dataset_drift_share': {
          const windows = await store.listProfileWindows({ pipeline, ...(version === undefined ? {} : { version }), windowMs, from, to });
          return heaviest(
            windows.filter((w) => w.drift !== null && w.drift !== undefined),
            (w) => w.rows,
            (w) => {
              const d = w.drift as DriftView;
              return metric === 'dataset_drift_share' ? d.share : d.columns?.find((c) => c.column === labels.feature)?.statistic;
            },
          );
        }
        case 'accuracy': {
          const points = await family(pipeline, 'performance', version, from, to, windowMs);
          return heaviest(points, (p) => num(p.labelled), (p) => (p.metrics as Record<string, number | null> | undefined)?.accuracy);
        }
        case 'estimated_accuracy': {
          const points = await family(pipeline, 'estimated_performance', version, from, to, windowMs);
          return heaviest(points, (p) => num(p.rows), (p) => (p.metrics as Record<string, { value: number } | null> | undefined)?.accuracy?.value);
        }
        case 'disparate_impact': {
          const points = await family(pipeline, 'fairness', version, from, to, windowMs);
          const attribute = labels.attribute ?? '';
          return heaviest(points, (p) => num(p.rows), (p) => (p.selection as Record<string, FairnessSummary> | undefined)?.[attribute]?.disparateImpact);
        }
        case 'kpi': {
          if (labels.kpi === undefined) return [];
          const windows = await store.kpiSeries({ name: labels.kpi, pipeline, from, to, windowMs });
          return windows.map((w) => ({ start: w.start, value: w.mean }));
        }
        default:
          return [];
      }
    },
  };
}
