/**
 * Monitoring analysis in the server: the reference profile of each version (at push from
 * the package's reference CSV, or later from an uploaded one) and the production windows.
 * The run observer only queues events; a timer (or `flush()`) decodes them, profiles each
 * batch into its 5-minute window and merges it into the stored window, hour and day —
 * sketches merged, rows never re-read — with drift against the reference stored beside.
 */
import {
  type ArtifactStore,
  InvalidInputError,
  InvalidPackageError,
  type Manifest,
  type MetadataStore,
  type ModelRuntime,
  type ProfileWindowRecord,
  type ReferenceProfileRecord,
  type RunEvent,
  type RunObserver,
  SlipwayError,
  type Tensor,
  type VersionRecord,
  encodeRecords,
} from '@slipway/core';
import {
  DAY_MS,
  HOUR_MS,
  type MonitoringContext,
  type PredictionValue,
  type ReferenceProfile,
  type ReferenceRows,
  type RunRow,
  type WindowState,
  buildReferenceProfile,
  decodePredictions,
  mergeWindowStates,
  monitoringContext,
  parseReferenceCsv,
  profileRows,
  runRows,
  windowDrift,
  windowStart,
} from '@slipway/monitoring';
import { Counter, type Registry as MetricsRegistry } from 'prom-client';
import type { PackageFiles } from './package-reader.js';
import type { PushExtension } from './registry.js';

/** `createApp` settings of monitoring analysis. */
export interface MonitoringAppOptions {
  monitoring?: Pick<MonitoringServiceOptions, 'now' | 'flushIntervalMs' | 'maxQueuedRuns'>;
}

export interface MonitoringServiceOptions {
  store: MetadataStore;
  artifacts: ArtifactStore;
  runtime: ModelRuntime;
  /** Epoch ms; tests inject a clock. Default `Date.now`. */
  now?: () => number;
  /** How often queued runs are profiled into windows. Default 5000 ms; 0 = only on `flush()`. */
  flushIntervalMs?: number;
  /** Runs held between flushes; more are dropped (and counted) so memory stays bounded. Default 50000. */
  maxQueuedRuns?: number;
  /** Called with errors of background flushes (a failing store must not crash the server). */
  onError?: (err: unknown) => void;
  /** Where `slipway_monitoring_*` counters are registered (runs dropped, rows profiled, flush errors). */
  metrics?: MetricsRegistry;
}

/** A version's reference profile with the manifest's monitoring settings. */
export interface MonitoredVersion {
  context: MonitoringContext;
  reference: ReferenceProfile;
  record: ReferenceProfileRecord;
}

/** A stored window: its state and which reference profile (by creation time) its layout comes from. */
export interface StoredWindowState extends WindowState {
  referenceCreatedAt: string;
}

/** Reference rows scored per call of the model; bounded by the manifest's batch size. */
const REFERENCE_BATCH = 4096;

function toReferenceProfile(r: ReferenceProfileRecord): ReferenceProfile {
  return { rows: r.rows, features: r.features, prediction: r.prediction, cbpe: r.cbpe, positiveClass: r.positiveClass, evaluation: r.evaluation } as ReferenceProfile;
}

/** Roll-up lengths of a base window: itself, the hour and the day (skipping any not longer). */
export function rollupWindows(windowMs: number): number[] {
  return [windowMs, ...[HOUR_MS, DAY_MS].filter((w) => w > windowMs)];
}

