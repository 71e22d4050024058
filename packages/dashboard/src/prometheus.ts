/**
 * Reads the server's `/metrics` (Prometheus text) into per-pipeline health: runs, error
 * rate, a latency percentile and cache hits. Pure, so the overview's figures are tested
 * as tables.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    const [, name = '', labelText = '', raw = ''] = match;
    const labels: Record<string, string> = {};
    for (const [, key = '', value = ''] of labelText.matchAll(LABEL)) labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (!Number.isNaN(value)) samples.push({ name, labels, value });
  }
  return samples;
}

export interface PipelineHealth {
  runs: number;
  errors: number;
  /** errors / runs; null before the first run. */
  errorRate: number | null;
  /** Upper bound of the bucket holding the 99th percentile of model execution time, in ms; null without runs. */
  computeP99Ms: number | null;
  cacheHits: number;
  cacheMisses: number;
  /** Rows per model execution, on average: how well runs batch; null without executions. */
  meanBatchRows: number | null;
}

/** The bucket bound below which `q` of the observations fall (Prometheus' `histogram_quantile` without interpolation). */
export function histogramQuantile(buckets: { le: number; count: number }[], q: number): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const bucket = sorted.find((b) => b.count >= q * total);
  if (bucket === undefined) return null;
  if (bucket.le !== Infinity) return bucket.le;
  // Past the last finite bound: the best that can be said is "above it".
  return sorted.filter((b) => b.le !== Infinity).at(-1)?.le ?? null;
}

export function pipelineHealth(samples: readonly Sample[], pipeline: string): PipelineHealth {
  const of = (name: string) => samples.filter((s) => s.name === name && s.labels.pipeline === pipeline);
  const sum = (list: Sample[]) => list.reduce((n, s) => n + s.value, 0);
  const runSamples = of('slipway_runs_total');
  const runs = sum(runSamples);
  const errors = sum(runSamples.filter((s) => s.labels.outcome !== 'ok'));
  const buckets = of('slipway_run_compute_seconds_bucket').map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }));
  const p99 = histogramQuantile(buckets, 0.99);
  const batches = sum(of('slipway_batch_rows_count'));
  return {
    runs,
    errors,
    errorRate: runs === 0 ? null : errors / runs,
    computeP99Ms: p99 === null ? null : p99 * 1000,
    cacheHits: sum(of('slipway_model_cache_hits_total')),
    cacheMisses: sum(of('slipway_model_cache_misses_total')),
    meanBatchRows: batches === 0 ? null : sum(of('slipway_batch_rows_sum')) / batches,
  };
}
