/**
 * The monitoring part of the metadata store: the prediction log, ground-truth labels
 * (feedback), business KPIs and per-minute operational metrics. The prediction logger
 * writes here off the request path; drift, realized performance and the metrics API read.
 * Timestamps are epoch milliseconds throughout.
 */

export type LoggedFeatureValue = number | string | boolean | null;

/** One logged row of one run. */
export interface PredictionRecord {
  /** `${runId}/${row}`. */
  id: string;
  pipeline: string;
  version: number;
  runId: string;
  /** The caller's own id for the prediction (OIP `id`), for joining feedback. */
  predictionId: string | null;
  row: number;
  /** Epoch ms when the run started. */
  at: number;
  latencyMs: number;
  caller: string | null;
  surface: 'oip' | 'runs';
  /** The error code when the run failed. */
  error: string | null;
  features: Record<string, LoggedFeatureValue>;
  prediction: { label?: string; score?: number; value?: number } | null;
}

/** A ground-truth label: a class label or a regression target. */
export type LabelValue = string | number;

export interface LabelledPrediction extends PredictionRecord {
  label: LabelValue;
  /** When the label was true (the feedback's `at`), epoch ms. */
  labelAt: number;
}

/** Which prediction a label is for: a run id, or a pipeline and the caller's prediction id; `row` defaults to 0. */
export type FeedbackTarget = { runId: string; row: number } | { pipeline: string; predictionId: string; row: number };

export interface FeedbackInput {
  target: FeedbackTarget;
  label: LabelValue;
  /** When the label was true, epoch ms. */
  at: number;
  /** When it was received, epoch ms; orders labels given twice (the last received wins). */
  receivedAt: number;
  /** Who sent it, for the audit history. */
  actor: string;
}

/** Per input item, in order: whether a logged prediction matched and whether an earlier label was replaced. */
export interface FeedbackOutcome {
  matched: boolean;
  replaced: boolean;
}

/** One label as received, kept even after a later label replaced it. */
export interface FeedbackEvent {
  target: FeedbackTarget;
  label: LabelValue;
  at: number;
  receivedAt: number;
  actor: string;
}

export interface KpiRecord {
  name: string;
  value: number;
  at: number;
  pipeline: string | null;
  deployment: string | null;
}

/** Operational metrics of one pipeline version over one window. */
export interface OpsWindow {
  start: number;
  requests: number;
  /** Failed runs by error code. */
  errors: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; mean: number };
  queueMs: { mean: number; p99: number };
}

/**
 * What the server writes per pipeline version and minute; mergeable, so partial windows
 * (several flushes, several servers) add up on read. Histograms are sparse bucket counts
 * of `latency-histogram.ts`.
 */
export interface OpsWindowRecord {
  pipeline: string;
  version: number;
  start: number;
  requests: number;
  errors: Record<string, number>;
  latencyHistogram: Record<number, number>;
  latencySum: number;
  /** Runs that waited in a queue (failed-before-queue runs have no queue time). */
  queueCount: number;
  queueHistogram: Record<number, number>;
  queueSum: number;
}

export interface MonitoringStore {
  /** Writes logged rows in one transaction; an id already present is left as it is. */
  appendPredictions(rows: readonly PredictionRecord[]): Promise<void>;
  /** Oldest first (by `at`, then id) from `since` (inclusive) to `until` (exclusive); `after` = id cursor for paging. */
  listPredictions(q: { pipeline: string; version?: number; since?: number; until?: number; limit: number; after?: string }): Promise<PredictionRecord[]>;
  /** Predictions in [from, to) that have feedback, joined with the latest label; oldest first. */
  labelledPredictions(q: { pipeline: string; version?: number; from: number; to: number }): Promise<LabelledPrediction[]>;
  /**
   * Stores labels, in order, in one transaction: the current label per target is replaced
   * (the last received wins) and every label is kept in the history. Labels for targets
   * with no logged prediction are kept too (they join once it is logged) but reported as
   * not matched.
   */
  appendFeedback(items: readonly FeedbackInput[]): Promise<FeedbackOutcome[]>;
  /** Every label received for a target, oldest first (the audit of replaced labels). */
  feedbackHistory(target: FeedbackTarget): Promise<FeedbackEvent[]>;

  appendKpis(rows: readonly KpiRecord[]): Promise<void>;
  /** KPI values aggregated per window: mean, sum, count per window start (windows aligned to epoch multiples of `windowMs`); empty windows are left out. */
  kpiSeries(q: { name: string; pipeline?: string; from: number; to: number; windowMs: number }): Promise<{ start: number; mean: number; sum: number; count: number }[]>;
  /** Distinct KPI names, optionally only those reported for a pipeline; sorted. */
  listKpiNames(q?: { pipeline?: string }): Promise<string[]>;

  appendOpsWindows(rows: readonly OpsWindowRecord[]): Promise<void>;
  /** Operational metrics per window start (aligned to epoch multiples of `windowMs`) for a pipeline (optionally one version); empty windows left out. */
  opsSeries(q: { pipeline: string; version?: number; from: number; to: number; windowMs: number }): Promise<OpsWindow[]>;

  /** Retention: deletes logged predictions (and labels received) before `before`, ops windows and KPIs too; returns the predictions deleted. */
  deleteMonitoringBefore(before: number): Promise<number>;
  /** Retention: keeps only the newest `keep` logged predictions of each pipeline; returns the predictions deleted. */
  trimPredictions(keep: number): Promise<number>;
}
