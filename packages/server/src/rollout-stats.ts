/**
 * Recent runs per version, for rollout verdicts and the autoscaler's queue-time input. A
 * `RunObserver` appends (it only enqueues: one array push); samples older than the longest
 * window anyone asks for are dropped as new ones arrive. Shadow comparisons are kept here
 * too, since shadow runs never reach the observers.
 */
import type { RunEvent } from '@slipway/core';
import { type RunSample, type WindowStats, windowStats } from './rollout-policy.js';

export interface ShadowStats {
  mirrored: number;
  /** Runs whose candidate outputs matched stable's (within 1e-5). */
  agreed: number;
  agreementRate: number;
  /** Mirrored runs the candidate failed. */
  errors: number;
  candidate: WindowStats;
}

export interface RolloutStatsOptions {
  /** Samples are kept this long. Default 15 minutes. */
  retainMs?: number;
  /** At most this many samples per version (the oldest go first). Default 50 000. */
  maxSamples?: number;
  /** Only runs of pipelines this says yes to are kept (those with deployments). */
  accepts?: (pipeline: string) => boolean;
}

interface Series {
  samples: RunSample[];
  queueMs: number[];
}

export type RolloutStats = ReturnType<typeof createRolloutStats>;

export function createRolloutStats(options: RolloutStatsOptions = {}) {
  const retainMs = options.retainMs ?? 15 * 60_000;
  const maxSamples = options.maxSamples ?? 50_000;
  const series = new Map<string, Series>();
  const shadows = new Map<string, { mirrored: number; agreed: number; errors: number; samples: RunSample[] }>();
  const key = (pipeline: string, version: number) => `${pipeline}:${version}`;

  function add(pipeline: string, version: number, sample: RunSample, queueMs?: number): void {
    const k = key(pipeline, version);
    let s = series.get(k);
    if (s === undefined) series.set(k, (s = { samples: [], queueMs: [] }));
    s.samples.push(sample);
    s.queueMs.push(queueMs ?? 0);
    // Trimmed in bulk, so a push stays O(1) on average.
    if (s.samples.length > maxSamples || (s.samples[0] as RunSample).at < sample.at - retainMs * 2) {
      const from = Math.max(s.samples.length - maxSamples, s.samples.findIndex((x) => x.at >= sample.at - retainMs));
      s.samples.splice(0, from);
      s.queueMs.splice(0, from);
    }
  }

  return {
    /** The `RunObserver`: keeps the run's latency, error and queue time. */
    observe(event: RunEvent): void {
      if (options.accepts !== undefined && !options.accepts(event.record.pipeline)) return;
      add(event.record.pipeline, event.record.version, { at: event.startedAt + event.latencyMs, latencyMs: event.latencyMs, error: event.error !== undefined }, event.queueMs);
    },
    add,
    /** Window statistics of a version's runs. */
    window(pipeline: string, version: number, now: number, windowMs: number): WindowStats {
      return windowStats(series.get(key(pipeline, version))?.samples ?? [], now, windowMs);
    },
    /** Average queue wait of the version's runs that finished in the window; 0 without runs. */
    queueMs(pipeline: string, version: number, now: number, windowMs: number): number {
      const s = series.get(key(pipeline, version));
      if (s === undefined) return 0;
      let sum = 0;
      let n = 0;
      for (let i = s.samples.length - 1; i >= 0; i--) {
        const at = (s.samples[i] as RunSample).at;
        if (at <= now - windowMs) break;
        sum += s.queueMs[i] ?? 0;
        n++;
      }
      return n === 0 ? 0 : sum / n;
    },
    /** Records one mirrored run of a shadow candidate (also as a run of the candidate, for the rollback verdict). */
    shadow(deployment: string, pipeline: string, version: number, result: { at: number; latencyMs: number; error: boolean; agreed: boolean }): void {
      let s = shadows.get(deployment);
      if (s === undefined) shadows.set(deployment, (s = { mirrored: 0, agreed: 0, errors: 0, samples: [] }));
      s.mirrored++;
      if (result.agreed) s.agreed++;
      if (result.error) s.errors++;
      s.samples.push({ at: result.at, latencyMs: result.latencyMs, error: result.error });
      if (s.samples.length > maxSamples) s.samples.splice(0, s.samples.length - maxSamples);
      add(pipeline, version, { at: result.at, latencyMs: result.latencyMs, error: result.error });
    },
    shadowStats(deployment: string, now: number, windowMs: number): ShadowStats | undefined {
      const s = shadows.get(deployment);
      if (s === undefined) return undefined;
      return { mirrored: s.mirrored, agreed: s.agreed, agreementRate: s.mirrored === 0 ? 0 : s.agreed / s.mirrored, errors: s.errors, candidate: windowStats(s.samples, now, windowMs) };
    },
    resetShadow(deployment: string): void {
      shadows.delete(deployment);
    },
  };
}
