/**
 * Prometheus metrics of the serving engine (`slipway_` prefix), on a registry of their own
 * so several engines (tests, later several gateways in one process) never collide.
 * Histograms are labelled by pipeline only; per-version labels are kept to gauges of
 * loaded versions, whose number the memory budget bounds.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ServingMetrics = ReturnType<typeof createServingMetrics>;

export function createServingMetrics(registry: Registry = new Registry()) {
  const registers = [registry];
  const metrics = {
    registry,
    runs: new Counter({ name: 'slipway_runs_total', help: 'Model runs by pipeline and outcome (ok or an error code)', labelNames: ['pipeline', 'outcome'], registers }),
    queueSeconds: new Histogram({ name: 'slipway_run_queue_seconds', help: 'Time a run waited for an execution slot', labelNames: ['pipeline'], buckets: SECONDS, registers }),
    batchWaitSeconds: new Histogram({ name: 'slipway_run_batch_wait_seconds', help: 'Time a run waited for others to join its batch', labelNames: ['pipeline'], buckets: SECONDS, registers }),
    computeSeconds: new Histogram({ name: 'slipway_run_compute_seconds', help: 'Model execution time of the batch a run was part of', labelNames: ['pipeline'], buckets: SECONDS, registers }),
    batchRows: new Histogram({ name: 'slipway_batch_rows', help: 'Rows per model execution', labelNames: ['pipeline'], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers }),
    cacheHits: new Counter({ name: 'slipway_model_cache_hits_total', help: 'Runs whose version was already loaded', labelNames: ['pipeline'], registers }),
    cacheMisses: new Counter({ name: 'slipway_model_cache_misses_total', help: 'Runs that had to wait for their version to load', labelNames: ['pipeline'], registers }),
    retries: new Counter({ name: 'slipway_run_retries_total', help: 'Runs run again on another worker because the worker thread running them died', labelNames: ['pipeline'], registers }),
    evictions: new Counter({ name: 'slipway_model_evictions_total', help: 'Versions unloaded to make room within the memory budget', labelNames: ['pipeline'], registers }),
    loadSeconds: new Histogram({ name: 'slipway_model_load_seconds', help: 'Artifact read, session creation and warm-up of a version', labelNames: ['pipeline'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    loadedBytes: new Gauge({ name: 'slipway_model_loaded_bytes', help: 'Measured memory of each loaded version', labelNames: ['pipeline', 'version', 'host'], registers }),
    budgetBytes: new Gauge({ name: 'slipway_model_memory_budget_bytes', help: 'Memory budget for loaded versions', registers }),
    usedBytes: new Gauge({ name: 'slipway_model_memory_used_bytes', help: 'Measured memory of all loaded versions', registers }),
  };
  // Label children per pipeline, resolved once: hashing a label object on every observe
  // is a measurable share of a small model's request.
  const children = new Map<string, ReturnType<typeof childrenOf>>();
  const childrenOf = (pipeline: string) => ({
    ok: metrics.runs.labels({ pipeline, outcome: 'ok' }),
    queueSeconds: metrics.queueSeconds.labels({ pipeline }),
    batchWaitSeconds: metrics.batchWaitSeconds.labels({ pipeline }),
    computeSeconds: metrics.computeSeconds.labels({ pipeline }),
    batchRows: metrics.batchRows.labels({ pipeline }),
  });
  return {
    ...metrics,
    /** The per-run series of one pipeline. */
    forPipeline(pipeline: string) {
      let c = children.get(pipeline);
      if (c === undefined) children.set(pipeline, (c = childrenOf(pipeline)));
      return c;
    },
  };
}
