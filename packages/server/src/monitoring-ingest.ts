/**
 * The monitoring ingest service: the prediction logger every app registers as a run
 * observer (with its drop and failure counters on `/metrics`), retention on a timer, and
 * what the ingest routes call — the prediction log query and export, feedback and KPIs.
 * Routes hand it parsed input; it never sees a request.
 */
import {
  type FeedbackInput,
  type FeedbackResponse,
  type KpiPushResponse,
  type KpiRecord,
  type KpiSeriesResponse,
  type LabelValue,
  type MetadataStore,
  type PredictionRecord,
  type PredictionsResponse,
} from '@slipway/core';
import { type PredictionLoggerOptions, type RetentionResult, applyRetention, createPredictionLogger, startRetention } from '@slipway/monitoring';
import { Counter, Gauge, type Registry as MetricsRegistry } from 'prom-client';
import type { Registry } from './registry.js';

export interface MonitoringIngestSettings {
  /** Delete logged predictions (and labels, KPIs, operational windows) older than this. Default 30 days. */
  retentionDays?: number;
  /** Keep at most this many logged predictions per pipeline. Default 1 000 000. */
  retentionRows?: number;
  /** How often retention runs. Default one hour. */
  retentionIntervalMs?: number;
  /** Prediction logger tuning: batch size, queue bound, flush interval, sampling source. */
  logger?: Omit<PredictionLoggerOptions, 'store' | 'onDropped' | 'onWriteError'>;
}

export const RETENTION_DEFAULTS = Object.freeze({ days: 30, rows: 1_000_000 });

export interface MonitoringIngestOptions {
  store: MetadataStore;
  registry: Registry;
  metrics: MetricsRegistry;
  /** Where failed writes and retention errors are logged. */
  log: (err: unknown, message: string) => void;
  settings?: MonitoringIngestSettings;
}

/** A feedback item after parsing: a target, a label, when it was true (epoch ms, default now). */
export interface ParsedFeedbackItem {
  index: number;
  runId?: string;
  pipeline?: string;
  predictionId?: string;
  row: number;
  label: LabelValue;
  at?: number;
}

export interface PredictionQuery {
  pipeline: string;
  version?: number;
  since?: number;
  until?: number;
  limit: number;
  after?: string;
}

/** Rows fetched per store read while streaming an export. */
const EXPORT_PAGE = 1000;

/** One flat object per logged row, for CSV / Parquet conversion: `feature.<name>`, `prediction.<field>`. */
export function flattenPrediction(p: PredictionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: p.id,
    pipeline: p.pipeline,
    version: p.version,
    runId: p.runId,
    predictionId: p.predictionId,
    row: p.row,
    at: p.at,
    time: new Date(p.at).toISOString(),
    latencyMs: p.latencyMs,
    caller: p.caller,
    surface: p.surface,
    error: p.error,
  };
  for (const [name, value] of Object.entries(p.features)) out[`feature.${name}`] = value;
  out['prediction.label'] = p.prediction?.label ?? null;
  out['prediction.score'] = p.prediction?.score ?? null;
  out['prediction.value'] = p.prediction?.value ?? null;
  return out;
}

export type MonitoringIngest = ReturnType<typeof createMonitoringIngest>;

