/**
 * Retention of the prediction log: rows older than `days` (with the labels, KPI values
 * and operational windows of that age) and rows beyond the newest `rows` of each
 * pipeline are deleted. `applyRetention` is the whole policy, called directly by tests;
 * `startRetention` repeats it on an unref'd timer so it never keeps a process alive.
 */
import type { MonitoringStore } from '@slipway/core';

export interface RetentionPolicy {
  /** Keep this many days. */
  days: number;
  /** Keep at most this many logged predictions per pipeline. */
  rows: number;
}

export interface RetentionResult {
  /** Predictions deleted for their age, and for exceeding the row bound. */
  byAge: number;
  byRows: number;
}

const DAY_MS = 86_400_000;

export async function applyRetention(
  store: Pick<MonitoringStore, 'deleteMonitoringBefore' | 'trimPredictions'>,
  policy: RetentionPolicy,
  now = Date.now(),
): Promise<RetentionResult> {
  const byAge = await store.deleteMonitoringBefore(now - policy.days * DAY_MS);
  const byRows = await store.trimPredictions(policy.rows);
  return { byAge, byRows };
}

export interface RetentionTaskOptions {
  store: Pick<MonitoringStore, 'deleteMonitoringBefore' | 'trimPredictions'>;
  policy: RetentionPolicy;
  /** Default one hour. */
  intervalMs?: number;
  onResult?: (result: RetentionResult) => void;
  onError?: (error: unknown) => void;
}

/** Applies retention every `intervalMs` (first run after one interval); returns a stop function. */
export function startRetention({ store, policy, intervalMs = 3_600_000, onResult = () => {}, onError = () => {} }: RetentionTaskOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    applyRetention(store, policy)
      .then(onResult, onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
