/**
 * The serving engine: one entry point that runs a version's model. It joins the model
 * cache (where and whether a version is loaded), one dispatcher per loaded version
 * (queueing, batching, concurrency) and the metrics.
 */
import { cpus, totalmem } from 'node:os';
import { SERVING_DEFAULTS, type VersionRecord } from '@slipway/core';
import type { OnnxRuntimeOptions } from '@slipway/runtime';
import { createOnnxRuntime } from '@slipway/runtime';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import { createInlineHost } from './inline-host.js';
import { type ServingMetrics, createServingMetrics } from './metrics.js';
import { type LoadedVersion, createModelCache } from './model-cache.js';
import { createThreadHost } from './thread-host.js';
import { type RunControls, type RunInputs, type RunResult, type VersionKey, versionKey } from './types.js';

export interface ServingEngineOptions {
  /** Reads and verifies a version's model bytes. */
  fetchModel(record: VersionRecord): Promise<Uint8Array>;
  /** Memory budget for loaded versions. Default: half of the machine's RAM. */
  budgetBytes?: number;
  /** Worker threads for models too heavy to run on the HTTP thread. Default: cores − 1, at least 1. */
  workerThreads?: number;
  /** Models smaller than this run on the HTTP thread (a thread hop costs more than they do). Default 1 MiB. */
  inlineMaxBytes?: number;
  /** Where the set of loaded versions is kept across restarts. Default: not kept. */
  hotSetFile?: string;
  /** onnxruntime options for sessions on worker threads. Default: the cores shared out between the threads as intra-op threads. */
  threadRuntimeOptions?: OnnxRuntimeOptions;
  metrics?: ServingMetrics;
}


/** Batching applies only when every input and output can grow along its first dimension. */
function batchingFor(version: LoadedVersion) {
  const batching = version.record.manifest.batching;
  if (!batching) return undefined;
  const { inputs, outputs } = version.signature;
  const dynamicFirst = [...inputs, ...outputs].every((spec) => spec.shape.length > 0 && (spec.shape[0] ?? 0) < 0);
  return dynamicFirst ? batching : undefined;
}

export type ServingEngine = ReturnType<typeof createServingEngine>;