export function createMonitoringIngest({ store, registry, metrics, log, settings = {} }: MonitoringIngestOptions) {
  const dropped = new Counter({
    name: 'slipway_prediction_log_dropped_total',
    help: 'Prediction log rows dropped: queue_full (the store could not keep up) or write_failed',
    labelNames: ['reason'],
    registers: [metrics],
  });
  const writeErrors = new Counter({
    name: 'slipway_prediction_log_write_errors_total',
    help: 'Failed writes of the prediction log (predictions) and operational metrics (ops_windows)',
    labelNames: ['what'],
    registers: [metrics],
  });
  const logger = createPredictionLogger({
    ...settings.logger,
    store,
    onDropped: (rows, reason) => dropped.inc({ reason }, rows),
    onWriteError: (err, what) => {
      writeErrors.inc({ what });
      log(err, `prediction log: writing ${what} failed; the rows are dropped and counted in slipway_prediction_log_dropped_total`);
    },
  });
  new Gauge({
    name: 'slipway_prediction_log_queued_rows',
    help: 'Prediction log rows waiting to be written',
    registers: [metrics],
    collect() {
      this.set(logger.stats().queuedRows);
    },
  });
  const policy = { days: settings.retentionDays ?? RETENTION_DEFAULTS.days, rows: settings.retentionRows ?? RETENTION_DEFAULTS.rows };
  let stopRetention: (() => void) | undefined;

  async function page(q: PredictionQuery): Promise<PredictionRecord[]> {
    await registry.getPipeline(q.pipeline);
    return store.listPredictions(q);
  }

  return {
    logger,
    /** The run observer to register: samples, enqueues, never blocks. */
    observe: logger.observe,
    policy,

    start(): void {
      stopRetention ??= startRetention({
        store,
        policy,
        ...(settings.retentionIntervalMs === undefined ? {} : { intervalMs: settings.retentionIntervalMs }),
        onError: (err) => log(err, 'prediction log retention failed; it runs again at the next interval'),
      });
    },

    async close(): Promise<void> {
      stopRetention?.();
      stopRetention = undefined;
      await logger.close();
    },

    applyRetention: (now?: number): Promise<RetentionResult> => applyRetention(store, policy, now),

    async listPredictions(q: PredictionQuery): Promise<PredictionsResponse> {
      const predictions = await page(q);
      const last = predictions.at(-1);
      return { predictions, next: predictions.length === q.limit && last !== undefined ? last.id : null };
    },

    /**
     * JSON lines of up to `q.limit` flat rows, read from the store a page at a time. The
     * first page is read before returning, so a bad pipeline or cursor fails as a
     * response, not halfway through a stream.
     */
    async exportPredictions(q: PredictionQuery): Promise<AsyncIterable<string>> {
      const first = await page({ ...q, limit: Math.min(q.limit, EXPORT_PAGE) });
      async function* lines(): AsyncGenerator<string> {
        let rows = first;
        let sent = 0;
        for (;;) {
          if (rows.length > 0) yield rows.map((r) => `${JSON.stringify(flattenPrediction(r))}\n`).join('');
          sent += rows.length;
          const last = rows.at(-1);
          if (last === undefined || rows.length < EXPORT_PAGE || sent >= q.limit) return;
          rows = await store.listPredictions({ ...q, after: last.id, limit: Math.min(q.limit - sent, EXPORT_PAGE) });
        }
      }
      return lines();
    },

    /**
     * Stores labels (the valid items; `rejected` lists the others). Queued predictions are
     * written first, so a label sent right after its run finds it.
     */
    async feedback(items: readonly ParsedFeedbackItem[], rejected: FeedbackResponse['rejected'], actor: string): Promise<FeedbackResponse> {
      await logger.flush({ opsWindows: false });
      const receivedAt = Date.now();
      const inputs: FeedbackInput[] = items.map((i) => ({
        target: i.runId !== undefined ? { runId: i.runId, row: i.row } : { pipeline: i.pipeline ?? '', predictionId: i.predictionId ?? '', row: i.row },
        label: i.label,
        at: i.at ?? receivedAt,
        receivedAt,
        actor,
      }));
      const outcomes = inputs.length === 0 ? [] : await store.appendFeedback(inputs);
      const unknown: FeedbackResponse['unknown'] = [];
      let replaced = 0;
      outcomes.forEach((o, k) => {
        const item = items[k] as ParsedFeedbackItem;
        if (o.replaced) replaced += 1;
        if (!o.matched) {
          unknown.push(
            item.runId !== undefined
              ? { index: item.index, runId: item.runId, row: item.row }
              : { index: item.index, pipeline: item.pipeline ?? '', predictionId: item.predictionId ?? '', row: item.row },
          );
        }
      });
      return { accepted: inputs.length, replaced, unknown, rejected };
    },

    async pushKpis(items: readonly KpiRecord[], rejected: KpiPushResponse['rejected']): Promise<KpiPushResponse> {
      await store.appendKpis(items);
      return { accepted: items.length, rejected };
    },

    async kpiSeries(q: { name: string; pipeline?: string; from: number; to: number; windowMs: number }): Promise<KpiSeriesResponse> {
      const series = await store.kpiSeries(q);
      return { name: q.name, pipeline: q.pipeline ?? null, from: q.from, to: q.to, windowMs: q.windowMs, series };
    },

    kpiNames: (pipeline?: string) => store.listKpiNames(pipeline === undefined ? {} : { pipeline }),
  };
}
