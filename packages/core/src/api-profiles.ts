/**
 * Wire types of the monitoring analysis routes: the metrics API that serves every chart,
 * the latest drift with its histogram pairs, and reference profiles.
 */
import type { ReferenceProfileRecord } from './ports-profiles.js';

/** Chart families of `GET /v1/pipelines/{p}/metrics?metric=`. */
export const METRIC_NAMES = ['operational', 'drift', 'performance', 'estimated_performance', 'fairness', 'kpi_correlation'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricsParams {
  metric: MetricName;
  /** Window length: `5m`, `1h`, `1d`, `30s`… Default `5m`. */
  window?: string;
  /** ISO-8601 time or epoch ms. Default `to` − 24 h. */
  from?: string | number;
  /** ISO-8601 time or epoch ms. Default now. */
  to?: string | number;
  version?: number;
  /** Required for `kpi_correlation`. */
  kpi?: string;
}

export interface MetricsResponse {
  pipeline: string;
  metric: MetricName;
  windowMs: number;
  from: number;
  to: number;
  version?: number;
  /** One per window, oldest first (every family but `kpi_correlation`); fields by family, see the OpenAPI document. */
  points?: (Record<string, unknown> & { start: number })[];
  kpi?: string;
  kpiWindows?: number;
  correlations?: { metric: string; windows: number; pearson: number | null; spearman: number | null }[];
}

/** The histogram pair a chart draws for one column: bucket boundaries (numeric) or categories. */
export type DriftHistogramView =
  | { kind: 'numeric'; boundaries: number[]; reference: number[]; current: number[] }
  | { kind: 'categorical'; categories: string[]; reference: number[]; current: number[] };

export interface ColumnDriftView {
  column: string;
  method: string;
  statistic: number | null;
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  referenceCount: number;
  currentCount: number;
  histogram: DriftHistogramView;
}

export interface DriftResponse {
  pipeline: string;
  windowMs: number;
  /** The newest profiled window; null before any run of a profiled version was seen. */
  window: {
    start: number;
    version: number;
    rows: number;
    drift: { columns: ColumnDriftView[]; prediction: ColumnDriftView[]; evaluatedColumns: number; driftedColumns: number; share: number; driftShare: number; drifted: boolean };
  } | null;
}

export type ProfileResponse = ReferenceProfileRecord;

export interface ProfileRequest {
  /** `3`, `v3` or `@production`; default the latest version. */
  version?: string | number;
  /** The reference CSV: header of feature names (and the manifest's label column), one row per line. */
  csv: string;
  /** Shown in errors and stored as the profile's source. Default `upload.csv`. */
  file?: string;
}