export function createServingEngine(options: ServingEngineOptions) {
  const metrics = options.metrics ?? createServingMetrics();
  const budgetBytes = options.budgetBytes ?? Math.floor(totalmem() / 2);
  const threadCount = options.workerThreads ?? Math.max(1, cpus().length - 1);
  // A version lives on one worker thread, so its session's own pool is how one heavy model
  // uses more than one core; the cores are shared out between the threads.
  const intraThreads = Math.max(1, Math.floor(cpus().length / threadCount));
  const dispatchers = new Map<VersionKey, Dispatcher>();
  /** The `slipway_model_loaded_bytes` labels of each loaded version, to remove them when it goes. */
  const loadedLabels = new Map<VersionKey, { pipeline: string; version: string; host: string }>();
  const forget = (key: VersionKey) => {
    dispatchers.delete(key);
    const labels = loadedLabels.get(key);
    if (labels !== undefined) metrics.loadedBytes.remove(labels);
    loadedLabels.delete(key);
    metrics.usedBytes.set(cache.usedBytes());
  };
  const pipelineOf = (key: VersionKey) => key.slice(0, key.lastIndexOf(':'));

  const cache = createModelCache({
    budgetBytes,
    hosts: {
      // One thread per session: every session otherwise gets its own spinning intra-op pool,
      // and a thousand small models would mean a thousand pools fighting the HTTP thread.
      inline: createInlineHost(createOnnxRuntime({ intraOpNumThreads: 1, interOpNumThreads: 1 })),
      threads: Array.from({ length: threadCount }, (_, i) =>
        createThreadHost({
          id: `thread-${i}`,
          runtimeOptions: options.threadRuntimeOptions ?? { intraOpNumThreads: intraThreads },
          // A worker that died took its versions with it: the next request reloads them.
          onLost: (keys) => {
            cache.forget(keys);
            keys.forEach(forget);
          },
        }),
      ),
    },
    ...(options.inlineMaxBytes === undefined ? {} : { inlineMaxBytes: options.inlineMaxBytes }),
    ...(options.hotSetFile === undefined ? {} : { hotSetFile: options.hotSetFile }),
    fetchModel: (record) => options.fetchModel(record),
    events: {
      hit: (key) => metrics.cacheHits.inc({ pipeline: pipelineOf(key) }),
      miss: (key) => metrics.cacheMisses.inc({ pipeline: pipelineOf(key) }),
      load: (key, report) => {
        const pipeline = pipelineOf(key);
        metrics.loadSeconds.observe({ pipeline }, (report.loadMs + report.warmupMs) / 1000);
        const labels = { pipeline, version: key.slice(pipeline.length + 1), host: report.host };
        loadedLabels.set(key, labels);
        metrics.loadedBytes.set(labels, report.bytes);
        metrics.usedBytes.set(cache.usedBytes());
      },
      evict: (key) => {
        metrics.evictions.inc({ pipeline: pipelineOf(key) });
        forget(key);
      },
      unload: forget,
    },
  });
  metrics.budgetBytes.set(budgetBytes);

  function dispatcherFor(version: LoadedVersion): Dispatcher {
    let d = dispatchers.get(version.key);
    if (d === undefined) {
      const { host, key, record } = version;
      const batching = batchingFor(version);
      const series = metrics.forPipeline(record.pipeline);
      d = createDispatcher({
        name: `${record.pipeline}:v${record.version}`,
        execute: (run) => {
          // Observed per execution, not per request, so the histogram shows real batch sizes.
          const first = run.inputs.values().next().value;
          series.batchRows.observe(first?.shape[0] ?? 1);
          return host.infer(key, run);
        },
        ...SERVING_DEFAULTS,
        ...record.manifest.serving,
        ...(batching ? { batching } : {}),
      });
      dispatchers.set(key, d);
    }
    return d;
  }

  return {
    metrics,
    budgetBytes,

    /** Runs a version's model, loading it first if needed. */
    async infer(record: VersionRecord, run: RunInputs, controls?: RunControls): Promise<RunResult> {
      const pipeline = record.pipeline;
      const lease = await cache.acquire(record);
      try {
        const result = await dispatcherFor(lease.version).submit(run, controls);
        const t = result.timings;
        const series = metrics.forPipeline(pipeline);
        series.ok.inc();
        series.queueSeconds.observe(t.queueMs / 1000);
        series.batchWaitSeconds.observe(t.batchWaitMs / 1000);
        series.computeSeconds.observe(t.computeMs / 1000);
        return result;
      } catch (err) {
        metrics.runs.inc({ pipeline, outcome: (err as { code?: string }).code ?? 'internal' });
        throw err;
      } finally {
        lease.release();
      }
    },

    /** Loads and warms a version (before an alias moves to it). */
    async warm(record: VersionRecord): Promise<LoadedVersion> {
      return cache.warm(record);
    },
    /** Keeps a version loaded until `until` (epoch ms; Infinity until cooled down). */
    pin: (record: VersionRecord, until: number) => cache.pin(record, until),
    /** Releases a pin and unloads the version once idle. */
    async cooldown(record: VersionRecord): Promise<void> {
      const key = versionKey(record);
      cache.unpin(key);
      await cache.unload(key);
    },
    isLoaded: (record: VersionRecord) => cache.isLoaded(versionKey(record)),
    loaded: () => cache.list(),
    usedBytes: () => cache.usedBytes(),
    restore: (resolve: (pipeline: string, version: number) => Promise<VersionRecord | undefined>) => cache.restore(resolve),
    close: () => cache.close(),
  };
}
