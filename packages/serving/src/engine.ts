/**
 * The serving engine: one entry point that runs a version's model. It joins the model
 * cache (where and whether a version is loaded), one dispatcher per loaded replica
 * (queueing, batching, concurrency) and the metrics. A version has one replica unless a
 * deployment's autoscaler asks for more (`scale`): then each run goes to the loaded replica
 * with the least work, and a run whose worker thread died under it is run again elsewhere.
 */
import { cpus, totalmem } from 'node:os';
import { ErrorCode, SERVING_DEFAULTS, type Tensor, type VersionRecord, isSlipwayError } from '@slipway/core';
import type { OnnxRuntimeOptions } from '@slipway/runtime';
import { createOnnxRuntime } from '@slipway/runtime';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import { createInlineHost } from './inline-host.js';
import { type ServingMetrics, createServingMetrics } from './metrics.js';
import { type LoadedVersion, createModelCache } from './model-cache.js';
import { createThreadHost, type ThreadHost } from './thread-host.js';
import { type RunControls, type RunInputs, type RunResult, type VersionKey, baseKey, replicaKey, versionKey } from './types.js';

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


/** Per-deployment settings that replace the manifest's `serving` and `batching`. */
export interface VersionServingSettings {
  maxConcurrency?: number;
  maxQueue?: number;
  queueTimeoutMs?: number;
  batching?: { maxBatchSize: number; maxDelayMicros: number; preferredBatchSizes: number[] };
}

/** Runs of a version in flight, and their count integrated over time (run·ms) up to `at`. */
interface InFlight {
  count: number;
  area: number;
  at: number;
}

/** The replica number of a replica key (`credit-risk:3#2` → 2). */
const replicaOf = (key: VersionKey): number => {
  const hash = key.indexOf('#');
  return hash < 0 ? 0 : Number(key.slice(hash + 1));
};

/** A worker thread died under the run (or took the version with it): running it again elsewhere is safe. */
const isHostLoss = (error: unknown): boolean => isSlipwayError(error) && error.code === ErrorCode.unavailable && typeof error.details?.host === 'string';

/** A copy of the run whose buffers are its own: a thread host takes the buffers it is sent. */
function copyRun(run: RunInputs): RunInputs {
  const inputs = new Map<string, Tensor>();
  for (const [name, t] of run.inputs) inputs.set(name, { ...t, data: t.data.slice() });
  return run.outputs === undefined ? { inputs } : { inputs, outputs: run.outputs };
}