export function createMonitoringService(options: MonitoringServiceOptions) {
  const { store, artifacts, runtime } = options;
  const now = options.now ?? Date.now;
  const maxQueued = options.maxQueuedRuns ?? 50_000;
  const registers = options.metrics === undefined ? [] : [options.metrics];
  const counters = {
    rows: new Counter({ name: 'slipway_monitoring_window_rows_total', help: 'Rows of served runs profiled into monitoring windows (profiled), or skipped because their version has no reference profile (no_reference)', labelNames: ['outcome'], registers }),
    dropped: new Counter({ name: 'slipway_monitoring_window_runs_dropped_total', help: 'Runs not profiled because the monitoring queue was full', registers }),
    errors: new Counter({ name: 'slipway_monitoring_window_flush_errors_total', help: 'Failed flushes of monitoring windows (their rows are not profiled)', registers }),
  };
  const onError = options.onError ?? (() => {});
  let queue: RunEvent[] = [];
  let dropped = 0;
  let flushing: Promise<void> = Promise.resolve();
  const versions = new Map<string, Promise<MonitoredVersion | null>>();
  const stats = { profiledRows: 0, unprofiledRuns: 0 };

  /** Runs the model on the complete reference rows; rows with a missing feature get no prediction. */
  async function predict(record: VersionRecord, model: Uint8Array, rows: ReferenceRows): Promise<(PredictionValue | null)[]> {
    const { manifest } = record;
    const features = manifest.tabular!.features;
    const inputName = manifest.tabular!.input ?? record.signature.inputs[0]!.name;
    const complete = rows.records.flatMap((r, i) => (features.every((f) => r[f.name] !== null) ? [i] : []));
    const out: (PredictionValue | null)[] = rows.records.map(() => null);
    const instance = await runtime.load(model);
    try {
      const batch = Math.min(REFERENCE_BATCH, manifest.batching?.maxBatchSize ?? REFERENCE_BATCH);
      for (let start = 0; start < complete.length; start += batch) {
        const ids = complete.slice(start, start + batch);
        const input: Tensor = encodeRecords(features, ids.map((i) => rows.records[i]));
        const outputs = await instance.infer(new Map([[inputName, input]]));
        decodePredictions(record, outputs, ids.length).forEach((p, k) => (out[ids[k]!] = p));
      }
    } finally {
      await instance.unload();
    }
    return out;
  }

  function parseRows(manifest: Manifest, text: string, file: string): ReferenceRows {
    if (manifest.tabular === undefined) {
      throw new InvalidInputError([{ path: 'manifest.tabular', message: `version of "${manifest.name}" has no tabular features; reference profiles need named features` }]);
    }
    const label = manifest.monitoring?.label;
    const classes = manifest.outputs?.classLabels;
    const rows = parseReferenceCsv(text, { file, features: manifest.tabular.features, ...(label === undefined ? {} : { label }), ...(classes === undefined ? {} : { labelClasses: classes }) });
    // The feature sketches need no model: check them now so a bad column refuses the push.
    try {
      buildReferenceProfile(monitoringContext(manifest), { ...rows, labels: null }, []);
    } catch (err) {
      if (err instanceof InvalidInputError) throw new InvalidPackageError(err.issues.map((i) => ({ path: `${file}: column ${i.path}`, message: i.message })));
      throw err;
    }
    return rows;
  }

  async function computeProfile(record: VersionRecord, model: Uint8Array, rows: ReferenceRows, source: string): Promise<ReferenceProfileRecord> {
    const predictions = await predict(record, model, rows);
    const profile = buildReferenceProfile(monitoringContext(record.manifest), rows, predictions);
    const stored: ReferenceProfileRecord = {
      pipeline: record.pipeline,
      version: record.version,
      source,
      rows: profile.rows,
      createdAt: new Date(now()).toISOString(),
      features: profile.features,
      prediction: profile.prediction,
      cbpe: profile.cbpe,
      positiveClass: profile.positiveClass,
      evaluation: profile.evaluation,
    };
    await store.putReferenceProfile(stored);
    versions.delete(`${record.pipeline}:${record.version}`);
    return stored;
  }

  const pushExtension: PushExtension = {
    prepare({ files, manifest, model }: { files: PackageFiles; manifest: Manifest; model: Uint8Array }) {
      const file = manifest.monitoring?.reference;
      if (file === undefined) return Promise.resolve(undefined);
      const bytes = files.get(file);
      if (bytes === undefined) {
        throw new InvalidPackageError([{ path: 'slipway.yaml: monitoring.reference', message: `"${file}" is not in the package; its files are ${[...files.keys()].sort().join(', ')}` }]);
      }
      const rows = parseRows(manifest, Buffer.from(bytes).toString('utf8'), file);
      return Promise.resolve(async (version: VersionRecord) => {
        await computeProfile(version, model, rows, file);
      });
    },
  };

  /** Recomputes a version's reference profile from CSV text (`slipway profile`). */
  async function recomputeProfile(record: VersionRecord, csv: string, file: string): Promise<ReferenceProfileRecord> {
    const rows = parseRows(record.manifest, csv, file);
    const artifact = record.artifacts.find((a) => a.path === record.manifest.model);
    if (artifact === undefined) throw new SlipwayError('internal', `version ${record.pipeline}:v${record.version} has no artifact for its model "${record.manifest.model}"`);
    return computeProfile(record, await artifacts.get(artifact.digest), rows, file);
  }

  /** A version's reference with its settings; null when it has no reference profile (cached). */
  function monitored(pipeline: string, version: number): Promise<MonitoredVersion | null> {
    const key = `${pipeline}:${version}`;
    let hit = versions.get(key);
    if (hit === undefined) {
      hit = (async () => {
        const [record, v] = await Promise.all([store.getReferenceProfile(pipeline, version), store.getVersion(pipeline, version)]);
        if (record === undefined || v === undefined) return null;
        return { context: monitoringContext(v.manifest), reference: toReferenceProfile(record), record };
      })();
      hit.catch(() => versions.delete(key));
      versions.set(key, hit);
    }
    return hit;
  }

  const observer: RunObserver = (event) => {
    if (event.record.manifest.tabular === undefined) return;
    if (queue.length >= maxQueued) {
      dropped++;
      counters.dropped.inc();
      return;
    }
    queue.push(event);
  };

  /**
   * Adds a batch to a stored window. A window profiled against an earlier reference profile
   * (recomputed since) has another bucket layout and cannot be merged: it restarts from the
   * batch, so every window compares against the reference it says it does.
   */
  async function mergeInto(pipeline: string, version: number, windowMs: number, start: number, state: WindowState, m: MonitoredVersion): Promise<void> {
    const existing = await store.getProfileWindow({ pipeline, version, windowMs, start });
    const previous = existing?.state as StoredWindowState | undefined;
    const merged: StoredWindowState = {
      ...(previous === undefined || previous.referenceCreatedAt !== m.record.createdAt ? state : mergeWindowStates(previous, state)),
      referenceCreatedAt: m.record.createdAt,
    };
    const record: ProfileWindowRecord = { pipeline, version, windowMs, start, rows: merged.rows, state: merged, drift: windowDrift(m.context, m.reference, merged), updatedAt: new Date(now()).toISOString() };
    await store.putProfileWindow(record);
  }

  async function flushQueue(): Promise<void> {
    const events = queue;
    queue = [];
    const groups = new Map<string, { pipeline: string; version: number; start: number; rows: Pick<RunRow, 'features' | 'prediction'>[] }>();
    for (const event of events) {
      const m = await monitored(event.record.pipeline, event.record.version);
      if (m === null) {
        stats.unprofiledRuns++;
        counters.rows.inc({ outcome: 'no_reference' }, event.inputs.values().next().value?.shape[0] ?? 1);
        continue;
      }
      const start = windowStart(event.startedAt, m.context.windowMs);
      const key = `${event.record.pipeline}\u0000${event.record.version}\u0000${start}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { pipeline: event.record.pipeline, version: event.record.version, start, rows: [] }));
      for (const row of runRows(event)) g.rows.push(row);
    }
    for (const g of groups.values()) {
      const m = (await monitored(g.pipeline, g.version))!;
      const state = profileRows(m.context, m.reference, g.rows);
      for (const windowMs of rollupWindows(m.context.windowMs)) await mergeInto(g.pipeline, g.version, windowMs, windowStart(g.start, windowMs), state, m);
      stats.profiledRows += g.rows.length;
      counters.rows.inc({ outcome: 'profiled' }, g.rows.length);
    }
  }

  /** Profiles every queued run into its windows; flushes run one at a time. */
  function flush(): Promise<void> {
    const run = () =>
      flushQueue().catch((err: unknown) => {
        counters.errors.inc();
        throw err;
      });
    flushing = flushing.then(run, run);
    return flushing;
  }

  const timer =
    (options.flushIntervalMs ?? 5000) > 0
      ? setInterval(() => {
          if (queue.length > 0) flush().catch(onError);
        }, options.flushIntervalMs ?? 5000)
      : undefined;
  timer?.unref();

  return {
    pushExtension,
    observer,
    flush,
    recomputeProfile,
    monitored,
    /** Runs dropped because the queue was full, rows profiled, runs of versions without a reference. */
    stats: () => ({ ...stats, dropped, queued: queue.length }),
    async close(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      await flush().catch(onError);
    },
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
