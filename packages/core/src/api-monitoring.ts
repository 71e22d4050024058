/**
 * Wire types of the monitoring ingest routes: the prediction log query, feedback (ground
 * truth) and business KPIs. Paths are in `ApiPaths` (api.ts).
 */
import type { FieldIssue } from './errors.js';
import type { LabelValue, PredictionRecord } from './ports-monitoring.js';

/** Most rows one `GET …/predictions` answers as JSON; JSON lines may ask for up to `MAX_PREDICTIONS_EXPORT`. */
export const MAX_PREDICTIONS_PAGE = 10_000;
export const MAX_PREDICTIONS_EXPORT = 1_000_000;
/** Most items in one `POST /v1/feedback` or `POST /v1/kpis`. */
export const MAX_FEEDBACK_ITEMS = 10_000;
export const MAX_KPI_ITEMS = 10_000;

export interface PredictionsResponse {
  predictions: PredictionRecord[];
  /** Pass as `after` for the next page; null when this page was the last. */
  next: string | null;
}

/**
 * One label: for a run id (of `/v1/runs`, or the request id of an OIP call) or for a
 * caller-supplied prediction id (OIP `id`) of a pipeline; `row` picks the row of a
 * multi-row run (default 0); `at` is when the label was true (default now).
 */
export interface FeedbackItem {
  runId?: string;
  predictionId?: string;
  pipeline?: string;
  row?: number;
  label: LabelValue;
  /** Epoch ms or ISO-8601. */
  at?: number | string;
}

/** One item, or `{ items }` for many. */
export type FeedbackRequest = FeedbackItem | { items: FeedbackItem[] };

export interface FeedbackResponse {
  /** Labels stored (including those for unknown ids, which join if the prediction is logged later). */
  accepted: number;
  /** Stored labels that replaced an earlier label for the same prediction (the earlier one stays in the history). */
  replaced: number;
  /** Items whose id matched no logged prediction (not logged yet, not sampled, or removed by retention). */
  unknown: { index: number; runId?: string; pipeline?: string; predictionId?: string; row: number }[];
  /** Items refused, by index, with every problem; the other items were stored. */
  rejected: { index: number; issues: FieldIssue[] }[];
}

export interface KpiItem {
  name: string;
  value: number;
  /** Epoch ms or ISO-8601; default now. */
  at?: number | string;
  pipeline?: string;
  deployment?: string;
}

export type KpiRequest = KpiItem | { items: KpiItem[] };

export interface KpiPushResponse {
  accepted: number;
  rejected: { index: number; issues: FieldIssue[] }[];
}

export interface KpiSeriesResponse {
  name: string;
  pipeline: string | null;
  from: number;
  to: number;
  windowMs: number;
  series: { start: number; mean: number; sum: number; count: number }[];
}

export interface KpiNamesResponse {
  names: string[];
}