/** Batching applies only when every input and output can grow along its first dimension. */
function batchingFor(version: LoadedVersion, override?: VersionServingSettings['batching']) {
  const batching = override ?? version.record.manifest.batching;
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
  /** Replicas asked for per version (`scale`); absent: one, loaded on demand. */
  const replicas = new Map<VersionKey, number>();
  /** Runs admitted and not yet answered per version, including those waiting for a load: the autoscaler's concurrency. */
  const inFlight = new Map<VersionKey, InFlight>();
  /** Adds `delta` runs in flight, first accruing the time the previous count was held. */
  const change = (base: VersionKey, delta: number) => {
    const at = performance.now();
    let f = inFlight.get(base);
    if (f === undefined) inFlight.set(base, (f = { count: 0, area: 0, at }));
    f.area += f.count * (at - f.at);
    f.at = at;
    f.count += delta;
  };
  const overrides = new Map<VersionKey, VersionServingSettings>();
  /** Runs sent to each replica and not yet answered (counted from the moment it is picked, before its lease). */
  const replicaLoad = new Map<VersionKey, number>();
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

  const threadHosts: ThreadHost[] = Array.from({ length: threadCount }, (_, i) =>
        createThreadHost({
          id: `thread-${i}`,
          runtimeOptions: options.threadRuntimeOptions ?? { intraOpNumThreads: intraThreads },
          // A worker that died took its versions with it: the next request reloads them.
          onLost: (keys) => {
            cache.forget(keys);
            keys.forEach(forget);
          },
        }),
      );
  const threadHostSet = new Set<unknown>(threadHosts);
  const cache = createModelCache({
    budgetBytes,
    hosts: {
      // One thread per session: every session otherwise gets its own spinning intra-op pool,
      // and a thousand small models would mean a thousand pools fighting the HTTP thread.
      inline: createInlineHost(createOnnxRuntime({ intraOpNumThreads: 1, interOpNumThreads: 1 })),
      threads: threadHosts,
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
      const override = overrides.get(baseKey(key));
      const batching = batchingFor(version, override?.batching);
      const series = metrics.forPipeline(record.pipeline);
      d = createDispatcher({
        name: `${record.pipeline}:v${record.version}${key === baseKey(key) ? '' : ` (replica ${replicaOf(key)})`}`,
        execute: (run) => {
          // Observed per execution, not per request, so the histogram shows real batch sizes.
          const first = run.inputs.values().next().value;
          series.batchRows.observe(first?.shape[0] ?? 1);
          return host.infer(key, run);
        },
        ...SERVING_DEFAULTS,
        ...record.manifest.serving,
        ...(override?.maxConcurrency === undefined ? {} : { maxConcurrency: override.maxConcurrency }),
        ...(override?.maxQueue === undefined ? {} : { maxQueue: override.maxQueue }),
        ...(override?.queueTimeoutMs === undefined ? {} : { queueTimeoutMs: override.queueTimeoutMs }),
        ...(batching ? { batching } : {}),
      });
      dispatchers.set(key, d);
    }
    return d;
  }

  /** One run fewer on a replica. */
  const unpick = (key: VersionKey) => {
    const left = (replicaLoad.get(key) ?? 1) - 1;
    if (left > 0) replicaLoad.set(key, left);
    else replicaLoad.delete(key);
  };

  /** The loaded replica with the fewest runs sent to it and unanswered; replica 0 when none is loaded (it loads). */
  function pickReplica(record: VersionRecord, base: VersionKey): number {
    const wanted = replicas.get(base) ?? 1;
    if (wanted <= 1) return 0;
    let best = 0;
    let bestLoad = Infinity;
    for (let i = 0; i < wanted; i++) {
      const key = replicaKey(record, i);
      if (!cache.isLoaded(key)) continue;
      const load = replicaLoad.get(key) ?? 0;
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    }
    return best;
  }

  async function inferOnce(record: VersionRecord, run: RunInputs, controls: RunControls | undefined, retry: boolean): Promise<RunResult> {
    const base = versionKey(record);
    const replica = pickReplica(record, base);
    const key = replicaKey(record, replica);
    // Counted only where there is a choice: a single replica's hot path pays no map updates.
    let picked = (replicas.get(base) ?? 1) > 1;
    if (picked) replicaLoad.set(key, (replicaLoad.get(key) ?? 0) + 1);
    const done = () => {
      if (picked) unpick(key);
      picked = false;
    };
    let lease: Awaited<ReturnType<typeof cache.acquire>>;
    try {
      lease = await cache.acquire(record, replica);
    } catch (error) {
      done();
      throw error;
    }
    try {
      const onThread = threadHostSet.has(lease.version.host);
      // A run sent to a worker thread gives its buffers away: keep the originals to run it again if the thread dies.
      const sent = retry && onThread ? copyRun(run) : run;
      try {
        return await dispatcherFor(lease.version).submit(sent, controls);
      } catch (error) {
        if (!retry || !onThread || !isHostLoss(error) || controls?.signal?.aborted === true) throw error;
        metrics.retries.inc({ pipeline: record.pipeline });
        lease.release();
        done();
        return await inferOnce(record, run, controls, false);
      }
    } finally {
      lease.release();
      done();
    }
  }

  return {
    metrics,
    budgetBytes,
    /** The worker thread hosts, for resource advertisement and fault tests. */
    threadHosts: threadHosts as readonly ThreadHost[],

    /** Runs a version's model, loading it first if needed. */
    async infer(record: VersionRecord, run: RunInputs, controls?: RunControls): Promise<RunResult> {
      const pipeline = record.pipeline;
      const base = versionKey(record);
      change(base, 1);
      try {
        const result = await inferOnce(record, run, controls, true);
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
        change(base, -1);
      }
    },

    /** Runs of the version admitted and not yet answered (queued, loading or running). */
    inFlight: (record: VersionRecord): number => inFlight.get(versionKey(record))?.count ?? 0,

    /**
     * Runs in flight integrated over time (run·ms) since the version's first run, with the
     * clock it was read at (`performance.now()`): two readings give the average concurrency
     * between them, which also sees runs shorter than the interval.
     */
    concurrencyArea(record: VersionRecord): { area: number; at: number } {
      const at = performance.now();
      const f = inFlight.get(versionKey(record));
      return { area: f === undefined ? 0 : f.area + f.count * (at - f.at), at };
    },

    /**
     * Keeps `count` replicas of the version loaded: loads the missing ones (each on a host
     * holding no other replica where one is free) and unloads the surplus once idle. 0
     * unloads every replica; the next run then loads one again (a cold start, never a
     * refusal); a pinned copy (`warmup`) is kept. Resolves when the loads and unloads are done.
     */
    async scale(record: VersionRecord, count: number): Promise<void> {
      const base = versionKey(record);
      replicas.set(base, count);
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) if (!cache.isLoaded(replicaKey(record, i))) work.push(cache.warm(record, i));
      // A pin (`warmup`) outranks scaling down: a pinned copy stays.
      const now = Date.now();
      for (const v of cache.list()) if (baseKey(v.key) === base && replicaOf(v.key) >= count && v.pinnedUntil <= now) work.push(cache.unload(v.key));
      await Promise.all(work);
    },

    /** Starts every worker thread now, so a later scale-up pays for its model load only. */
    startHosts: () => Promise.all(threadHosts.map((h) => h.start())).then(() => undefined),

    /** Replicas asked for (1 unless scaled) and loaded now. */
    replicas(record: VersionRecord): { desired: number; ready: number } {
      const base = versionKey(record);
      const ready = cache.list().filter((v) => baseKey(v.key) === base).length;
      return { desired: replicas.get(base) ?? 1, ready };
    },

    /** Replaces the manifest's serving and batching settings of a version (a deployment's overrides); undefined restores them. */
    configure(record: VersionRecord, settings: VersionServingSettings | undefined): void {
      const base = versionKey(record);
      if (settings === undefined) overrides.delete(base);
      else overrides.set(base, settings);
      // Runs already admitted finish on the dispatcher they are in; new ones get the new settings.
      for (const key of [...dispatchers.keys()]) if (baseKey(key) === base) dispatchers.delete(key);
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
      const others = cache.list().filter((v) => v.key !== key && baseKey(v.key) === key);
      await Promise.all([cache.unload(key), ...others.map((v) => cache.unload(v.key))]);
    },
    isLoaded: (record: VersionRecord) => cache.isLoaded(versionKey(record)),
    loaded: () => cache.list(),
    usedBytes: () => cache.usedBytes(),
    restore: (resolve: (pipeline: string, version: number) => Promise<VersionRecord | undefined>) => cache.restore(resolve),
    close: () => cache.close(),
  };
}
