/**
 * The monitoring tables as Kysely sees them (see migrations-monitoring.ts). Epoch-ms
 * timestamps are `bigint` columns, which PostgreSQL hands over as strings: read them
 * through `Number()`. Structured fields (features, prediction, labels, histograms) are
 * JSON text.
 */

export interface PredictionsTable {
  /** `${run_id}/${row}` */
  id: string;
  pipeline: string;
  version: number;
  run_id: string;
  prediction_id: string | null;
  row: number;
  at: number | string;
  latency_ms: number;
  caller: string | null;
  surface: string;
  error: string | null;
  features: string;
  prediction: string | null;
}

/** The current label of each feedback target (the last received); `target_key` names the target. */
export interface FeedbackLabelsTable {
  target_key: string;
  run_id: string | null;
  pipeline: string | null;
  prediction_id: string | null;
  row: number;
  /** JSON text: a string class label or a number. */
  label: string;
  label_at: number | string;
  received_at: number | string;
  /** Orders labels received in the same millisecond. */
  seq: number | string;
}

/** Append-only audit of every label received, including those later replaced. */
export interface FeedbackEventsTable {
  id: string;
  target_key: string;
  run_id: string | null;
  pipeline: string | null;
  prediction_id: string | null;
  row: number;
  label: string;
  label_at: number | string;
  received_at: number | string;
  seq: number | string;
  actor: string;
}

export interface KpiValuesTable {
  id: string;
  name: string;
  value: number;
  at: number | string;
  pipeline: string | null;
  deployment: string | null;
}

/** Partial per-minute operational metrics; rows of the same window add up on read. */
export interface OpsWindowsTable {
  id: string;
  pipeline: string;
  version: number;
  start: number | string;
  requests: number;
  /** JSON `{code: count}`. */
  errors: string;
  /** JSON sparse histograms of latency-histogram.ts. */
  latency_histogram: string;
  latency_sum: number;
  queue_count: number;
  queue_histogram: string;
  queue_sum: number;
}

export interface MonitoringTables {
  predictions: PredictionsTable;
  feedback_labels: FeedbackLabelsTable;
  feedback_events: FeedbackEventsTable;
  kpi_values: KpiValuesTable;
  ops_windows: OpsWindowsTable;
}
