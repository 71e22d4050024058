/**
 * Operational metrics of every run (not only sampled ones), aggregated in memory per
 * pipeline version and minute: requests, errors by code, latency and queue-time
 * histograms. Recording is O(1) and happens on the request path; windows are handed to
 * the store when they close (or on flush), as mergeable partial rows.
 */
import { type OpsWindowRecord, type RunEvent, addToHistogram } from '@slipway/core';

export interface OpsAggregatorOptions {
  /** Window length. Default 60 000 ms (one minute). */
  windowMs?: number;
}

export interface OpsAggregator {
  record(event: RunEvent): void;
  /** Takes the windows that ended at or before `now` (all of them with `all`), leaving the rest to grow. */
  drain(now: number, options?: { all?: boolean }): OpsWindowRecord[];
  /** Windows held in memory. */
  readonly size: number;
}

export const OPS_WINDOW_MS = 60_000;

export function createOpsAggregator({ windowMs = OPS_WINDOW_MS }: OpsAggregatorOptions = {}): OpsAggregator {
  const windows = new Map<string, OpsWindowRecord>();
  return {
    record(e) {
      const start = Math.floor(e.startedAt / windowMs) * windowMs;
      const key = `${start}\u0000${e.record.version}\u0000${e.record.pipeline}`;
      let w = windows.get(key);
      if (w === undefined) {
        w = {
          pipeline: e.record.pipeline,
          version: e.record.version,
          start,
          requests: 0,
          errors: {},
          latencyHistogram: {},
          latencySum: 0,
          queueCount: 0,
          queueHistogram: {},
          queueSum: 0,
        };
        windows.set(key, w);
      }
      w.requests += 1;
      if (e.error !== undefined) w.errors[e.error] = (w.errors[e.error] ?? 0) + 1;
      addToHistogram(w.latencyHistogram, e.latencyMs);
      w.latencySum += e.latencyMs;
      if (e.queueMs !== undefined) {
        w.queueCount += 1;
        addToHistogram(w.queueHistogram, e.queueMs);
        w.queueSum += e.queueMs;
      }
    },
    drain(now, { all = false } = {}) {
      const out: OpsWindowRecord[] = [];
      for (const [key, w] of windows) {
        if (all || w.start + windowMs <= now) {
          out.push(w);
          windows.delete(key);
        }
      }
      return out;
    },
    get size() {
      return windows.size;
    },
  };
}
